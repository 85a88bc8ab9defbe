package hybrid_test

import (
	"context"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/hybrid"
	"github.com/cgmtop/cgmtop/clock"
)

// fake is a Source serving fixed readings and counting calls.
type fake struct {
	rs    []client.Reading
	err   error
	calls int
}

func (f *fake) Readings(_ context.Context, start, end time.Time) ([]client.Reading, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	var out []client.Reading
	for _, r := range f.rs {
		if !r.Time.Before(start) && r.Time.Before(end) {
			out = append(out, r)
		}
	}
	return out, nil
}
func (f *fake) DataRange(context.Context) (client.DataRange, error) { return client.DataRange{}, nil }
func (f *fake) Events(context.Context, time.Time, time.Time) ([]client.Event, error) {
	return nil, nil
}
func (f *fake) Calibrations(context.Context, time.Time, time.Time) ([]client.Calibration, error) {
	return nil, nil
}
func (f *fake) Alerts(context.Context, time.Time, time.Time) ([]client.Alert, error) { return nil, nil }
func (f *fake) Devices(context.Context) ([]client.Device, error)                     { return nil, nil }

func series(from time.Time, n int, shift time.Duration) []client.Reading {
	out := make([]client.Reading, n)
	for i := range out {
		out[i] = client.Reading{Time: from.Add(time.Duration(i)*5*time.Minute + shift), Value: 100 + i, Status: client.StatusOK}
	}
	return out
}

func TestReadingsMergeWithoutDuplicates(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	clk := clock.NewManual(now)
	day := now.Add(-24 * time.Hour)
	official := &fake{rs: series(day.Add(-time.Hour), 12*24, 0)} // up to an hour ago
	rt := &fake{rs: series(day, 12*24, 3*time.Second)}           // the last day, 3 s off
	src := hybrid.New(hybrid.Part{Kind: "dexcom", Source: official},
		hybrid.Part{Kind: "share", Source: rt, Window: 24 * time.Hour}, clk)
	ctx := context.Background()

	// A poll of the last minutes asks only the real-time part.
	rs, err := src.Readings(ctx, now.Add(-20*time.Minute), now)
	if err != nil || official.calls != 0 || len(rs) == 0 || rs[len(rs)-1].Source != "share" {
		t.Fatalf("recent poll: %d readings, official asked %d times, %v", len(rs), official.calls, err)
	}
	// A day and an hour: both, one reading per slot.
	rs, err = src.Readings(ctx, now.Add(-25*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(rs); i++ {
		if rs[i].Time.Sub(rs[i-1].Time) < time.Minute {
			t.Fatalf("duplicate at %v (%s) and %v (%s)", rs[i-1].Time, rs[i-1].Source, rs[i].Time, rs[i].Source)
		}
	}
	if len(rs) != 12*25 {
		t.Fatalf("%d readings over 25 hours, want %d", len(rs), 12*25)
	}
	if rs[0].Source != "dexcom" || rs[len(rs)-1].Source != "share" || rs[0].Arrived.IsZero() {
		t.Fatalf("sources %q … %q", rs[0].Source, rs[len(rs)-1].Source)
	}

	// A refused real-time login falls back to the official part.
	rt.err = &client.LoginError{Source: "share", Msg: "refused"}
	official.calls = 0
	if _, err = src.Readings(ctx, now.Add(-20*time.Minute), now); err != nil || official.calls != 1 {
		t.Fatalf("fallback: %v, official asked %d times", err, official.calls)
	}
}

// clockSource is a source that knows its server's time.
type clockSource struct {
	client.Source
	t time.Time
}

func (c clockSource) ServerTime() (time.Time, bool) { return c.t, !c.t.IsZero() }

func TestServerTimeComesFromAPartThatHasIt(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)
	s := hybrid.New(hybrid.Part{Kind: "dexcom", Source: clockSource{t: t0}}, hybrid.Part{Kind: "share", Source: clockSource{}}, nil)
	if got, ok := s.ServerTime(); !ok || !got.Equal(t0) {
		t.Errorf("ServerTime = %v %v, want the official part's %v", got, ok, t0)
	}
	s = hybrid.New(hybrid.Part{Kind: "dexcom", Source: clockSource{}}, hybrid.Part{Kind: "share", Source: clockSource{}}, nil)
	if _, ok := s.ServerTime(); ok {
		t.Error("ServerTime claims a time no part has")
	}
}
