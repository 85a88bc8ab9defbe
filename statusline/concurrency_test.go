package statusline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// The test binary doubles as `cgmtop status` and as the background sync it
// starts, so the concurrency test runs real processes and real locks.
const (
	envRole = "STATUSLINE_TEST_ROLE"
	envRoot = "STATUSLINE_TEST_ROOT"
)

func TestMain(m *testing.M) {
	switch os.Getenv(envRole) {
	case "status":
		os.Exit(helperStatus())
	case "sync":
		os.Exit(helperSync())
	}
	os.Exit(m.Run())
}

// helperStatus is one `cgmtop status --format json`, whose spawn starts this
// binary again as a detached fake sync.
func helperStatus() int {
	root := os.Getenv(envRoot)
	p := config.Under(root)
	// Wait at the start line (the test holds the gate's lock until every
	// caller is up), so the callers race for real rather than in the order
	// they happened to be started.
	gate := flock.New(filepath.Join(root, "gate"))
	if err := gate.RLock(); err != nil {
		return 3
	}
	gate.Unlock()
	return Run(context.Background(), Options{
		Paths: p, Account: "default", Config: config.Default(), Format: JSON,
		Spawn: func() error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			os.Setenv(envRole, "sync")
			return startDetached(exe, "-test.run=^$")
		},
	}, os.Stdout)
}

// helperSync behaves like `cgmtop sync --background`: it takes the sync
// engine's lock, records that it started, and holds the lock until the test
// lets it finish; then it writes a fresh snapshot.
func helperSync() int {
	root := os.Getenv(envRoot)
	p := config.Under(root)
	lock := flock.New(p.Lock("default", "sync"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if ok, err := lock.TryLockContext(ctx, 10*time.Millisecond); !ok || err != nil {
		return 1
	}
	defer lock.Unlock()
	logLine(root, "start")
	for ctx.Err() == nil {
		if _, err := os.Stat(filepath.Join(root, "release")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	n := time.Now()
	f := cache.Freshness{
		Latest:   client.Reading{Time: n, Value: 120, Status: client.StatusOK, Trend: client.TrendFlat},
		Previous: client.Reading{Time: n.Add(-5 * time.Minute), Value: 118, Status: client.StatusOK, Trend: client.TrendFlat},
		Sync:     cache.SyncStatus{LastAttempt: n, LastSuccess: n, NextPoll: n.Add(5 * time.Minute)},
	}
	if err := WriteSnapshot(SnapshotPath(p, "default"), f); err != nil {
		return 1
	}
	logLine(root, "done")
	return 0
}

func logLine(root, line string) {
	f, err := os.OpenFile(filepath.Join(root, "sync.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	fmt.Fprintln(f, line)
	f.Close()
}

// 200 `status` processes at once, while a writer keeps replacing the
// snapshot: every one prints a sound line and exits 0, and exactly one
// background sync starts.
func TestConcurrentStatusProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 200 processes")
	}
	root := t.TempDir()
	p := config.Under(root)
	opts := Options{Paths: p, Account: "default"}
	markLoggedIn(t, opts)
	n := time.Now()
	stale := cache.Freshness{
		Latest: client.Reading{Time: n.Add(-time.Hour), Value: 112, Status: client.StatusOK, Trend: client.TrendFlat},
		Sync:   cache.SyncStatus{LastAttempt: n.Add(-10 * time.Minute), LastSuccess: n.Add(-10 * time.Minute)},
	}
	snap := SnapshotPath(p, "default")
	if err := WriteSnapshot(snap, stale); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	writerDone := make(chan int)
	go func() { // the sync engine's writes, as fast as they come
		writes := 0
		for {
			select {
			case <-stop:
				writerDone <- writes
				return
			default:
			}
			if err := WriteSnapshot(snap, stale); err != nil {
				t.Error(err)
			}
			writes++
		}
	}()

	const callers = 200
	cmds := make([]*exec.Cmd, callers)
	outs := make([]bytes.Buffer, callers)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^$")
		cmds[i].Env = append(os.Environ(), envRole+"=status", envRoot+"="+root)
		cmds[i].Stdout = &outs[i]
	}
	gate := flock.New(filepath.Join(root, "gate"))
	if err := gate.Lock(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatalf("start caller %d: %v", i, err)
		}
	}
	gate.Unlock()
	errs := make([]error, callers)
	for i, c := range cmds {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.Wait() }()
	}
	wg.Wait()
	close(stop)
	t.Logf("the writer replaced the snapshot %d times meanwhile", <-writerDone)

	for i := range cmds {
		if errs[i] != nil {
			t.Errorf("caller %d: %v", i, errs[i])
			continue
		}
		var v struct{ Status, Text string }
		if err := json.Unmarshal(outs[i].Bytes(), &v); err != nil || v.Status != string(StateStale) {
			t.Errorf("caller %d printed %q (%v)", i, outs[i].String(), err)
		}
	}

	// Let the one sync finish, then count.
	if err := os.WriteFile(filepath.Join(root, "release"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var log string
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(root, "sync.log"))
		if log = string(b); strings.Contains(log, "done") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := strings.Count(log, "start"); got != 1 {
		t.Fatalf("%d background syncs started, want exactly 1 (log %q)", got, log)
	}
	if !strings.Contains(log, "done") {
		t.Fatal("the background sync never finished")
	}

	// Its snapshot is what status now shows, and nothing more is started.
	var out bytes.Buffer
	spawned := false
	code := Run(context.Background(), Options{Paths: p, Account: "default", Config: config.Default(), Format: JSON,
		Spawn: func() error { spawned = true; return nil }}, &out)
	var v struct{ Status string }
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.Status != string(StateOK) || code != 0 || spawned {
		t.Errorf("after the sync: %q exit %d spawned %v", out.String(), code, spawned)
	}
}

// Status calls that read the database (no snapshot yet) while a sync
// commits to it: every call reads a sound line.
func TestRunReadsDatabaseWhileWriting(t *testing.T) {
	var spawns int
	opts := runOpts(t, &spawns)
	opts.Spawn = func() error { return nil }
	opts.NoSync = true
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	writeDB(t, opts, base, 2, cache.SyncStatus{LastAttempt: base})

	ctx := context.Background()
	db, err := cache.Open(ctx, opts.Paths.Database(opts.Account))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			ts := base.Add(time.Duration(i) * 5 * time.Minute)
			if _, err := db.PutReadings(ctx, []client.Reading{{Time: ts, DisplayTime: ts, Value: 100, Status: client.StatusOK, Trend: client.TrendFlat}}); err != nil {
				done <- err
				return
			}
			if err := db.PutSyncStatus(ctx, cache.SyncStatus{LastAttempt: ts, LastSuccess: ts}); err != nil {
				done <- err
				return
			}
		}
	}()
	opts.Now = time.Time{}
	var wg sync.WaitGroup
	lines := make([]string, 50)
	for i := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			Run(ctx, opts, &out)
			lines[i] = out.String()
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		if strings.HasPrefix(l, "cgm:") || strings.Count(l, "\n") != 1 {
			t.Errorf("call %d printed %q", i, l)
		}
	}
}
