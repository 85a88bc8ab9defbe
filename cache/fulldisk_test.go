package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenOnAFullDisk opens an existing cache on a real, full filesystem
// (a small tmpfs, filled up), as the monitor does when it starts there.
// SQLite reports a bare I/O error; the cache must name it "disk full" and
// return. It once recursed without end instead (fail → diagnose says full →
// fail on the same SQLite error again…), creating and deleting a probe
// file hundreds of times a second while the monitor's screen stayed blank.
// It needs root (mount); CI runs it as root in its container.
func TestOpenOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	ctx := context.Background()
	path := filepath.Join(dir, "accounts", "default", "cache.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutReadings(ctx, sampleReadings(500, at(0))); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for block := make([]byte, 4096); ; {
		if _, err := f.Write(block); err != nil {
			break
		}
	}
	f.Close()

	type result struct {
		db  *DB
		err error
	}
	done := make(chan result, 1)
	go func() {
		db, err := Open(ctx, path)
		done <- result{db, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second): // a guard against the endless loop, not a timing
		t.Fatal("Open on a full disk did not return in 30 s")
	}
	if r.err == nil {
		// SQLite needed no room to open it: then reading works, and a write
		// must say the disk is full.
		defer r.db.Close()
		if _, err := r.db.PutReadings(ctx, sampleReadings(5000, at(6000))); !errors.Is(err, ErrDiskFull) {
			t.Fatalf("a write on a full disk: %v, want ErrDiskFull", err)
		}
		return
	}
	t.Logf("error: %v", r.err)
	if !errors.Is(r.err, ErrDiskFull) {
		t.Errorf("Open on a full disk: %v, want an error matching ErrDiskFull", r.err)
	}
	// What is cached can still be read (the monitor shows it read-only,
	// export and report work): a reader needs no room.
	reader, err := OpenReader(ctx, path)
	if err != nil {
		t.Fatalf("OpenReader on a full disk: %v", err)
	}
	if got, err := reader.Readings(ctx, at(-1000), at(10000)); err != nil || len(got) != 500 {
		t.Errorf("reading on a full disk: %d readings, %v; want the 500 saved before", len(got), err)
	}
	reader.Close()
	os.Remove(filler)
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	defer db.Close()
	if got, err := db.Readings(ctx, at(-1000), at(10000)); err != nil || len(got) != 500 {
		t.Fatalf("after freeing space: %d readings, %v; want the 500 saved before", len(got), err)
	}
}
