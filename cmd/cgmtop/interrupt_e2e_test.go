package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// startedCmd is a cgmtop run whose stderr the test reads line by line while
// it runs.
type startedCmd struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	all   strings.Builder // stdout and stderr, as printed
	stdin io.WriteCloser
}

func startCgmtop(t *testing.T, bin string, env []string, args ...string) *startedCmd {
	t.Helper()
	c := &startedCmd{t: t, cmd: exec.Command(bin, args...), lines: make(chan string, 100)}
	c.cmd.Env = env
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.copy(stdout, nil) }()
	go func() { defer wg.Done(); c.copy(stderr, c.lines) }()
	go func() { wg.Wait(); close(c.lines) }()
	return c
}

func (c *startedCmd) copy(r io.Reader, lines chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		c.mu.Lock()
		c.all.WriteString(sc.Text() + "\n")
		c.mu.Unlock()
		if lines != nil {
			lines <- sc.Text()
		}
	}
}

// waitLine returns the first line on stderr that re matches. The limit
// guards against a hang only.
func (c *startedCmd) waitLine(re *regexp.Regexp) string {
	c.t.Helper()
	limit := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("ended before printing %q:\n%s", re, c.output())
			}
			if re.MatchString(l) {
				return l
			}
		case <-limit:
			c.t.Fatalf("waited 60s for %q:\n%s", re, c.output())
		}
	}
}

func (c *startedCmd) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.all.String()
}

// interrupt sends SIGINT, as Ctrl+C does, and returns the exit code.
func (c *startedCmd) interrupt() int {
	c.t.Helper()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		c.t.Fatal(err)
	}
	for range c.lines {
	}
	code, ok := exitCode(c.cmd.Wait())
	if !ok {
		c.t.Fatalf("killed rather than exiting on SIGINT:\n%s", c.output())
	}
	return code
}

var rateLimitNotice = regexp.MustCompile(`^Dexcom is rate limiting: trying again in 30 s \(at \d\d:\d\d:\d\d\); Ctrl\+C stops\.$`)

// TestOneShotsSayWhenRateLimited: Dexcom answers 429 with a Retry-After
// short enough to wait out (here 30 s, up to three times: 90 s). `cgmtop
// login`'s first sync and `cgmtop sync` used to sit silent all that time;
// now each says at once on stderr who is rate limiting and when it asks
// again, shows no glucose, and Ctrl+C ends it with exit code 130 and what
// was kept.
func TestOneShotsSayWhenRateLimited(t *testing.T) {
	e := newE2EEnv(t, 5)
	e.srv.Inject(emulator.Fault{Endpoint: "egvs", Kind: emulator.RateLimit, Count: -1, RetryAfter: 30 * time.Second})

	login := startCgmtop(t, e.bin, e.env, "login", "--api-url", e.srv.URL(), "--client-id", emulator.DefaultClientID,
		"--redirect-uri", e.redirect, "--no-browser", "--token-store", "file")
	authURL := login.waitLine(regexp.MustCompile(`http://127\.0\.0\.1:\d+/v2/oauth2/login\?\S+`))
	fmt.Fprintln(login.stdin, approve(t, strings.TrimSpace(authURL)))
	start := time.Now()
	notice := login.waitLine(rateLimitNotice)
	t.Logf("login said %q %v after the code was pasted", notice, time.Since(start).Round(time.Millisecond))
	if code := login.interrupt(); code != exitInterrupted {
		t.Errorf("interrupted login's first sync: exit %d, want %d\n%s", code, exitInterrupted, login.output())
	}
	if out := login.output(); !strings.Contains(out, "first sync interrupted: the login is kept") || strings.Contains(out, "context canceled") {
		t.Errorf("interrupted first sync said:\n%s", out)
	}

	sync := startCgmtop(t, e.bin, e.env, "sync")
	start = time.Now()
	notice = sync.waitLine(rateLimitNotice)
	t.Logf("sync said %q %v after it started", notice, time.Since(start).Round(time.Millisecond))
	if code := sync.interrupt(); code != exitInterrupted {
		t.Errorf("interrupted sync: exit %d, want %d\n%s", code, exitInterrupted, sync.output())
	}
	out := sync.output()
	if !strings.Contains(out, "cgmtop: sync interrupted") || strings.Contains(out, "context canceled") {
		t.Errorf("interrupted sync said:\n%s", out)
	}
	if _, ok := glucoseValue(out); ok {
		t.Errorf("sync printed a glucose value:\n%s", out)
	}
}

// TestInterruptedLoginStoresNothing: Ctrl+C while the login waits for the
// browser says "login cancelled", not "context canceled", exits 130 like
// every interrupted command, and leaves no login, marker or settings.
func TestInterruptedLoginStoresNothing(t *testing.T) {
	e := newE2EEnv(t, 6)
	login := startCgmtop(t, e.bin, e.env, "login", "--api-url", e.srv.URL(), "--client-id", emulator.DefaultClientID,
		"--redirect-uri", e.redirect, "--no-browser", "--token-store", "file")
	login.waitLine(regexp.MustCompile(`http://127\.0\.0\.1:\d+/v2/oauth2/login\?\S+`))
	if code := login.interrupt(); code != exitInterrupted {
		t.Errorf("interrupted login: exit %d, want %d", code, exitInterrupted)
	}
	out := login.output()
	if !strings.Contains(out, "\ncgmtop: login cancelled: nothing was stored\n") || strings.Contains(out, "context canceled") {
		t.Errorf("interrupted login said:\n%s", out)
	}
	for _, name := range []string{"token.json", "login.json", "config.toml", "cache.db"} {
		if p := e.find(name); p != "" {
			t.Errorf("an interrupted login left %s", p)
		}
	}
	if out := e.cgmtop("status", "--no-sync"); !strings.Contains(out, "not logged in") {
		t.Errorf("status after an interrupted login: %q", out)
	}
}

// TestCtrlCAtAHiddenPrompt: Ctrl+C at `cgmtop login share`'s hidden
// password prompt, in a real terminal. The read blocked in the terminal
// used to outlive the signal: nothing happened until Enter, and a second
// Ctrl+C left the terminal with its echo off. Now the login ends at once,
// says so, exits 130 and gives the terminal its echo back.
func TestCtrlCAtAHiddenPrompt(t *testing.T) {
	e := newE2EEnv(t, 7)
	env := append(e.env, "CGMTOP_SHARE_PASSWORD=")
	tm := startTmux(t, env, 100, 20, fmt.Sprintf("%s login share --share-url %s --region us --username demo --token-store file; echo EXIT $?; stty -a | grep -o -- ' -*echo ' | head -1; echo DONE",
		e.bin, e.srv.URL()))
	tm.waitFor("the password prompt", func(s string) bool { return strings.Contains(s, "Dexcom password (hidden):") })
	tm.keys("C-c")
	s, _ := tm.waitFor("the login to end", func(s string) bool { return strings.Contains(s, "DONE") })
	for _, want := range []string{"cgmtop: login cancelled: nothing was stored", fmt.Sprintf("EXIT %d", exitInterrupted), "\n echo\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if p := e.find("config.toml"); p != "" {
		t.Errorf("an interrupted login wrote %s", p)
	}
}
