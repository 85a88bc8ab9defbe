package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// e2eEnv is an isolated home logged in to an emulator listening on a fixed
// address, so a test can replace the emulator under a running cgmtop.
type e2eEnv struct {
	t        *testing.T
	bin      string
	env      []string
	home     string
	addr     string
	redirect string
	srv      *emulator.Server
}

func newE2EEnv(t *testing.T, seed int64) *e2eEnv {
	e := &e2eEnv{t: t, bin: cgmtopBinary(t)}
	e.env = append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
	e.home = strings.TrimPrefix(e.env[0], "HOME=")
	e.addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	e.redirect = fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	e.startEmulator(seed)
	return e
}

// startEmulator (re)starts the emulator at the fixed address. A new one
// knows none of the old one's tokens: to cgmtop the login has expired.
func (e *e2eEnv) startEmulator(seed int64) {
	if e.srv != nil {
		e.srv.Close()
	}
	srv, err := emulator.StartAt(emulator.Config{Seed: seed, RedirectURI: e.redirect}, e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
	e.t.Cleanup(func() { srv.Close() })
}

func (e *e2eEnv) login() { pasteLogin(e.t, e.bin, e.env, e.srv.URL(), e.redirect) }

// cgmtop runs the binary and returns what it printed, whatever its exit.
func (e *e2eEnv) cgmtop(args ...string) string {
	out, _ := cgmtopCombined(e.t, e.bin, e.env, nil, args...)
	return out
}

// find returns the path of the file called name under the home, or "".
func (e *e2eEnv) find(name string) string {
	var found string
	filepath.WalkDir(e.home, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == name {
			found = path
		}
		return nil
	})
	return found
}

// TestMonitorFollowsLogoutAndLogin is issue 11's fifth point with real
// processes: a monitor runs in tmux while `cgmtop logout` and `cgmtop
// login` run beside it. After the logout the monitor says so within
// seconds, stops syncing and leaves no status snapshot behind (status says
// "not logged in", not a reading); a new login brings the readings back.
// Then the login expires under it (the emulator is replaced, so it knows
// none of the tokens) and a fresh login is picked up too.
func TestMonitorFollowsLogoutAndLogin(t *testing.T) {
	e := newE2EEnv(t, 3)
	e.login()
	snapshot := e.find("status.json")
	if snapshot == "" {
		t.Fatal("login wrote no status snapshot")
	}
	tm := startTmux(t, e.env, 100, 30, e.bin)
	tm.waitFor("a reading", func(s string) bool { _, ok := glucoseValue(s); return ok })

	start := time.Now()
	if out := e.cgmtop("logout"); !strings.Contains(out, "Removed") {
		t.Fatalf("logout: %s", out)
	}
	_, took := tm.waitFor("the monitor to say it is logged out", func(s string) bool { return strings.Contains(s, "logged out") })
	t.Logf("logout reached the monitor in %v", took.Round(10*time.Millisecond))
	// Two looks of the monitor later, nothing came back.
	time.Sleep(2 * followEvery)
	if _, err := os.Stat(snapshot); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the status snapshot is back after logout: %v", err)
	}
	if out := e.cgmtop("status", "--no-sync"); !strings.Contains(out, "not logged in") {
		t.Errorf("status after logout under a running monitor: %q", out)
	}
	egvs := e.srv.Stats()["egvs"]

	e.login()
	start = time.Now()
	tm.waitFor("readings again after the new login", func(s string) bool {
		_, ok := glucoseValue(s)
		return ok && !strings.Contains(s, "logged out")
	})
	t.Logf("a login after logout reached the monitor in %v", time.Since(start).Round(10*time.Millisecond))
	if e.srv.Stats()["egvs"] <= egvs+1 { // login's own first sync is one
		t.Errorf("the monitor did not sync after the new login (egvs %d → %d)", egvs, e.srv.Stats()["egvs"])
	}
	if out := e.cgmtop("status", "--no-sync"); strings.Contains(out, "not logged in") || strings.Contains(out, "cgm:") {
		t.Errorf("status after the new login: %q", out)
	}

	// The login expires under the monitor: a new server knows no token.
	// Its next pass (forced by the monitor's restart) says so; a fresh
	// login must then be picked up without restarting the monitor.
	tm.quit()
	e.startEmulator(3)
	tm = startTmux(t, e.env, 100, 30, e.bin)
	tm.waitFor("login expired", func(s string) bool { return strings.Contains(s, "login expired") })
	e.login()
	start = time.Now()
	tm.waitFor("readings without the login error after a fresh login", func(s string) bool {
		_, ok := glucoseValue(s)
		return ok && !strings.Contains(s, "login expired")
	})
	t.Logf("a login after 'login expired' reached the monitor in %v", time.Since(start).Round(10*time.Millisecond))
	tm.quit()
}

// TestMonitorTakesOverFromDeadDaemon: a monitor beside `cgmtop sync
// --daemon` (real processes) does not sync while the daemon holds the lock;
// when the daemon is killed (SIGKILL: no clean exit), the monitor's engine
// holds the lock within seconds.
func TestMonitorTakesOverFromDeadDaemon(t *testing.T) {
	e := newE2EEnv(t, 4)
	e.login()
	daemon := exec.Command(e.bin, "sync", "--daemon")
	daemon.Env = e.env
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Process.Kill(); daemon.Wait() })
	lock := ""
	for deadline := time.Now().Add(30 * time.Second); lock == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		lock = e.find("sync.lock")
	}
	held := func() bool {
		l := flock.New(lock)
		ok, err := l.TryRLock()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			l.Unlock()
		}
		return !ok
	}
	for deadline := time.Now().Add(30 * time.Second); !held(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the daemon never took the sync lock")
		}
	}
	tm := startTmux(t, e.env, 100, 30, e.bin)
	tm.waitFor("a reading", func(s string) bool { _, ok := glucoseValue(s); return ok })

	daemon.Process.Signal(syscall.SIGKILL)
	daemon.Wait()
	killed := time.Now()
	for !held() {
		if time.Since(killed) > 30*time.Second {
			t.Fatal("the monitor did not take the sync lock within 30 s of the daemon dying")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the monitor held the sync lock %v after the daemon was killed", time.Since(killed).Round(10*time.Millisecond))
	tm.quit()
}

// TestDaemonStopsAtLogout: `cgmtop sync --daemon` notices `cgmtop logout`
// within seconds, exits 0 (a service manager must not restart it) and
// leaves no status snapshot behind.
func TestDaemonStopsAtLogout(t *testing.T) {
	e := newE2EEnv(t, 5)
	e.login()
	snapshot := e.find("status.json")
	daemon := exec.Command(e.bin, "sync", "--daemon")
	daemon.Env = e.env
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- daemon.Wait() }()
	t.Cleanup(func() { daemon.Process.Kill() })
	time.Sleep(time.Second) // let it take the lock and make its first pass
	if out := e.cgmtop("logout"); !strings.Contains(out, "Removed") {
		t.Fatalf("logout: %s", out)
	}
	start := time.Now()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the daemon exited with %v after logout, want 0", err)
		}
		t.Logf("the daemon stopped %v after logout", time.Since(start).Round(10*time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon still runs 30 s after logout")
	}
	if _, err := os.Stat(snapshot); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the status snapshot is back after logout: %v", err)
	}
}

// TestWrongClockOnScreen is the clock acceptance with real processes: the
// server's clock an hour ahead of this computer's (this computer's clock an
// hour behind), then two hours behind it. The login's first sync and the
// monitor get the newest readings, which are "from the future" to this
// computer; the monitor shows the newest as minutes old, not stale, and
// says the clock is off, and so does `cgmtop status`.
func TestWrongClockOnScreen(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration // server minus this computer
		words  string
	}{{time.Hour, "1 h behind"}, {-2 * time.Hour, "2 h ahead"}} {
		t.Run(c.words, func(t *testing.T) {
			e := &e2eEnv{t: t, bin: cgmtopBinary(t)}
			e.env = append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
			e.home = strings.TrimPrefix(e.env[0], "HOME=")
			e.redirect = fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
			srv, err := emulator.Start(emulator.Config{Seed: 6, RedirectURI: e.redirect, UploadLag: time.Minute,
				Clock: clock.NewScaled(time.Now().Add(c.offset), 1)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			e.srv = srv
			e.login()
			tm := startTmux(t, e.env, 100, 30, e.bin)
			screen, _ := tm.waitFor("a reading and the clock warning", func(s string) bool {
				_, ok := glucoseValue(s)
				return ok && strings.Contains(s, c.words)
			})
			if !freshAge.MatchString(screen) || strings.Contains(screen, "no data") {
				t.Errorf("the newest reading is not shown as minutes old:\n%s", screen)
			}
			out := e.cgmtop("status", "--no-sync")
			if !strings.Contains(out, "(clock "+c.words+")") || !statusFresh.MatchString(out) {
				t.Errorf("status with the clock %s: %q", c.words, out)
			}
			t.Logf("clock %s: status %q", c.words, strings.TrimSpace(out))
			tm.quit()
		})
	}
}

var (
	// freshAge is the monitor's age of a reading under 10 minutes old.
	freshAge = regexp.MustCompile(`(just now|\b[0-9] min ago)`)
	// statusFresh is status's age under 10 minutes, not stale ("?").
	statusFresh = regexp.MustCompile(`^[0-9.]+ \S+( [+-±][0-9.]+)? (now|[0-9]m) `)
)
