package nightscout

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

var _ client.Source = (*Client)(nil)

// tailMemo is the last answer to a readings request that reached up to
// "now". The next such request sends If-Modified-Since, and a 304 (the
// site has no newer sgv) is answered from here: a poll that finds nothing
// new costs a header exchange, not a download.
type tailMemo struct {
	from, to time.Time
	newest   float64 // newest server date in the answer, epoch ms
	readings []client.Reading
}

// maxMemoGap bounds how far a poll's start and end may move past the
// memo's and still use it: the memo is for the next poll of the newest
// readings, not for history.
const maxMemoGap = 6 * time.Hour

// Site reads /api/v1/status.json: the site's name, version, display unit
// and thresholds, and which subject the token belongs to. Login uses it to
// check the token and to pick the default unit.
func (c *Client) Site(ctx context.Context) (Site, error) {
	var site Site
	err := c.get(ctx, "status", "/api/v1/status.json", nil, time.Time{}, func(r io.Reader) error {
		var err error
		site, err = decodeStatus(r)
		return err
	})
	return site, err
}

// CheckRead makes sure the token may read entries (status.json needs less)
// by asking for the newest one. It returns the newest reading's time, zero
// when the site holds none.
func (c *Client) CheckRead(ctx context.Context) (time.Time, error) {
	p, err := c.entries(ctx, url.Values{"count": {"1"}}, time.Time{})
	if err != nil {
		return time.Time{}, err
	}
	if len(p.items) == 0 {
		return time.Time{}, nil
	}
	return p.items[0].Time, nil
}

// DataRange reports the first and last reading, and the newest event and
// meter value (their Start stays zero: the syncer then reaches back as far
// as it keeps data). The oldest reading is the one Nightscout returns for
// an ascending sort with a count of one.
func (c *Client) DataRange(ctx context.Context) (client.DataRange, error) {
	var dr client.DataRange
	p, err := c.entries(ctx, url.Values{"count": {"1"}, "find[date][$gte]": {"0"}}, time.Time{})
	if err != nil {
		return dr, err
	}
	if len(p.items) == 0 {
		return dr, c.moreRange(ctx, &dr)
	}
	dr.Readings.End = p.items[0].Time
	first, err := c.entries(ctx, url.Values{"count": {"1"}, "find[date][$gte]": {"0"}, "sort[date]": {"1"}}, time.Time{})
	if err != nil {
		return dr, err
	}
	dr.Readings.Start = dr.Readings.End
	if len(first.items) > 0 && first.items[0].Time.Before(dr.Readings.End) {
		dr.Readings.Start = first.items[0].Time
	}
	return dr, c.moreRange(ctx, &dr)
}

// moreRange fills in the newest meter value and event.
func (c *Client) moreRange(ctx context.Context, dr *client.DataRange) error {
	var cals []client.Calibration
	err := c.get(ctx, "entries", "/api/v1/entries/mbg.json", url.Values{"count": {"1"}, "find[date][$gte]": {"0"}}, time.Time{}, func(r io.Reader) error {
		var err error
		_, cals, err = decodeEntries(r)
		return err
	})
	if err != nil {
		return err
	}
	if len(cals) > 0 {
		dr.Calibrations.End = cals[0].Time
	}
	tp, err := c.treatments(ctx, url.Values{"count": {"1"}, "find[created_at][$gte]": {"2000-01-01T00:00:00.000Z"}})
	if err != nil {
		return err
	}
	if ms := tp.newest; ms > 0 {
		dr.Events.End, _ = fromMillis(ms)
	}
	return nil
}

// Readings returns the sensor readings of [start, end), oldest first,
// paging through the site's newest-first answers.
func (c *Client) Readings(ctx context.Context, start, end time.Time) ([]client.Reading, error) {
	if !end.After(start) {
		return nil, nil
	}
	if rs, ok, err := c.tailPoll(ctx, start, end); ok || err != nil {
		return rs, err
	}
	var out []client.Reading
	var newest float64
	pages := 0
	before := end
	for {
		q := rangeQuery("date", start, before, c.pageSize)
		p, err := c.entries(ctx, q, time.Time{})
		if err != nil {
			return nil, err
		}
		pages++
		newest = max(newest, p.newest)
		out = append(out, inRange(p.items, start, end)...)
		next, ok := nextPage(p.rows, c.pageSize, p.oldest, before)
		if !ok {
			break
		}
		before = next
	}
	out = sortReadings(out)
	if pages == 1 {
		c.remember(tailMemo{from: start, to: end, newest: newest, readings: out})
	}
	return out, nil
}

// tailPoll answers a poll for the newest readings with If-Modified-Since
// when the memo of the previous poll covers the range's start; ok is
// false when the memo does not apply and a full request is needed.
func (c *Client) tailPoll(ctx context.Context, start, end time.Time) ([]client.Reading, bool, error) {
	c.mu.Lock()
	m := c.tail
	c.mu.Unlock()
	if m.to.IsZero() || m.newest <= 0 || start.Before(m.from) || start.Sub(m.from) > maxMemoGap ||
		end.Before(m.to) || end.Sub(m.to) > maxMemoGap {
		return nil, false, nil
	}
	// Nightscout compares in milliseconds against a header in whole
	// seconds, so round up or a reading at …:30.5 would never compare equal.
	ims := time.UnixMilli(int64(math.Ceil(m.newest/1000)) * 1000)
	if ims.After(m.to) {
		return nil, false, nil // a reading dated in the future: do not let it hide newer ones
	}
	p, err := c.entries(ctx, rangeQuery("date", start, end, c.pageSize), ims)
	switch {
	case err == errNotModified:
		c.mu.Lock()
		c.tail.to = end
		c.mu.Unlock()
		return inRange(m.readings, start, end), true, nil
	case err != nil:
		return nil, true, err
	case p.rows >= c.pageSize:
		return nil, false, nil // more than a page arrived since: page through it
	}
	rs := sortReadings(inRange(p.items, start, end))
	c.remember(tailMemo{from: start, to: end, newest: p.newest, readings: rs})
	return rs, true, nil
}

func (c *Client) remember(m tailMemo) {
	c.mu.Lock()
	c.tail = m
	c.mu.Unlock()
}

// entries fetches one page of sgv entries. It asks /entries/sgv.json, not
// /entries.json: on the latter Nightscout 15 answers If-Modified-Since from
// an in-memory copy that lags new uploads by seconds, so a poll right
// after an upload got a 304 for a reading the database already held.
// The typed route decides from the query's own answer.
func (c *Client) entries(ctx context.Context, q url.Values, ims time.Time) (page[client.Reading], error) {
	var p page[client.Reading]
	err := c.get(ctx, "entries", "/api/v1/entries/sgv.json", q, ims, func(r io.Reader) error {
		var err error
		p, _, err = decodeEntries(r)
		return err
	})
	if err == nil {
		c.noteCGM(p.cgm)
	}
	return p, err
}

// cgmMemo is the uploader of the newest sgv a request returned: Devices
// names the CGM from it, so the hourly device refresh costs one request
// (devicestatus) and not a second one for the newest entry, which the
// readings polls fetch anyway.
type cgmMemo struct {
	device string
	at     time.Time // the entry's time, not truncated
}

func (c *Client) noteCGM(m cgmMemo) {
	if m.at.IsZero() {
		return
	}
	c.mu.Lock()
	if m.at.After(c.cgm.at) {
		c.cgm = m
	}
	c.mu.Unlock()
}

func (c *Client) treatments(ctx context.Context, q url.Values) (page[client.Event], error) {
	var p page[client.Event]
	err := c.get(ctx, "treatments", "/api/v1/treatments.json", q, time.Time{}, func(r io.Reader) error {
		var err error
		p, err = decodeTreatments(r)
		return err
	})
	return p, err
}

// rangeQuery asks for up to count documents with field in [start, before),
// newest first. An explicit date filter also lifts the 4-day window
// Nightscout adds to queries without one.
func rangeQuery(field string, start, before time.Time, count int) url.Values {
	q := url.Values{"count": {strconv.Itoa(count)}}
	if field == "date" {
		q.Set("find[date][$gte]", strconv.FormatInt(start.UnixMilli(), 10))
		q.Set("find[date][$lt]", strconv.FormatInt(before.UnixMilli(), 10))
	} else {
		q.Set("find["+field+"][$gte]", isoMillis(start))
		q.Set("find["+field+"][$lt]", isoMillis(before))
	}
	return q
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// nextPage decides whether a full page calls for another, and where it
// ends: just after the oldest document seen (fractional dates are rounded
// up so none is skipped; the repeats are dropped later). ok is false on a
// short page, or when the cursor would not move.
func nextPage(rows, size int, oldest float64, before time.Time) (time.Time, bool) {
	if rows < size || oldest <= 0 {
		return time.Time{}, false
	}
	next := time.UnixMilli(int64(math.Ceil(oldest)))
	if oldest == math.Trunc(oldest) {
		next = time.UnixMilli(int64(oldest))
	}
	if !next.Before(before) {
		return time.Time{}, false
	}
	return next, true
}

func inRange(rs []client.Reading, start, end time.Time) []client.Reading {
	var out []client.Reading
	for _, r := range rs {
		if !r.Time.Before(start) && r.Time.Before(end) {
			out = append(out, r)
		}
	}
	return out
}

// sortReadings orders readings oldest first and keeps one per second (the
// cache's key): two uploaders often post the same reading.
func sortReadings(rs []client.Reading) []client.Reading {
	slices.SortStableFunc(rs, func(a, b client.Reading) int { return a.Time.Compare(b.Time) })
	return slices.CompactFunc(rs, func(a, b client.Reading) bool { return a.Time.Unix() == b.Time.Unix() })
}

// Events returns what people entered in [start, end): carbs, insulin,
// exercise, finger-stick checks and notes, from the treatments collection.
func (c *Client) Events(ctx context.Context, start, end time.Time) ([]client.Event, error) {
	if !end.After(start) {
		return nil, nil
	}
	var out []client.Event
	before := end
	for {
		p, err := c.treatments(ctx, rangeQuery("created_at", start, before, c.pageSize))
		if err != nil {
			return nil, err
		}
		for _, e := range p.items {
			if !e.Time.Before(start) && e.Time.Before(end) {
				out = append(out, e)
			}
		}
		next, ok := nextPage(p.rows, c.pageSize, p.oldest, before)
		if !ok {
			break
		}
		before = next
	}
	slices.SortStableFunc(out, func(a, b client.Event) int { return a.Time.Compare(b.Time) })
	return slices.CompactFunc(out, func(a, b client.Event) bool { return a.ID == b.ID }), nil
}

// Calibrations returns the meter values (mbg entries) of [start, end).
func (c *Client) Calibrations(ctx context.Context, start, end time.Time) ([]client.Calibration, error) {
	if !end.After(start) {
		return nil, nil
	}
	q := rangeQuery("date", start, end, c.pageSize)
	var cals []client.Calibration
	err := c.get(ctx, "entries", "/api/v1/entries/mbg.json", q, time.Time{}, func(r io.Reader) error {
		var err error
		_, cals, err = decodeEntries(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := cals[:0]
	for _, cal := range cals {
		if !cal.Time.Before(start) && cal.Time.Before(end) {
			out = append(out, cal)
		}
	}
	slices.SortStableFunc(out, func(a, b client.Calibration) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// Alerts returns nothing: Nightscout raises its alarms in the browser and
// keeps no record of them.
func (c *Client) Alerts(context.Context, time.Time, time.Time) ([]client.Alert, error) {
	return nil, nil
}

// deviceStatusCount is how many recent statuses Devices reads: enough to
// see every uploader of a site where a loop writes one every 5 minutes.
const deviceStatusCount = 30

// Devices returns the site's uploaders (phone battery; pump and loop IOB
// and COB where a loop reports them) and the CGM that wrote the newest
// reading.
func (c *Client) Devices(ctx context.Context) ([]client.Device, error) {
	var ds []client.Device
	err := c.get(ctx, "devicestatus", "/api/v1/devicestatus.json", url.Values{"count": {strconv.Itoa(deviceStatusCount)}}, time.Time{}, func(r io.Reader) error {
		var err error
		ds, err = decodeDeviceStatus(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	cgm := c.cgm
	c.mu.Unlock()
	if cgm.at.IsZero() {
		// No poll of this client has seen an sgv yet: ask for the newest.
		var newest entry
		err = c.get(ctx, "entries", "/api/v1/entries/sgv.json", url.Values{"count": {"1"}, "find[date][$gte]": {"0"}}, time.Time{}, func(r io.Reader) error {
			return walkArray(r, func(raw []byte) { _ = json.Unmarshal(raw, &newest) })
		})
		if err != nil {
			return nil, err
		}
		if t, _, ok := newest.when(); ok {
			cgm = cgmMemo{device: string(newest.Device), at: t}
		}
	}
	if cgm.device != "" {
		ds = append([]client.Device{{DisplayDevice: clip(cgm.device, 60), Generation: generation(cgm.device), LastUpload: cgm.at}}, ds...)
	}
	return ds, nil
}

// generation guesses the sensor generation from an uploader's device name
// ("xDrip-DexcomG6", "share2", "dexcom-g7"); a name that does not say is
// shown as a Nightscout device.
func generation(device string) string {
	d := strings.ToLower(device)
	switch {
	case strings.Contains(d, "g7"):
		return "g7"
	case strings.Contains(d, "g6"):
		return "g6"
	case strings.Contains(d, "g5"):
		return "g5"
	case strings.Contains(d, "libre"):
		return "libre"
	}
	return "nightscout"
}
