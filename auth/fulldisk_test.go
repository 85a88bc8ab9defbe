//go:build linux

package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// TestRefreshOnFullDisk is issue 11's "the login survives a full disk",
// on a real full filesystem: the state folder is a small tmpfs, filled up
// before each of 20 refreshes falls due. While it is full, no refresh
// token may be spent (the emulator counts token requests) and the error
// must say "disk full"; once space is freed the same login renews.
// It needs root (mount); CI runs it as root in its container.
func TestRefreshOnFullDisk(t *testing.T) {
	env := newEnv(t, emulator.Config{Clock: clock.NewManual(time.Now())})
	clk := env.emu.Config().Clock.(*clock.Manual)
	state := env.paths.StateDir
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", state, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(state, syscall.MNT_DETACH) })

	store := loggedIn(t, env)
	ctx := testContext(t)
	ts := NewTokenSource(store, dexcom.OAuthConfig(env.emu.URL(), "", "", ""), dexcom.NewHTTPClient(), env.lockPath(), clk)
	if _, err := ts.Token(ctx); err != nil {
		t.Fatal(err)
	}
	const tries = 20
	spentWhileFull := 0
	for try := range tries {
		filler := fill(t, state)
		clk.Advance(2 * time.Hour) // the access token is due for renewal
		before := env.emu.Stats()["token"]
		_, err := ts.Token(ctx)
		if err == nil || !strings.HasPrefix(err.Error(), "disk full: ") {
			t.Fatalf("try %d: Token on a full disk = %v; want an error starting \"disk full: \"", try, err)
		}
		spentWhileFull += env.emu.Stats()["token"] - before
		if _, err := store.Load(ctx); err != nil {
			t.Fatalf("try %d: the stored login is unreadable on a full disk: %v", try, err)
		}

		os.Remove(filler)
		if _, err := ts.Token(ctx); err != nil {
			t.Fatalf("try %d: Token after freeing space: %v", try, err)
		}
		// A new process, on what was saved, carries on.
		if err := apiCall(ctx, env.emu.URL(), NewTokenSource(env.fileStore(), dexcom.OAuthConfig(env.emu.URL(), "", "", ""), dexcom.NewHTTPClient(), env.lockPath(), clk)); err != nil {
			t.Fatalf("try %d: the login is lost after freeing space: %v", try, err)
		}
	}
	if spentWhileFull != 0 {
		t.Errorf("%d refresh tokens spent while the disk was full", spentWhileFull)
	}
	t.Logf("full state disk x%d: login intact after freeing space every time, %d refreshes spent while full", tries, spentWhileFull)
}

// fill writes a file into dir until the filesystem has no room left.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}
