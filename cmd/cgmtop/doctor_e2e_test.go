package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// wantLines checks that every wanted piece is on some line of out that
// starts with the given mark and topic, e.g. {"FAIL", "cache", "damaged"}.
func wantLines(t *testing.T, out string, want ...[3]string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == w[0] && f[1] == w[1] && strings.Contains(line, w[2]) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no %q %s line saying %q in:\n%s", w[0], w[1], w[2], out)
		}
	}
}

// fixAfter returns the fix printed under the first line containing s.
func fixAfter(out, s string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, s) && i+1 < len(lines) {
			if f := strings.TrimSpace(lines[i+1]); strings.HasPrefix(f, "->") {
				return f
			}
		}
	}
	return ""
}

func TestDoctorFreshMachine(t *testing.T) {
	bin := cgmtopBinary(t)
	env := isolatedEnv(t) // no D-Bus session: no keyring either
	out, code := doctorRun(t, bin, env, "--offline")
	if code != 1 {
		t.Errorf("exit %d, want 1 (nothing is set up)", code)
	}
	wantLines(t, out,
		[3]string{"ok", "settings", "the defaults apply"},
		[3]string{"FAIL", "login", "no account is set up"},
		[3]string{"warn", "keyring", "no OS keyring answers"},
		[3]string{"ok", "terminal", "UTF-8"},
		[3]string{"--", "tmux", "not inside tmux"},
	)
	if fix := fixAfter(out, "no account is set up"); !strings.Contains(fix, "cgmtop login") || !strings.Contains(fix, "cgmtop --demo") {
		t.Errorf("login fix = %q", fix)
	}
	if fix := fixAfter(out, "no OS keyring answers"); !strings.Contains(fix, "--token-store file") {
		t.Errorf("keyring fix = %q, want the file store", fix)
	}

	// A broken settings file is named, with the file to edit.
	cfg := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "cgmtop", "config.toml")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	os.WriteFile(cfg, []byte("units = \"furlongs\"\n"), 0o600)
	out, _ = doctorRun(t, bin, env, "--offline")
	wantLines(t, out, [3]string{"FAIL", "settings", "furlongs"})
	if fix := fixAfter(out, "furlongs"); !strings.Contains(fix, cfg) {
		t.Errorf("settings fix = %q, want the file's path", fix)
	}
}

func TestDoctorHealthyCorruptAndSkewed(t *testing.T) {
	bin := cgmtopBinary(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: 7, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	// The emulator behind a proxy whose Date header runs 10 minutes ahead:
	// to cgmtop, this computer's clock is 10 minutes behind the server's.
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	var skew atomic.Int64 // a time.Duration; requests may still arrive from a sync cgmtop started
	proxy.ModifyResponse = func(r *http.Response) error {
		r.Header.Set("Date", time.Now().Add(time.Duration(skew.Load())).UTC().Format(http.TimeFormat))
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	env := isolatedEnv(t)
	pasteLogin(t, bin, append(env, "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret), front.URL, redirect)

	// Healthy: every check passes, the server answers, the clocks agree.
	out, code := doctorRun(t, bin, env)
	if code != 0 {
		t.Errorf("healthy account: exit %d, want 0\n%s", code, out)
	}
	wantLines(t, out,
		[3]string{"ok", "login", "default: logged in (file"},
		[3]string{"ok", "keyring", "not used"},
		[3]string{"ok", "source", front.URL + " answers and accepts the login"},
		[3]string{"ok", "clock", "agrees with"},
		[3]string{"ok", "cache", "default: sound"},
		[3]string{"ok", "sync", "last sync"},
	)
	if strings.Contains(out, "FAIL") {
		t.Errorf("healthy account has a failure:\n%s", out)
	}

	// Clock 10 minutes off.
	skew.Store(int64(10 * time.Minute))
	out, _ = doctorRun(t, bin, env)
	wantLines(t, out, [3]string{"warn", "clock", "10 min behind " + front.URL})
	if fix := fixAfter(out, "10 min behind"); !strings.Contains(fix, "timedatectl set-ntp true") {
		t.Errorf("clock fix = %q", fix)
	}
	skew.Store(0)

	// --offline asks no server.
	out, _ = doctorRun(t, bin, env, "--offline")
	wantLines(t, out, [3]string{"--", "source", "not asked"})
	if strings.Contains(out, "clock") {
		t.Errorf("--offline still checked the clock against the server:\n%s", out)
	}

	// A corrupt cache: named, and the fix it gives works.
	db := filepath.Join(envValue(env, "XDG_DATA_HOME"), "cgmtop", "accounts", "default", "cache.db")
	garbage := []byte(strings.Repeat("not a database ", 4096))
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = doctorRun(t, bin, env, "--offline")
	if code != 1 {
		t.Errorf("corrupt cache: exit %d, want 1", code)
	}
	wantLines(t, out, [3]string{"FAIL", "cache", "the cache is damaged"})
	fix := fixAfter(out, "the cache is damaged")
	if !strings.Contains(fix, "cgmtop sync") {
		t.Fatalf("cache fix = %q", fix)
	}
	if b, err := runCombined(t, bin, env, "", "sync"); err != nil {
		t.Fatalf("the fix, cgmtop sync: %v\n%s", err, b)
	}
	out, code = doctorRun(t, bin, env, "--offline")
	if code != 0 {
		t.Errorf("after the fix: exit %d, want 0\n%s", code, out)
	}
	wantLines(t, out, [3]string{"ok", "cache", "default: sound"})
}

// TestDoctorTmux runs doctor as if in a pane of a real tmux server: the
// TMUX variable points tmux's client at it, as inside a pane.
func TestDoctorTmux(t *testing.T) {
	bin := cgmtopBinary(t)
	env := isolatedEnv(t)
	tm := startTmux(t, env, 80, 24, "sleep 600")
	inTmux := append(env, "TMUX="+tm.sock+",1,0")

	out, _ := doctorRun(t, bin, inTmux, "--offline")
	wantLines(t, out,
		[3]string{"warn", "tmux", "allow-passthrough is off"},
		[3]string{"--", "tmux", "does not show glucose"},
	)
	if fix := fixAfter(out, "allow-passthrough is off"); !strings.Contains(fix, "set -g allow-passthrough on") {
		t.Errorf("passthrough fix = %q", fix)
	}

	// Follow both fixes; doctor sees them.
	tm.run("set-option", "-g", "allow-passthrough", "on")
	tm.run("set-option", "-g", "status-right", "#(cgmtop status --format tmux) | %H:%M")
	out, _ = doctorRun(t, bin, inTmux, "--offline")
	wantLines(t, out,
		[3]string{"ok", "tmux", "allow-passthrough is on"},
		[3]string{"ok", "tmux", "the status line calls cgmtop"},
	)
}

// TestDoctorFullDisk: the cache's disk is a real 1 MB tmpfs, filled to
// the last byte. doctor said "All good" over it (with a login and a cache,
// which a full disk still lets it read); now it fails on the disk, says
// which folder and what to run, and the other folders' disk is fine. It
// needs root, to mount the tmpfs.
func TestDoctorFullDisk(t *testing.T) {
	bin := cgmtopBinary(t)
	e := newE2EEnv(t, 8)
	e.login()
	data := envValue(e.env, "XDG_DATA_HOME")
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	// The account's cache moves onto the small disk, then the disk fills.
	if out, err := exec.Command("cp", "-a", filepath.Join(data, "cgmtop"), mnt).CombinedOutput(); err != nil {
		t.Skipf("the cache does not fit on a 1 MB disk: %v %s", err, out)
	}
	env := append(slices.Clone(e.env), "XDG_DATA_HOME="+mnt)
	// dd stops, failing, when the disk is full: the findings below say so.
	exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(mnt, "filler"), "bs=4k").Run()

	out, code := doctorRun(t, bin, env, "--offline")
	if code != 1 {
		t.Errorf("exit %d, want 1 (the disk is full)", code)
	}
	wantLines(t, out,
		[3]string{"FAIL", "disk", "the disk of " + filepath.Join(mnt, "cgmtop") + " is full (0 bytes free): cgmtop cannot save the cache"},
		[3]string{"ok", "disk", "free for the logins and the settings"},
	)
	if fix := fixAfter(out, "is full"); !strings.Contains(fix, "df -h "+filepath.Join(mnt, "cgmtop")) {
		t.Errorf("disk fix = %q", fix)
	}
	if strings.Contains(out, "All good") {
		t.Errorf("doctor says all is good on a full disk:\n%s", out)
	}
}
