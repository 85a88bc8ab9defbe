package dexcom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// MaxWindow is the longest range one v3 request may ask for; longer ranges
// are split.
const MaxWindow = 30 * 24 * time.Hour

// dateLayout is how v3 wants startDate/endDate: UTC, no zone suffix.
const dateLayout = "2006-01-02T15:04:05"

var (
	_ client.Source      = (*Client)(nil)
	_ client.ServerClock = (*Client)(nil)
)

// DataRange reports the first and last record times the account holds.
func (c *Client) DataRange(ctx context.Context) (client.DataRange, error) {
	var dr client.DataRange
	err := c.get(ctx, "dataRange", nil, func(r io.Reader) (err error) {
		dr, err = decodeDataRange(r)
		return err
	})
	return dr, err
}

// Devices lists the account's transmitters, receivers and apps.
func (c *Client) Devices(ctx context.Context) ([]client.Device, error) {
	var ds []client.Device
	err := c.get(ctx, "devices", nil, func(r io.Reader) (err error) {
		ds, err = decodeDevices(r)
		return err
	})
	return ds, err
}

// Readings returns the EGVs in [start, end), oldest first.
func (c *Client) Readings(ctx context.Context, start, end time.Time) ([]client.Reading, error) {
	recs, err := fetchRange(ctx, c, "egvs", start, end, decodeEGVs)
	if err != nil {
		return nil, err
	}
	return merge(recs, start, end, true), nil
}

// Events returns the user-entered events in [start, end), oldest first.
func (c *Client) Events(ctx context.Context, start, end time.Time) ([]client.Event, error) {
	recs, err := fetchRange(ctx, c, "events", start, end, decodeEvents)
	if err != nil {
		return nil, err
	}
	return merge(recs, start, end, false), nil
}

// Calibrations returns the fingerstick calibrations in [start, end), oldest
// first. G7 accounts have none.
func (c *Client) Calibrations(ctx context.Context, start, end time.Time) ([]client.Calibration, error) {
	recs, err := fetchRange(ctx, c, "calibrations", start, end, decodeCalibrations)
	if err != nil {
		return nil, err
	}
	return merge(recs, start, end, false), nil
}

// Alerts returns the alerts raised in [start, end), oldest first.
func (c *Client) Alerts(ctx context.Context, start, end time.Time) ([]client.Alert, error) {
	recs, err := fetchRange(ctx, c, "alerts", start, end, decodeAlerts)
	if err != nil {
		return nil, err
	}
	return merge(recs, start, end, false), nil
}

// fetchRange asks for [start, end) in windows of at most MaxWindow, oldest
// first. A 404 means "no data in this window", which is normal. On error
// the records fetched so far are dropped: a partial range would look like
// a gap in the user's data.
func fetchRange[T any](ctx context.Context, c *Client, endpoint string, start, end time.Time,
	decode func(io.Reader) ([]record[T], error)) ([]record[T], error) {
	var all []record[T]
	for _, w := range windows(start, end) {
		q := url.Values{
			"startDate": {w.start.Format(dateLayout)},
			"endDate":   {w.end.Format(dateLayout)},
		}
		err := c.get(ctx, endpoint, q, func(r io.Reader) error {
			recs, err := decode(r)
			if err == nil {
				all = append(all, recs...)
			}
			return err
		})
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return all, nil
}

type window struct{ start, end time.Time }

// windows splits [start, end) into request windows of at most MaxWindow,
// in UTC and whole seconds: start rounds down and end up, so no record is
// lost to the API's one-second resolution (merge trims the excess).
func windows(start, end time.Time) []window {
	start = start.UTC().Truncate(time.Second)
	if t := end.UTC().Truncate(time.Second); t.Before(end) {
		end = t.Add(time.Second)
	} else {
		end = t
	}
	var ws []window
	for s := start; s.Before(end); {
		e := s.Add(MaxWindow)
		if e.After(end) {
			e = end
		}
		ws = append(ws, window{s, e})
		s = e
	}
	return ws
}

// merge sorts records by time, keeps those in [start, end) and drops
// duplicates (windows may overlap at their edges, and Dexcom may repeat a
// record). Duplicates share a recordId; records without one are duplicates
// when their times match (byTime, for readings: one per sensor tick) or
// when they are identical.
func merge[T comparable](recs []record[T], start, end time.Time, byTime bool) []T {
	slices.SortStableFunc(recs, func(a, b record[T]) int { return a.t.Compare(b.t) })
	out := make([]T, 0, len(recs))
	seen := make(map[string]struct{}, len(recs))
	var group []T // id-less records kept at the current time
	var groupTime time.Time
	for _, r := range recs {
		if r.t.Before(start) || !r.t.Before(end) {
			continue
		}
		if r.id != "" {
			if _, dup := seen[r.id]; dup {
				continue
			}
			seen[r.id] = struct{}{}
			out = append(out, r.v)
			continue
		}
		if !r.t.Equal(groupTime) {
			group, groupTime = group[:0], r.t
		} else if byTime && len(group) > 0 || slices.Contains(group, r.v) {
			continue
		}
		group = append(group, r.v)
		out = append(out, r.v)
	}
	return out
}
