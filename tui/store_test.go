package tui

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// memStore is an in-memory Store holding readings from the generator
// below, for tests that need a cache without SQLite.
type memStore struct {
	mu       sync.Mutex
	readings []client.Reading // ascending
	events   []client.Event
	devices  []client.Device
	sync     cache.SyncStatus
	err      error // returned by every query when set
	version  int64 // DataVersion; tests bump it when they change the store
}

func (s *memStore) DataVersion(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version, s.err
}

func (s *memStore) Freshness(ctx context.Context) (cache.Freshness, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return cache.Freshness{}, s.err
	}
	f := cache.Freshness{Sync: s.sync}
	if n := len(s.readings); n > 0 {
		f.Latest = s.readings[n-1]
		if n > 1 {
			f.Previous = s.readings[n-2]
		}
	}
	return f, nil
}

func (s *memStore) Readings(ctx context.Context, from, to time.Time) ([]client.Reading, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	i := sort.Search(len(s.readings), func(i int) bool { return !s.readings[i].Time.Before(from) })
	j := sort.Search(len(s.readings), func(i int) bool { return !s.readings[i].Time.Before(to) })
	return append([]client.Reading(nil), s.readings[i:j]...), nil
}

func (s *memStore) Events(ctx context.Context, from, to time.Time) ([]client.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var out []client.Event
	for _, e := range s.events {
		if !e.Time.Before(from) && e.Time.Before(to) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *memStore) Devices(ctx context.Context) ([]client.Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	return append([]client.Device(nil), s.devices...), nil
}

func (s *memStore) DataRange(ctx context.Context) (client.DataRange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return client.DataRange{}, s.err
	}
	var dr client.DataRange
	if n := len(s.readings); n > 0 {
		dr.Readings = client.Span{Start: s.readings[0].Time, End: s.readings[n-1].Time}
	}
	return dr, nil
}

func (s *memStore) SyncStatus(ctx context.Context) (cache.SyncStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return cache.SyncStatus{}, s.err
	}
	return s.sync, nil
}

// GlucoseSums adds up the stored readings with stats.Sums, as the cache
// does in SQL.
func (s *memStore) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	out := make([]stats.Sums, len(periods))
	for i, p := range periods {
		from := to.Add(-p)
		for _, r := range s.readings {
			if !r.Time.Before(from) && r.Time.Before(to) {
				out[i].Add(r)
			}
		}
	}
	return out, nil
}

var errBroken = errors.New("database is locked")

// gap is a stretch with no readings (sensor warm-up, lost signal).
type gap struct{ from, to time.Time }

// generate makes readings every 5 minutes in [from, to): a slow daily
// swing, meal bumps and a little wobble, all deterministic. Trend and rate
// follow from the curve as a sensor would report them.
func generate(from, to time.Time, gaps ...gap) []client.Reading {
	curve := func(t time.Time) float64 {
		h := float64(t.Unix()) / 3600
		v := 135 + 45*math.Sin(2*math.Pi*h/24) + 35*math.Sin(2*math.Pi*h/5.3) + 8*math.Sin(2*math.Pi*h/0.9)
		return math.Round(v)
	}
	var out []client.Reading
next:
	for t := from; t.Before(to); t = t.Add(5 * time.Minute) {
		for _, g := range gaps {
			if !t.Before(g.from) && t.Before(g.to) {
				continue next
			}
		}
		v := curve(t)
		rate := (v - curve(t.Add(-5*time.Minute))) / 5
		out = append(out, client.Reading{
			Time: t, DisplayTime: t, Value: int(v), Status: client.StatusOK,
			Trend: client.FromRate(rate), TrendRate: rate, HasRate: true,
		})
	}
	return out
}

// fixedClock is a clock stopped at one instant, for reproducible screens.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
func (c fixedClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.t.Add(d)
	return ch
}
func (c fixedClock) Wall(d time.Duration) time.Duration { return d }

// The cache is the Store the program wires in.
var _ Store = (*cache.DB)(nil)
