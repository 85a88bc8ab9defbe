package statusline

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/config"
)

func TestDecide(t *testing.T) {
	t0 := now
	behind := t0.Add(-time.Hour) // newest reading an hour old: a newer one may exist
	for _, tc := range []struct {
		name  string
		state SpawnState
		spawn bool
		why   string
	}{
		{"behind and nothing known: sync", SpawnState{Now: t0, LoggedIn: true, Latest: behind}, true, "due"},
		{"no readings at all: sync", SpawnState{Now: t0, LoggedIn: true}, true, "due"},
		{"logged out", SpawnState{Now: t0, Latest: behind}, false, "logged out"},
		{"sync running", SpawnState{Now: t0, LoggedIn: true, Latest: behind, SyncRunning: true}, false, "sync running"},
		{"reading 5m15s old is fresh", SpawnState{Now: t0, LoggedIn: true, Latest: t0.Add(-ReadingEvery - SyncMargin)}, false, "fresh"},
		{"reading 5m16s old is behind", SpawnState{Now: t0, LoggedIn: true, Latest: t0.Add(-ReadingEvery - SyncMargin - time.Second)}, true, "due"},
		{"reading a few minutes in the future is fresh", SpawnState{Now: t0, LoggedIn: true, Latest: t0.Add(4 * time.Minute)}, false, "fresh"},
		// Issue 11: the clock went back an hour; only a sync can measure it.
		{"reading an hour in the future: sync", SpawnState{Now: t0, LoggedIn: true, Latest: t0.Add(time.Hour)}, true, "due"},
		{"spawned 59s ago", SpawnState{Now: t0, LoggedIn: true, Latest: behind, SpawnedAt: t0.Add(-59 * time.Second)}, false, "just spawned"},
		{"spawned 60s ago", SpawnState{Now: t0, LoggedIn: true, Latest: behind, SpawnedAt: t0.Add(-SpawnGrace)}, true, "due"},
		{"spawn marker a little ahead (clock step)", SpawnState{Now: t0, LoggedIn: true, Latest: behind, SpawnedAt: t0.Add(30 * time.Second)}, false, "just spawned"},
		{"spawn marker far ahead is ignored", SpawnState{Now: t0, LoggedIn: true, Latest: behind, SpawnedAt: t0.Add(24 * time.Hour)}, true, "due"},
		{"engine says not yet (upload lag)", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-2 * time.Minute), NextPoll: t0.Add(3 * time.Minute)}}, false, "not due"},
		{"engine's time has come", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-5 * time.Minute), NextPoll: t0}}, true, "due"},
		{"NextPoll beyond an hour is not trusted", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-5 * time.Minute), NextPoll: t0.Add(48 * time.Hour)}}, true, "due"},
		{"attempt 10s ago without NextPoll", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-10 * time.Second)}}, false, "just synced"},
		{"failing, attempt 45s ago", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-45 * time.Second), LastError: "offline"}}, false, "backing off"},
		{"failing, attempt 61s ago, NextPoll passed", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-61 * time.Second), NextPoll: t0.Add(-time.Second), LastError: "offline"}}, true, "due"},
		{"failing with a long backoff", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(-2 * time.Minute), NextPoll: t0.Add(3 * time.Minute), LastError: "rate limited"}}, false, "not due"},
		{"last attempt in the future (clock step back) does not block", SpawnState{Now: t0, LoggedIn: true, Latest: behind,
			Sync: cache.SyncStatus{LastAttempt: t0.Add(2 * time.Hour), LastError: "offline"}}, true, "due"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spawn, why := Decide(tc.state)
			if spawn != tc.spawn || why != tc.why {
				t.Errorf("Decide = %v %q, want %v %q", spawn, why, tc.spawn, tc.why)
			}
		})
	}
}

func testPaths(t *testing.T) config.Paths {
	t.Helper()
	return config.Under(t.TempDir())
}

// 200 callers at once, all seeing a cache that is behind: exactly one spawn.
func TestMaybeSpawnSingleFlight(t *testing.T) {
	p := testPaths(t)
	var spawns atomic.Int32
	state := SpawnState{Now: now, LoggedIn: true, Latest: now.Add(-time.Hour)}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := MaybeSpawn(p, "default", state, func() error { spawns.Add(1); return nil })
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := spawns.Load(); n != 1 {
		t.Fatalf("%d spawns, want exactly 1", n)
	}
	// Within the grace period nobody spawns again, even after the lock is free.
	if ok, err := MaybeSpawn(p, "default", state, func() error { spawns.Add(1); return nil }); ok || err != nil {
		t.Errorf("second spawn within the grace: %v %v", ok, err)
	}
	// After it, one more may.
	state.Now = state.Now.Add(SpawnGrace)
	if ok, err := MaybeSpawn(p, "default", state, func() error { spawns.Add(1); return nil }); !ok || err != nil {
		t.Errorf("spawn after the grace: %v %v", ok, err)
	}
	fi, err := os.Stat(spawnMarkerPath(p, "default"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("spawn marker: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}

func TestMaybeSpawnRespectsSyncLock(t *testing.T) {
	p := testPaths(t)
	if err := config.EnsureDir(p.AccountStateDir("default")); err != nil {
		t.Fatal(err)
	}
	engine := flock.New(p.Lock("default", "sync"))
	if err := engine.Lock(); err != nil {
		t.Fatal(err)
	}
	state := SpawnState{Now: now, LoggedIn: true, Latest: now.Add(-time.Hour)}
	spawn := func() error { t.Error("spawned while the sync engine holds its lock"); return nil }
	if ok, err := MaybeSpawn(p, "default", state, spawn); ok || err != nil {
		t.Errorf("MaybeSpawn = %v, %v", ok, err)
	}
	engine.Unlock()
	if ok, err := MaybeSpawn(p, "default", state, func() error { return nil }); !ok || err != nil {
		t.Errorf("after the engine let go: MaybeSpawn = %v, %v", ok, err)
	}
}

// A spawn that fails still leaves the marker, so a broken executable costs
// one attempt per grace period, not one per status call.
func TestMaybeSpawnFailureBacksOff(t *testing.T) {
	p := testPaths(t)
	state := SpawnState{Now: now, LoggedIn: true}
	boom := errors.New("exec format error")
	if ok, err := MaybeSpawn(p, "default", state, func() error { return boom }); ok || !errors.Is(err, boom) {
		t.Fatalf("MaybeSpawn = %v, %v; want the spawn's error", ok, err)
	}
	state.Now = state.Now.Add(10 * time.Second)
	if ok, err := MaybeSpawn(p, "default", state, func() error { t.Error("retried at once"); return nil }); ok || err != nil {
		t.Errorf("MaybeSpawn = %v, %v", ok, err)
	}
}

func TestMarkerRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m")
	if !readMarker(path).IsZero() {
		t.Error("missing marker read as set")
	}
	if err := writeMarker(path, now); err != nil {
		t.Fatal(err)
	}
	if got := readMarker(path); !got.Equal(now) {
		t.Errorf("marker = %v, want %v", got, now)
	}
	for _, junk := range []string{"", "x", "-5", "12ab"} {
		os.WriteFile(path, []byte(junk), 0o600)
		if !readMarker(path).IsZero() {
			t.Errorf("marker %q read as set", junk)
		}
	}
}
