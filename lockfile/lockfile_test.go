package lockfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Each Take opens the file anew, so two in one process contend exactly
// as two processes do (flock locks belong to the open file).
func TestTakeAndHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "refresh.lock")
	if held, err := Held(path); err != nil || held {
		t.Fatalf("Held on a free lock = %v, %v", held, err)
	}
	unlock, err := Take(context.Background(), path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file %v, %v: want mode 0600", fi, err)
	}
	if held, err := Held(path); err != nil || !held {
		t.Fatalf("Held while taken = %v, %v", held, err)
	}

	start := time.Now()
	if _, err := Take(context.Background(), path, 100*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Take: %v, want ErrBusy", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("second Take gave up after %v, before its wait", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Take(ctx, path, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take with an ended context: %v, want context.Canceled", err)
	}

	// Let go while another waits: the waiter gets it.
	got := make(chan error, 1)
	go func() {
		u, err := Take(context.Background(), path, 5*time.Second)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("waiter after unlock: %v", err)
	}
	if held, err := Held(path); err != nil || held {
		t.Fatalf("Held after both let go = %v, %v", held, err)
	}
}

// A lock that cannot be taken at all says why at once, rather than
// waiting out the limit and blaming another process.
func TestTakeReportsFileErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "refresh.lock")
	start := time.Now()
	_, err := Take(context.Background(), path, 5*time.Second)
	if err == nil || errors.Is(err, ErrBusy) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Take in a missing folder: err = %v, want the file's error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: a file error is not worth waiting for", d)
	}
}
