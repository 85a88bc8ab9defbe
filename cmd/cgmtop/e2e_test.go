package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests run the real cgmtop binary, built once per test run,
// in a real terminal: a tmux server on a private socket.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary the end-to-end tests built: each run made a
// 26 MB folder in the temp directory and left it there.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func cgmtopBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cgmtop-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "cgmtop")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// isolatedEnv points every XDG folder and HOME into a temp dir, so a test
// never reads or writes the user's own settings, cache or keyring.
func isolatedEnv(t *testing.T) []string {
	t.Helper()
	root := t.TempDir()
	env := []string{
		"HOME=" + root,
		"XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"XDG_DATA_HOME=" + filepath.Join(root, "data"),
		"XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(root, "cache"),
		"TMPDIR=" + root,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		// A session bus that leads nowhere: with none set, every keyring
		// call would start a dbus-daemon and a gnome-keyring-daemon that
		// outlive the test.
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(root, "no-bus"),
	}
	return env
}

// envValue is the value of key in a KEY=VALUE list.
func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// tmuxTerm is one tmux window on a private server.
type tmuxTerm struct {
	t    *testing.T
	sock string
	env  []string
}

func requireTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
}

// startTmux runs command in a new detached tmux session of the given size.
func startTmux(t *testing.T, env []string, width, height int, command string) *tmuxTerm {
	t.Helper()
	requireTmux(t)
	tm := &tmuxTerm{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock"), env: env}
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), command)
	tm.run("set-option", "-t", "t", "remain-on-exit", "on")
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...)
	cmd.Env = tm.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (tm *tmuxTerm) screen() string { return tm.run("capture-pane", "-p", "-t", "t") }

func (tm *tmuxTerm) keys(keys ...string) {
	tm.run(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

func (tm *tmuxTerm) resize(width, height int) {
	tm.run("resize-window", "-t", "t", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height))
}

// paneDead reports whether the program in the pane has exited.
func (tm *tmuxTerm) paneDead() bool {
	return strings.TrimSpace(tm.run("display-message", "-p", "-t", "t", "#{pane_dead}")) == "1"
}

// waitFor polls the screen until ok accepts it, and returns that screen and
// how long it took. The limit is generous: it guards against a hang, it is
// not a performance assertion (the figures are logged instead).
func (tm *tmuxTerm) waitFor(what string, ok func(screen string) bool) (string, time.Duration) {
	tm.t.Helper()
	start := time.Now()
	var s string
	for time.Since(start) < 60*time.Second {
		s = tm.screen()
		if ok(s) {
			return s, time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.t.Fatalf("waited 60s for %s; screen:\n%s", what, s)
	return "", 0
}

// widest returns the display width of the longest line of a screen.
func widest(screen string) int {
	w := 0
	for _, line := range strings.Split(screen, "\n") {
		if n := len([]rune(line)); n > w {
			w = n
		}
	}
	return w
}
