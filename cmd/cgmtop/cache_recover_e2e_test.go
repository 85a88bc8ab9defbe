package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testio"
)

// scribble overwrites pages of the SQLite file at path past its header with
// random bytes, as a failing disk or a stray write would: the file still
// opens, and reading it says it is malformed.
func scribble(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 50*4096)
	rand.Read(junk)
	if _, err := f.WriteAt(junk, 4096); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// statusValue is `cgmtop status --format json`'s value, or nil.
func statusValue(t *testing.T, env []string) (*float64, string) {
	t.Helper()
	out, _, _ := runCgmtop(t, env, "status", "--no-sync", "--format", "json")
	var st struct {
		Value *float64 `json:"value"`
		Text  string   `json:"text"`
	}
	json.Unmarshal([]byte(out), &st)
	return st.Value, st.Text
}

// loggedInHome is an isolated home logged in to a Dexcom emulator (seed)
// with the binary under test. The emulator runs until the test ends; a
// test that closes it first has Dexcom unreachable, so a sync retries
// within seconds instead of waiting out the sensor's five minutes.
func loggedInHome(t *testing.T, seed int64) (bin string, env []string, srv *emulator.Server) {
	t.Helper()
	bin = cgmtopBinary(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: seed, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	env = isolatedEnv(t)
	pasteLogin(t, bin, append(env, "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret), srv.URL(), redirect)
	return bin, env, srv
}

// cachePath is the default account's cache file in env's home.
func cachePath(env []string) string {
	return filepath.Join(envValue(env, "XDG_DATA_HOME"), "cgmtop", "accounts", "default", "cache.db")
}

// daemonProc is a running `cgmtop sync --daemon`.
type daemonProc struct {
	cmd    *exec.Cmd
	out    testio.Buffer // its stdout and stderr so far
	exited chan error
}

// startDaemon starts `cgmtop sync --daemon` in env; the test stops it.
func startDaemon(t *testing.T, bin string, env []string) *daemonProc {
	t.Helper()
	d := &daemonProc{cmd: exec.Command(bin, "sync", "--daemon"), exited: make(chan error, 1)}
	d.cmd.Env = env
	d.cmd.Stdout, d.cmd.Stderr = &d.out, &d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	return d
}

// stop sends the daemon SIGTERM and returns how it exited; one still
// running 10 s later is killed.
func (d *daemonProc) stop() error {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.exited:
		return err
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
		<-d.exited
		return errors.New("still running 10 s after SIGTERM")
	}
}

// TestDaemonFollowsARebuiltCache: the cache is scribbled on while `cgmtop
// sync --daemon` runs, and the user applies doctor's fix, `cgmtop sync`,
// which moves the damaged file aside and starts a fresh one. The daemon
// holds the sync lock, so that sync cannot refill it: the daemon must
// notice the new file and refill it, not keep writing to the damaged one
// (the status line said "no data yet" until the daemon was restarted).
func TestDaemonFollowsARebuiltCache(t *testing.T) {
	bin, env, _ := loggedInHome(t, 11)
	daemon := startDaemon(t, bin, env)
	defer func() {
		if err := daemon.stop(); err != nil {
			t.Errorf("daemon after SIGTERM: %v\n%s", err, daemon.out.String())
		}
	}()
	time.Sleep(1500 * time.Millisecond) // the daemon's first pass, on a fresh cache: nothing due

	db := cachePath(env)
	scribble(t, db)
	out, _ := doctorRun(t, bin, env, "--offline")
	wantLines(t, out, [3]string{"FAIL", "cache", "the cache is damaged"})
	if b, err := runCombined(t, bin, env, "", "sync"); err != nil {
		t.Fatalf("doctor's fix, cgmtop sync: %v\n%s", err, b)
	}
	aside, _ := filepath.Glob(db + ".corrupt-*")
	if len(aside) == 0 {
		t.Fatalf("cgmtop sync moved nothing aside")
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		v, text := statusValue(t, env)
		if v != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after the cache was rebuilt, status still says %q: the daemon did not refill it\n%s", text, daemon.out.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
	out, code := doctorRun(t, bin, env, "--offline")
	if code != 0 {
		t.Errorf("doctor after the recovery: exit %d\n%s", code, out)
	}
}

// TestDaemonRecoversADamagedCache: the cache is damaged under a running
// daemon, and nobody runs anything. The daemon's next pass finds the
// damage; it must move the file aside and start afresh by itself (as it
// does when it starts on a damaged file), not fail every pass saying
// "restart cgmtop". Dexcom is unreachable here, so the daemon retries
// within seconds instead of waiting out the sensor's five minutes.
func TestDaemonRecoversADamagedCache(t *testing.T) {
	bin, env, srv := loggedInHome(t, 12)
	srv.Close()

	daemon := startDaemon(t, bin, env)
	defer daemon.stop()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(daemon.out.String(), "offline") {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon never said offline:\n%s", daemon.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	db := cachePath(env)
	scribble(t, db)

	deadline = time.Now().Add(40 * time.Second)
	for {
		if aside, _ := filepath.Glob(db + ".corrupt-*"); len(aside) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("40 s after the damage, the daemon has not moved the cache aside:\n%s", daemon.out.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		out, code := doctorRun(t, bin, env, "--offline")
		if !strings.Contains(out, "damaged") && strings.Contains(out, "cache     default: sound") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("doctor after the daemon's recovery: exit %d\n%s", code, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestMonitorFollowsARebuiltCache is TestDaemonFollowsARebuiltCache with a
// monitor open beside the daemon: once the cache is rebuilt and refilled,
// the monitor must read the new file, not keep showing the damaged one's
// error (or its old reading, going stale) until it is restarted.
func TestMonitorFollowsARebuiltCache(t *testing.T) {
	bin, env, _ := loggedInHome(t, 13)
	daemon := startDaemon(t, bin, env)
	defer daemon.stop()
	tm := startTmux(t, env, 100, 30, bin)
	tm.waitFor("the monitor's reading", func(s string) bool { return strings.Contains(s, "synced") && strings.Contains(s, "in range") })

	db := cachePath(env)
	scribble(t, db)
	tm.keys("a") // the AGP screen reads the whole period: it meets the damage
	time.Sleep(time.Second)
	tm.keys("Escape")
	if b, err := runCombined(t, bin, env, "", "sync"); err != nil {
		t.Fatalf("doctor's fix, cgmtop sync: %v\n%s", err, b)
	}
	deadline := time.Now().Add(20 * time.Second)
	for v, text := statusValue(t, env); v == nil; v, text = statusValue(t, env) {
		if time.Now().After(deadline) {
			t.Fatalf("status still says %q", text)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The daemon refilled the new file; the monitor must be reading it.
	s, took := tm.waitFor("the monitor on the rebuilt cache", func(s string) bool {
		return !strings.Contains(s, "damaged") && !strings.Contains(s, "STALE") && !strings.Contains(s, "no readings")
	})
	t.Logf("monitor back on the rebuilt cache after %v:\n%s", took, s)
	// Looking the same is not enough: the damaged file's old reading looks
	// fine for 15 minutes. The monitor must have let go of the moved file.
	pid := strings.TrimSpace(tm.run("display-message", "-p", "-t", "t", "#{pane_pid}"))
	deadline = time.Now().Add(10 * time.Second)
	for {
		held := openCorrupt(pid)
		if held == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after the rebuild the monitor still reads %s", held)
		}
		time.Sleep(250 * time.Millisecond)
	}
	tm.keys("a")
	tm.waitFor("the AGP screen on the rebuilt cache", func(s string) bool {
		return strings.Contains(s, "in range") && !strings.Contains(s, "damaged") && !strings.Contains(s, "malformed")
	})
}

// openCorrupt is a cache file moved aside that process pid still has open
// ("" when none), from /proc.
func openCorrupt(pid string) string {
	fds, _ := filepath.Glob("/proc/" + pid + "/fd/*")
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.Contains(target, ".corrupt-") {
			return target
		}
	}
	return ""
}

// TestMonitorRecoversADamagedCache: a monitor alone (it syncs) finds the
// cache damaged on its next pass. It must move the file aside, start afresh
// and let go of the damaged file by itself, as the daemon does. Dexcom is
// unreachable, so the monitor's sync retries within seconds.
func TestMonitorRecoversADamagedCache(t *testing.T) {
	bin, env, srv := loggedInHome(t, 14)
	srv.Close()

	tm := startTmux(t, env, 100, 30, bin)
	tm.waitFor("the monitor offline", func(s string) bool { return strings.Contains(s, "offline") })
	db := cachePath(env)
	scribble(t, db)

	pid := strings.TrimSpace(tm.run("display-message", "-p", "-t", "t", "#{pane_pid}"))
	deadline := time.Now().Add(45 * time.Second)
	for {
		aside, _ := filepath.Glob(db + ".corrupt-*")
		if len(aside) > 0 && openCorrupt(pid) == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("45 s after the damage: moved aside %v, monitor holds %q\n%s", aside, openCorrupt(pid), tm.screen())
		}
		time.Sleep(250 * time.Millisecond)
	}
	if tm.paneDead() {
		t.Fatalf("the monitor exited:\n%s", tm.screen())
	}
}
