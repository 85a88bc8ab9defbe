//go:build unix

package cache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPermissions opens a cache under the loosest umask and checks that
// the folder is 0700 and the database, its -wal and -shm are 0600, for the
// writer and for a reader that creates -wal/-shm itself; files left loose
// by something else are tightened.
func TestPermissions(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data", "accounts", "default")
	path := filepath.Join(dir, "cache.db")

	check := func(stage string, want map[string]os.FileMode) {
		t.Helper()
		for p, mode := range want {
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", stage, err)
				continue
			}
			if fi.Mode().Perm() != mode {
				t.Errorf("%s: %s mode %v, want %v", stage, filepath.Base(p), fi.Mode().Perm(), mode)
			}
		}
	}
	private := map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutReadings(ctx, sampleReadings(10, at(0))); err != nil {
		t.Fatal(err)
	}
	check("writer open", private)
	db.Close()

	// With no writer running, a reader creates -wal and -shm itself.
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	r, err := OpenReader(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Freshness(ctx); err != nil {
		t.Fatal(err)
	}
	check("reader open", private)
	r.Close()

	// Loosened by hand (a restore from backup, say): Open tightens.
	for p := range private {
		os.Chmod(p, 0o755)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	check("reopened after loosening", private)
	db.Close()
}

// TestReadOnlyPermissions covers a read-only folder and file. Root ignores
// permission bits, so it skips there; TestUnwritablePlaces covers what root
// cannot write either.
func TestReadOnlyPermissions(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores permission bits")
	}
	ctx := context.Background()

	t.Run("folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
		path := filepath.Join(dir, "cache.db")
		_, err := Open(ctx, path)
		t.Logf("error: %v", err)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "writable") {
			t.Fatalf("err = %v, want one naming %s and saying to make it writable", err, path)
		}
	})

	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cache.db")
		filledCache(t, path, 10)
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(path, 0o600)
		// Open must fail at once, not at the first sync.
		db, err := Open(ctx, path)
		if err == nil {
			db.Close()
		}
		t.Logf("error: %v", err)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "writable") {
			t.Fatalf("err = %v, want one naming %s and saying to make it writable", err, path)
		}
	})
}
