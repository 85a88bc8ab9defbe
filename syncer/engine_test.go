package syncer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

const lag = 3 * time.Minute

func TestFirstRunBackfill(t *testing.T) {
	for _, tt := range []struct {
		user         string
		calibrations bool
	}{{"g7", false}, {"g6", true}} {
		t.Run(tt.user, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewManual(testStart)
			r := newRig(t, emulator.Config{Seed: 7, Clock: clk, AutoApprove: true, User: tt.user, UploadLag: lag})
			e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})

			before := r.s.Stats()
			wall := time.Now()
			res, err := e.Sync(ctx)
			elapsed := time.Since(wall)
			if err != nil {
				t.Fatal(err)
			}
			got := diff(r.s.Stats(), before)
			all, err := r.db.Readings(ctx, testStart.Add(-100*24*time.Hour), testStart.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s first run: %d readings stored in %v wall, requests %v", tt.user, len(all), elapsed.Round(time.Millisecond), got)

			if !res.Backfilled || res.Added != len(all) {
				t.Errorf("Backfilled %v, Added %d; want true, %d", res.Backfilled, res.Added, len(all))
			}
			// 90 days at one reading per 5 minutes is 25,920; the simulated
			// sensor has warm-ups and signal gaps.
			if len(all) < 24000 || len(all) > 25920 {
				t.Errorf("stored %d readings, want 24,000–25,920", len(all))
			}
			if !res.Newest.Equal(r.s.Newest()) {
				t.Errorf("newest %v, emulator's newest %v", res.Newest, r.s.Newest())
			}
			if oldest := all[0].Time; oldest.Before(testStart.Add(-DefaultRetention)) {
				t.Errorf("oldest reading %v is beyond the 90-day window", oldest)
			}
			// The last day, then the remaining 89 days in three 30-day windows.
			if got["egvs"] != 4 || got["dataRange"] != 1 || got["devices"] != 1 {
				t.Errorf("requests %v: want 4 egvs, 1 dataRange, 1 devices", got)
			}
			if got["alerts"] > 3 || got["events"] > 3 {
				t.Errorf("requests %v: want at most 3 each of events and alerts", got)
			}
			if tt.calibrations != (got["calibrations"] > 0) || got["calibrations"] > 3 {
				t.Errorf("%s: %d calibration requests", tt.user, got["calibrations"])
			}
			r.src.mu.Lock()
			first := r.src.ranges[0]
			r.src.mu.Unlock()
			if span := first[1].Sub(first[0]); span > 25*time.Hour {
				t.Errorf("first readings request spans %v, want the last day first", span)
			}
			st, err := r.db.SyncStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.LastError != "" || st.LastSuccess.IsZero() || !st.NextPoll.Equal(res.Next) {
				t.Errorf("sync status %+v, result next %v", st, res.Next)
			}
			if want := res.Newest.Add(Cadence); res.Next.Before(want) || res.Next.After(want.Add(lag+time.Minute)) {
				t.Errorf("next poll %v, want around newest+5m+lag (%v)", res.Next, want.Add(lag))
			}
			if tt.calibrations {
				cs, err := r.db.Calibrations(ctx, testStart.Add(-DefaultRetention), testStart.Add(time.Hour))
				if err != nil || len(cs) == 0 {
					t.Errorf("g6: %d calibrations stored, err %v", len(cs), err)
				}
			}

			// A second engine in a new process reuses the learned lag.
			e2 := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
			if _, err := e2.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if e2.lag != e.lag {
				t.Errorf("restarted engine's lag model %+v, want %+v", e2.lag, e.lag)
			}
		})
	}
}

func TestDeltaSyncOverlapAndDedupe(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(testStart)
	r := newRig(t, emulator.Config{Seed: 3, Clock: clk, AutoApprove: true, UploadLag: lag})
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	first, err := e.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}

	clk.Advance(17 * time.Minute)
	before := r.s.Stats()
	res, err := e.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := diff(r.s.Stats(), before)
	if got["egvs"] != 1 || requests(got) != 1 {
		t.Errorf("delta pass made requests %v, want one egvs", got)
	}
	rg := r.src.lastRange()
	if want := first.Newest.Add(-Overlap); !rg[0].Equal(want) {
		t.Errorf("delta asked from %v, want newest − %v = %v", rg[0], Overlap, want)
	}
	stored, err := r.db.Readings(ctx, first.Newest.Add(-time.Hour), testStart.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	newer := 0
	for i, rd := range stored {
		if i > 0 && !rd.Time.After(stored[i-1].Time) {
			t.Fatalf("readings out of order or duplicated at %v", rd.Time)
		}
		if rd.Time.After(first.Newest) {
			newer++
		}
	}
	if res.Added != newer || newer == 0 || newer > 4 {
		t.Errorf("Added %d, readings newer than the first pass %d; want equal, 1–4", res.Added, newer)
	}
	if !res.Newest.Equal(r.s.Newest()) {
		t.Errorf("newest %v, emulator's %v", res.Newest, r.s.Newest())
	}

	// Nothing new: the overlap comes back and is deduplicated.
	again, err := e.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || !again.Newest.Equal(res.Newest) {
		t.Errorf("repeat pass added %d, newest %v", again.Added, again.Newest)
	}

	// Devices and records are refreshed hourly, not on every poll.
	clk.Advance(time.Hour)
	before = r.s.Stats()
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got = diff(r.s.Stats(), before)
	if got["egvs"] != 1 || got["devices"] != 1 || got["events"] != 1 || got["alerts"] != 1 || got["calibrations"] != 0 {
		t.Errorf("hourly pass made requests %v, want one each of egvs, devices, events, alerts", got)
	}
}

func TestRetentionPurge(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(testStart)
	r := newRig(t, emulator.Config{Seed: 5, Clock: clk, AutoApprove: true, UploadLag: lag})
	e := New(r.src, r.db, Options{Clock: clk, Retention: 2 * 24 * time.Hour})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := r.db.Readings(ctx, testStart.Add(-100*24*time.Hour), clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if oldest := all[0].Time; oldest.Before(clk.Now().Add(-2 * 24 * time.Hour)) {
		t.Errorf("oldest reading %v is older than the 2-day retention (now %v)", oldest, clk.Now())
	}
	// A day was offline: the delta covers it (about 288 readings).
	if n := len(all); n < 2*250 || n > 2*288+2 {
		t.Errorf("%d readings after two days", n)
	}
}

func TestBusy(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(testStart)
	r := newRig(t, emulator.Config{Seed: 1, Clock: clk, AutoApprove: true, UploadLag: lag})

	// Another process holds the lock.
	other := flock.New(r.lock)
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	if _, err := e.Sync(ctx); err != nil { // creates the lock's folder
		t.Fatal(err)
	}
	if ok, err := other.TryLock(); !ok || err != nil {
		t.Fatalf("test could not take the lock: %v %v", ok, err)
	}
	if _, err := e.Sync(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("Sync with the lock held elsewhere: %v, want ErrBusy", err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}

	// A Run loop holds it for its whole life; a second engine backs off.
	scaled := clock.NewScaled(testStart, 600)
	runner := New(r.src, r.db, Options{Clock: scaled, LockPath: r.lock})
	ctx2, cancel := context.WithCancel(ctx)
	passed := make(chan Result, 1)
	done := make(chan error, 1)
	go func() {
		done <- runner.Run(ctx2, func(res Result) {
			select {
			case passed <- res:
			default:
			}
		})
	}()
	<-passed
	second := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	if _, err := second.Sync(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("second engine while Run holds the lock: %v, want ErrBusy", err)
	}
	if _, err := runner.Sync(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("Sync on the running engine: %v, want ErrBusy", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := second.Sync(ctx); err != nil {
		t.Errorf("Sync after Run stopped: %v", err)
	}
}

func TestUnauthorizedStopsRun(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewScaled(testStart, 600)
	r := newRig(t, emulator.Config{Seed: 2, Clock: clk, AutoApprove: true, UploadLag: lag})
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.s.Inject(emulator.Fault{Endpoint: "egvs", Kind: emulator.Unauthorized, Count: -1})
	r.s.Inject(emulator.Fault{Endpoint: "token", Kind: emulator.Unauthorized, Count: -1})
	before := r.s.Stats()
	passes := 0
	err := e.Run(ctx, func(Result) { passes++ })
	if !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("Run returned %v, want ErrUnauthorized", err)
	}
	got := diff(r.s.Stats(), before)
	if passes != 1 || got["egvs"] > 2 {
		t.Errorf("%d passes, requests %v: want one pass, at most 2 egvs requests", passes, got)
	}
	st, err := r.db.SyncStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastError != "login expired: run `cgmtop login`" {
		t.Errorf("sync status error %q", st.LastError)
	}
}

func TestRateLimitAndServerErrors(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(testStart)
	// The client's own retries are off, so the engine's policy is what runs.
	r := newRig(t, emulator.Config{Seed: 4, Clock: clk, AutoApprove: true, UploadLag: lag},
		dexcom.WithRetry(0, 0), dexcom.WithMaxRateLimitWait(0))
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)

	r.s.Inject(emulator.Fault{Endpoint: "egvs", Kind: emulator.RateLimit, RetryAfter: 12 * time.Minute})
	res, err := e.Sync(ctx)
	var rl *client.RateLimitError
	if !errors.As(err, &rl) || res.Err != err {
		t.Fatalf("Sync under 429: %v, want a RateLimitError", err)
	}
	if wait := res.Next.Sub(clk.Now()); wait < 12*time.Minute || wait > MaxRetryAfter {
		t.Errorf("next poll in %v, want at least the Retry-After of 12m", wait)
	}
	st, _ := r.db.SyncStatus(ctx)
	if !strings.Contains(st.LastError, "slow down") || !st.NextPoll.Equal(res.Next) {
		t.Errorf("status %+v", st)
	}

	// Server errors back off exponentially, never past the cap.
	r.s.Inject(emulator.Fault{Endpoint: "egvs", Kind: emulator.ServerError, Count: -1})
	var waits []time.Duration
	for range 8 {
		res, err := e.Sync(ctx)
		var api *client.APIError
		if !errors.As(err, &api) || !strings.Contains(err.Error(), "HTTP 500") {
			t.Fatalf("Sync under 500: %v", err)
		}
		waits = append(waits, res.Next.Sub(clk.Now()))
	}
	t.Logf("backoff waits: %v", waits)
	for i, w := range waits {
		if w < BackoffBase/2 || w > BackoffCap {
			t.Errorf("wait %d = %v outside [%v, %v]", i, w, BackoffBase/2, BackoffCap)
		}
	}
	if waits[len(waits)-1] < BackoffCap/2 {
		t.Errorf("after 9 failures the wait is %v, want near the cap", waits[len(waits)-1])
	}
	st, _ = r.db.SyncStatus(ctx)
	if !strings.Contains(st.LastError, "Dexcom is having trouble") || st.LastSuccess.After(st.LastAttempt) {
		t.Errorf("status %+v", st)
	}
}

// TestRunSurvivesClockJumps moves the clock (shared by the emulator, as a
// user changing the system time would move both) back an hour and then
// forward three, and checks the loop neither stalls nor spins.
func TestRunSurvivesClockJumps(t *testing.T) {
	if testing.Short() {
		t.Skip("runs emulated hours")
	}
	clk := clock.NewScaled(testStart, 600)
	r := newRig(t, emulator.Config{Seed: 9, Clock: clk, AutoApprove: true, UploadLag: lag})
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock})
	type pass struct {
		now time.Time
		res Result
	}
	passes := make(chan pass, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- e.Run(ctx, func(res Result) { passes <- pass{clk.Now(), res} })
	}()
	longest := Cadence + MaxLag + Margin
	// The first pass is the 90-day backfill: under the race detector on a
	// loaded machine it takes seconds of wall time, an hour of this clock,
	// and the phases below would see no pass for that reason alone (as in
	// 1 of 5 runs). Start them once it is done; watch checks it too.
	select {
	case p := <-passes:
		passes <- p
	case <-time.After(2 * time.Minute):
		t.Fatal("no first pass within 2 minutes")
	}

	// watch collects passes for span of clock time and checks each wait.
	watch := func(name string, span time.Duration) []pass {
		var got []pass
		until := clk.Now().Add(span)
		for clk.Now().Before(until) {
			select {
			case p := <-passes:
				// p.now is read in the callback, after the pass: on a
				// loaded machine or under the race detector that is tens
				// of milliseconds later, which is tens of seconds here.
				slack := time.Duration(float64(200*time.Millisecond) * clk.Factor())
				if wait := p.res.Next.Sub(p.now); wait > longest || wait < -slack {
					t.Errorf("%s: next poll in %v", name, wait)
				}
				got = append(got, p)
			case <-time.After(clk.Wall(time.Minute)):
			}
		}
		return got
	}
	watch("start", 30*time.Minute)
	clk.Jump(-time.Hour)
	back := watch("after jumping back", 45*time.Minute)
	clk.Jump(3 * time.Hour)
	fwd := watch("after jumping forward", 30*time.Minute)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// 45 minutes with nothing new to fetch: polls on the cadence at most,
	// plus one retry ladder (MaxRetries), never a tight loop.
	if len(back) == 0 || len(back) > 45/5+MaxRetries {
		t.Errorf("%d passes in the 45 minutes after jumping back", len(back))
	}
	if len(fwd) == 0 || len(fwd) > 30/5+MaxRetries {
		t.Errorf("%d passes in the 30 minutes after jumping forward", len(fwd))
	}
	last := fwd[len(fwd)-1].res
	if last.Err != nil || clk.Now().Sub(last.Newest) > 2*Cadence+lag {
		t.Errorf("after the jumps the newest reading is %v old (err %v)", clk.Now().Sub(last.Newest), last.Err)
	}
	t.Logf("passes: %d in 45m after jumping back, %d in 30m after jumping forward", len(back), len(fwd))
}

// TestStoredBeforeTheRestOfThePass: Options.Stored is called once new
// readings are in the cache and before the pass's other requests (here the
// hourly devices and records fetches), so the status snapshot it writes
// does not wait for them.
func TestStoredBeforeTheRestOfThePass(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewManual(testStart)
	r := newRig(t, emulator.Config{Seed: 7, Clock: clk, AutoApprove: true, UploadLag: lag, History: 48 * time.Hour})
	var calls []map[string]int
	e := New(r.src, r.db, Options{Clock: clk, LockPath: r.lock, Stored: func() {
		calls = append(calls, r.s.Stats())
	}})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	calls = nil
	clk.Advance(time.Hour + Cadence) // new readings, and devices and records due
	before := r.s.Stats()
	res, err := e.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after := diff(r.s.Stats(), before)
	if res.Added == 0 || after["devices"] != 1 {
		t.Fatalf("the pass added %d readings with requests %v; want new readings and a devices fetch", res.Added, after)
	}
	if len(calls) != 1 {
		t.Fatalf("Stored called %d times, want once", len(calls))
	}
	if at := diff(calls[0], before); at["egvs"] != 1 || at["devices"] != 0 || at["events"] != 0 {
		t.Errorf("Stored was called after requests %v; want right after the readings", at)
	}
	clk.Advance(time.Second)
	calls = nil
	if res, _ := e.Sync(ctx); res.Added != 0 || len(calls) != 0 {
		t.Errorf("a pass with nothing new called Stored %d times", len(calls))
	}
}
