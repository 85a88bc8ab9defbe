package syncer

import (
	"context"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// TestLateReadingsReachCache runs the engine on a scaled clock against an
// emulator whose readings of a past 45 minutes are served only two hours
// after they were taken, as a transmitter backfills after a signal loss.
// The delta polls leave the hole; the hourly fetch that reaches back a
// day fills it, in the same single egvs request as any other pass, and
// the late readings count in Result.Added.
func TestLateReadingsReachCache(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few emulated hours")
	}
	ctx := context.Background()
	sc, err := emulator.ParseScenario("late:-1h:45m:+2h")
	if err != nil {
		t.Fatal(err)
	}
	holeStart := testStart.Add(sc.Offset)
	holeEnd := holeStart.Add(sc.Duration)
	// The last reading of the hole is served from here on.
	allOut := holeEnd.Add(sc.Delay)

	clk := clock.NewScaled(testStart, 900)
	// Tokens outlive the run, so no pass repeats a request after a 401;
	// two days of history keep the first run short on the scaled clock.
	r := newRig(t, emulator.Config{Seed: 12, Clock: clk, AutoApprove: true, UploadLag: lag,
		AccessTTL: 24 * time.Hour, History: 48 * time.Hour, Scenarios: []emulator.Scenario{sc}})
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	first, err := e.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Everything that can change lies within a day or so of the start;
	// counting there keeps each check cheap.
	from, to := testStart.Add(-26*time.Hour), testStart.Add(30*24*time.Hour)
	count := func() int {
		rs, err := r.db.Readings(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	hole := func() []client.Reading {
		rs, err := r.db.Readings(ctx, holeStart, holeEnd)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if n := len(hole()); n != 0 {
		t.Fatalf("first run stored %d readings of the late window before they were served", n)
	}

	type pass struct {
		at     time.Time // clock time after the pass
		added  int       // Result.Added
		stored int       // readings in the cache after it, minus before it
		egvs   int       // egvs requests it made
		long   bool      // it reached back a day
		longAt time.Time // clock time the pass asked for that day, to the second, when long
		hole   int       // readings of the late window in the cache after it
		err    error
	}
	var (
		passes   []pass
		stats    = r.s.Stats()
		stored   = count()
		seen     = len(r.src.ranges)
		lastLong time.Time
		longPass []time.Time
		overdue  = testStart.Add(8 * time.Hour)
	)
	runCtx, cancel := context.WithCancel(ctx)
	err = e.Run(runCtx, func(res Result) {
		p := pass{at: clk.Now(), added: res.Added, err: res.Err}
		now := r.s.Stats()
		p.egvs = now["egvs"] - stats["egvs"]
		stats = now
		n := count()
		p.stored, stored = n-stored, n
		r.src.mu.Lock()
		for _, rg := range r.src.ranges[seen:] {
			if rg[1].Sub(rg[0]) > 24*time.Hour {
				// Every range ends a minute past the pass's now, cut to
				// the second: this is when the pass asked, which p.at,
				// taken after the pass's other requests, is not.
				p.long, p.longAt = true, rg[1].Add(-time.Minute)
			}
		}
		seen = len(r.src.ranges)
		r.src.mu.Unlock()
		p.hole = len(hole())
		passes = append(passes, p)
		if p.long {
			longPass = append(longPass, p.longAt)
			lastLong = p.longAt
		}
		if p.long && !p.longAt.Before(allOut) || p.at.After(overdue) {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	end := clk.Now()

	// What the emulator serves for the late window now, over the same
	// client: every one of these must be in the cache.
	want, err := r.src.Source.Readings(ctx, holeStart, holeEnd)
	if err != nil {
		t.Fatal(err)
	}
	got := hole()
	t.Logf("%d passes over %v of clock after the first run (newest then %v); day-long fetches at %v; late readings stored: %d of %d served",
		len(passes), end.Sub(testStart).Round(time.Minute), first.Newest.Format("15:04"), clockTimes(longPass), len(got), len(want))
	if lastLong.Before(allOut) {
		t.Fatalf("no day-long fetch after every late reading was out (%v) by %v", allOut, end)
	}
	// Nine slots, less the simulated sensor's own short signal gaps.
	if len(want) < 3 {
		t.Fatalf("the emulator serves %d readings in the 45-minute window, want several of its 9 slots", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("cache holds %d readings of the late window, the emulator serves %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Value != w.Value || g.Status != w.Status || g.Trend != w.Trend {
			t.Errorf("late reading %d: cached %v %v %v %v, served %v %v %v %v",
				i, g.Time, g.Value, g.Status, g.Trend, w.Time, w.Value, w.Status, w.Trend)
		}
	}

	// released is how many of the late readings the emulator served at t.
	released := func(t time.Time) int {
		n := 0
		for _, w := range want {
			if !t.Before(w.Time.Add(sc.Delay)) {
				n++
			}
		}
		return n
	}
	var prevLong time.Time
	lateAdded, prevHole, missed := 0, 0, 0
	for i, p := range passes {
		if p.err != nil {
			t.Errorf("pass %d at %v: %v", i, p.at, p.err)
		}
		// One egvs request per pass: the day-long fetch replaces the
		// delta, it is not made beside it.
		if p.egvs != 1 {
			t.Errorf("pass %d at %v made %d egvs requests, want 1", i, p.at, p.egvs)
		}
		if p.added != p.stored {
			t.Errorf("pass %d at %v: Result.Added %d, but %d readings were stored", i, p.at, p.added, p.stored)
		}
		switch {
		case p.long:
			// Both times are cut to the second.
			if !prevLong.IsZero() && p.longAt.Sub(prevLong) < lateEvery-time.Second {
				t.Errorf("day-long fetches at %v and %v, less than %v apart", prevLong, p.longAt, lateEvery)
			}
			prevLong = p.longAt
			lateAdded += p.hole - prevHole
		case p.hole != prevHole:
			// Between the hourly fetches the hole stays as it was.
			t.Errorf("pass %d at %v, a delta fetch, changed the late window's readings from %d to %d",
				i, p.at, prevHole, p.hole)
		case released(p.at) > p.hole:
			missed++ // served, but out of a delta fetch's reach
		}
		prevHole = p.hole
	}
	if lateAdded != len(want) {
		t.Errorf("day-long fetches added %d late readings, want all %d", lateAdded, len(want))
	}
	// Not vacuous: some delta passes ran while late readings were out and
	// left them to the next day-long fetch.
	if missed == 0 {
		t.Errorf("no delta pass ran while a late reading was served but not stored")
	}
	t.Logf("%d delta passes ran with late readings served but not yet stored", missed)
}

func clockTimes(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format("15:04")
	}
	return out
}
