// Package hybrid combines an account's official Dexcom source (90 days of
// history, events, devices; an hour or more behind) with a real-time source
// (Share or Nightscout: the last minutes) into one client.Source, so the
// sync engine sees one timeline.
package hybrid

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
)

// SameReading is how far apart two sources may time one sensor reading;
// the cache uses the same window (cache.SameReading).
const SameReading = 30 * time.Second

// OfficialLead is how recent a range may be and still be worth asking the
// official API for: it publishes readings an hour or more late, so the
// real-time source's five-minute polls would cost it a request each for
// nothing.
const OfficialLead = time.Hour

// Part is one of the two sources and the kind name readings carry.
type Part struct {
	Kind   string
	Source client.Source
	// Window is how far back the source holds readings (Share: 24 h);
	// only for the real-time part.
	Window time.Duration
}

// Source is the combination. Readings come from the real-time part for
// the window it holds, from the official part for anything older than
// OfficialLead, merged with no duplicates; everything else comes from the
// official part. When the real-time login is refused, the official part
// serves the whole range, so the account keeps its (delayed) readings while
// the views say what the real-time source needs.
type Source struct {
	official, realtime Part
	clock              clock.Clock
}

// New combines official and realtime; clk may be nil for the wall clock.
func New(official, realtime Part, clk clock.Clock) *Source {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Source{official: official, realtime: realtime, clock: clk}
}

// Readings merges both parts' readings of [start, end), oldest first, each
// tagged with its source and arrival time.
func (s *Source) Readings(ctx context.Context, start, end time.Time) ([]client.Reading, error) {
	now := s.clock.Now()
	rtFrom := now.Add(-s.realtime.Window)
	var rt []client.Reading
	askOfficial := start.Before(now.Add(-OfficialLead))
	if end.After(rtFrom) {
		var err error
		rt, err = s.realtime.Source.Readings(ctx, later(start, rtFrom), end)
		var le *client.LoginError
		switch {
		case errors.As(err, &le):
			askOfficial, rt = true, nil // keep the delayed readings coming
		case err != nil:
			return nil, err
		}
	} else {
		askOfficial = true
	}
	var off []client.Reading
	if askOfficial {
		var err error
		if off, err = s.official.Source.Readings(ctx, start, end); err != nil {
			return nil, err
		}
	}
	arrived := s.clock.Now().UTC()
	tag(rt, s.realtime.Kind, arrived)
	tag(off, s.official.Kind, arrived)
	return Merge(rt, off), nil
}

func tag(rs []client.Reading, kind string, arrived time.Time) {
	for i := range rs {
		if rs[i].Source == "" {
			rs[i].Source = kind
		}
		if rs[i].Arrived.IsZero() {
			rs[i].Arrived = arrived
		}
	}
}

// Merge joins two sources' readings oldest first, dropping a reading of
// second when first has one within SameReading of it: the same sensor
// reading, timed a few seconds apart by two services.
func Merge(first, second []client.Reading) []client.Reading {
	out := make([]client.Reading, 0, len(first)+len(second))
	out = append(out, first...)
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	n := len(out)
	for _, r := range second {
		i := sort.Search(n, func(i int) bool { return !out[i].Time.Before(r.Time.Add(-SameReading)) })
		if i < n && !out[i].Time.After(r.Time.Add(SameReading)) {
			continue
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// DataRange is the official part's, reaching to now when the real-time
// part holds readings the official API has not published yet.
func (s *Source) DataRange(ctx context.Context) (client.DataRange, error) {
	dr, err := s.official.Source.DataRange(ctx)
	if err != nil {
		return dr, err
	}
	if now := s.clock.Now().UTC(); !dr.Readings.Empty() && now.After(dr.Readings.End) {
		dr.Readings.End = now
	}
	return dr, nil
}

// Events come from the official part.
func (s *Source) Events(ctx context.Context, start, end time.Time) ([]client.Event, error) {
	return s.official.Source.Events(ctx, start, end)
}

// Calibrations come from the official part.
func (s *Source) Calibrations(ctx context.Context, start, end time.Time) ([]client.Calibration, error) {
	return s.official.Source.Calibrations(ctx, start, end)
}

// Alerts come from the official part.
func (s *Source) Alerts(ctx context.Context, start, end time.Time) ([]client.Alert, error) {
	return s.official.Source.Alerts(ctx, start, end)
}

// Devices come from the official part.
func (s *Source) Devices(ctx context.Context) ([]client.Device, error) {
	return s.official.Source.Devices(ctx)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// ServerTime is the clock of whichever part can tell it (the official API
// reads its Date headers), so the sync engine's clock check works on a
// hybrid account too.
func (s *Source) ServerTime() (time.Time, bool) {
	for _, p := range []Part{s.realtime, s.official} {
		if sc, ok := p.Source.(client.ServerClock); ok {
			if t, ok := sc.ServerTime(); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

var _ client.ServerClock = (*Source)(nil)
