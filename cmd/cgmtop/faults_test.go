//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/adrg/xdg"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
	"github.com/cgmtop/cgmtop/syncer"
	"github.com/cgmtop/cgmtop/tui"
)

// TestFaultWords is issue 11's "every state named truly": each fault the
// emulator can inject (and a refused connection, a revoked login, no login
// and a full state disk) is met by the real login, client, sync engine and
// cache of a fresh account, and the test checks the exact words
// `cgmtop status` prints and the monitor shows, at a width where the whole
// message fits and at one where only the short word does.
func TestFaultWords(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	for _, tc := range []struct {
		name    string
		fault   *emulator.Fault
		setup   func(t *testing.T, a *faultAccount)
		status  string // what `cgmtop status` prints
		monitor string // the monitor's whole message, at 100 columns
		short   string // the monitor's word, on a 30x1 line
		passes  bool   // the fault passes: the next sync brings readings
	}{
		{name: "429", fault: &emulator.Fault{Kind: emulator.RateLimit, RetryAfter: 20 * time.Minute, Count: -1},
			status: "cgm: rate-limited", monitor: "rate-limited: Dexcom asked cgmtop to slow down; next try at ", short: "rate-limited"},
		{name: "500", fault: &emulator.Fault{Kind: emulator.ServerError, Count: -1},
			status: "cgm: server error", monitor: "server error: Dexcom is having trouble (HTTP 500); retrying later", short: "Dexcom server error"},
		{name: "slow server", fault: &emulator.Fault{Kind: emulator.Slow, Delay: 5 * time.Second, Count: -1},
			status: "cgm: timed out", monitor: "timed out: Dexcom did not answer in time; retrying", short: "timed out"},
		{name: "truncated JSON", fault: &emulator.Fault{Kind: emulator.Truncated, Count: -1},
			status: "cgm: bad reply", monitor: "bad reply: Dexcom's answer was cut off or unreadable; retrying later", short: "bad reply"},
		{name: "malformed JSON", fault: &emulator.Fault{Kind: emulator.Malformed, Count: -1},
			status: "cgm: bad reply", monitor: "bad reply: Dexcom's answer was cut off or unreadable; retrying later", short: "bad reply"},
		{name: "transient 401", fault: &emulator.Fault{Kind: emulator.Unauthorized, Count: 2},
			status: "cgm: access refused", monitor: "access refused: Dexcom refused a fresh access token (HTTP 401); retrying, and if it lasts, run `cgmtop login`", short: "access refused", passes: true},
		{name: "refused connection", setup: func(t *testing.T, a *faultAccount) { a.base = closedPort(t) },
			status: "cgm: offline", monitor: "offline: cannot reach Dexcom; check the network", short: "offline"},
		{name: "refused connection while renewing", setup: func(t *testing.T, a *faultAccount) { a.base = closedPort(t); a.expire(t) },
			status: "cgm: offline", monitor: "offline: cannot reach Dexcom; check the network", short: "offline"},
		{name: "refused refresh (invalid_grant)", setup: func(t *testing.T, a *faultAccount) { a.revoke(t) },
			status: "cgm: login expired", monitor: "login expired: run `cgmtop login`", short: "login expired"},
		{name: "no stored login", setup: func(t *testing.T, a *faultAccount) { a.store.Delete(context.Background()) },
			status: "cgm: not logged in", monitor: "not logged in: run `cgmtop login`", short: "not logged in"},
		{name: "full state disk", setup: func(t *testing.T, a *faultAccount) { a.expire(t); a.fillState(t) },
			status: "cgm: disk full", monitor: "disk full: no room to save the renewed login; free some space (the login was not used and still works)", short: "disk full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newFaultAccount(t)
			if tc.setup != nil {
				tc.setup(t, a)
			}
			if tc.fault != nil {
				f := *tc.fault
				if f.Endpoint == "" {
					f.Endpoint = "dataRange" // the first request of a sync
				}
				a.emu.Inject(f)
			}
			status, whole, short := a.sync(t)
			if status != tc.status {
				t.Errorf("cgmtop status printed %q, want %q", status, tc.status)
			}
			if !strings.Contains(flat(whole), tc.monitor) {
				t.Errorf("the monitor at 100 columns does not show %q:\n%s", tc.monitor, whole)
			}
			if !strings.Contains(short, tc.short) {
				t.Errorf("the monitor's line at 30 columns does not show %q: %q", tc.short, short)
			}
			for _, raw := range []string{"dial tcp", "invalid character", "unexpected EOF", "context deadline", "Client.Timeout", "oauth2:", "D-Bus", "dbus"} {
				if strings.Contains(whole, raw) || strings.Contains(status, raw) {
					t.Errorf("a raw Go error (%q) reached the screen:\n%s\n%s", raw, status, whole)
				}
			}
			if tc.passes {
				status, whole, _ := a.sync(t)
				if strings.HasPrefix(status, "cgm:") || strings.Contains(whole, tc.short) {
					t.Errorf("after the fault passed, status %q and the monitor still shows %q:\n%s", status, tc.short, whole)
				}
			}
			t.Logf("%-34s status %-20q monitor %q", tc.name, status, tc.monitor)
		})
	}
}

// faultAccount is a logged-in account (file store) of a private emulator,
// with its own XDG folders.
type faultAccount struct {
	emu   *emulator.Server
	e     env
	store auth.Store
	base  string
	clk   *clock.Manual
}

func newFaultAccount(t *testing.T) *faultAccount {
	t.Helper()
	clk := clock.NewManual(time.Now())
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	emu, err := emulator.Start(emulator.Config{Seed: 5, Clock: clk, AutoApprove: true, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	paths := config.Under(t.TempDir())
	cfg := config.Default()
	cfg.TokenStore = "file"
	a := &faultAccount{emu: emu, e: env{paths: paths, account: "default", cfg: cfg}, base: emu.URL(), clk: clk}
	a.store = auth.NewFileStore(paths.TokenFile("default"))
	hc := dexcom.NewHTTPClient()
	oc := dexcom.OAuthConfig(emu.URL(), emulator.DefaultClientID, emulator.DefaultClientSecret, redirect)
	ctx := context.Background()
	if _, err := auth.Connect(ctx, a.store, emu.URL(), auth.LoginOptions{
		OAuth: oc, HTTPClient: hc,
		OpenBrowser: func(url string) error { return getAndDiscard(ctx, hc, url) },
	}); err != nil {
		t.Fatal(err)
	}
	if err := writeMarker(a.e, loginMarker{ClientID: emulator.DefaultClientID, TokenStore: "file", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return a
}

// expire moves the clock past the stored access token's renewal.
func (a *faultAccount) expire(t *testing.T) { a.clk.Advance(3 * time.Hour) }

// revoke makes the stored refresh token one the server refuses.
func (a *faultAccount) revoke(t *testing.T) {
	ctx := context.Background()
	c, err := a.store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.RefreshToken, c.AccessToken = "revoked", ""
	if err := a.store.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// fillState mounts a small tmpfs over the account's state folder, with the
// login in it, and fills it.
func (a *faultAccount) fillState(t *testing.T) {
	dir := a.e.paths.AccountStateDir("default")
	token, err := os.ReadFile(a.e.paths.TokenFile("default"))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	if err := os.WriteFile(a.e.paths.TokenFile("default"), token, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			return
		}
	}
}

// sync runs one sync pass as the monitor's engine would, then returns what
// `cgmtop status` prints and what the monitor shows at 100x30 and 30x1.
func (a *faultAccount) sync(t *testing.T) (status, whole, short string) {
	t.Helper()
	ctx := context.Background()
	hc := dexcom.NewHTTPClient()
	hc.Timeout = time.Second // the slow server's 5 s is a timeout
	oc := dexcom.OAuthConfig(a.base, "", "", "")
	tokens := auth.NewTokenSource(a.store, oc, hc, a.e.paths.Lock("default", "refresh"), a.clk)
	src := dexcom.New(a.base, tokens, dexcom.WithHTTPClient(hc), dexcom.WithRetry(0, 0))
	db, err := cache.Open(ctx, a.e.paths.Database("default"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.DiscardHandler)
	res, _ := syncer.New(src, db, syncer.Options{Clock: a.clk, Log: log}).Sync(ctx)
	writeSnapshot(ctx, a.e, db, log)

	var out bytes.Buffer
	statusline.Run(ctx, statusline.Options{
		Paths: a.e.paths, Account: "default", Config: a.e.cfg, Format: statusline.Plain,
		NoSync: true, NoColor: true, Now: a.clk.Now(),
	}, &out)

	view := func(w, h int) string {
		var m tea.Model = tui.New(tui.Options{Store: db, Config: a.e.cfg, Clock: a.clk})
		m = settle(m, m.Init())
		m, _ = m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		var cmd tea.Cmd
		m, cmd = m.Update(tui.SyncedMsg{Err: res.Err, Next: res.Next})
		return settle(m, cmd).View()
	}
	return strings.TrimSpace(out.String()), view(100, 30), view(30, 1)
}

// settle runs cmd and the commands its messages lead to, as Bubble Tea
// would, until none is left; a command that does not answer at once (a
// tick) is dropped.
func settle(m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 100; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- c() }()
		var msg tea.Msg
		select {
		case msg = <-got:
		case <-time.After(200 * time.Millisecond):
			continue
		}
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

// flat joins a screen's wrapped lines with single spaces.
func flat(screen string) string {
	var words []string
	for _, line := range strings.Split(screen, "\n") {
		words = append(words, strings.Fields(strings.TrimLeft(strings.TrimSpace(line), "!⚠ "))...)
	}
	return strings.Join(words, " ")
}

// closedPort is a loopback URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// TestStatusBrokenConfig: a settings file that does not parse gives the
// status bar a line that says so (a blank one looked like tmux had hung),
// and the details on stderr.
func TestStatusBrokenConfig(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		t.Setenv(v, filepath.Join(root, v))
	}
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	cfgFile := config.DefaultPaths().ConfigFile
	if err := os.MkdirAll(filepath.Dir(cfgFile), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfgFile, []byte("units = \n"), 0o600)
	for _, tc := range []struct{ format, want string }{
		{"plain", "cgm: config error\n"},
		{"tmux", "#[fg=yellow]cgm: config error#[fg=default]\n"},
	} {
		var out, errOut bytes.Buffer
		run(context.Background(), []string{"status", "--no-sync", "--format", tc.format}, stdio{strings.NewReader(""), &out, &errOut})
		if out.String() != tc.want {
			t.Errorf("status --format %s with a broken config printed %q, want %q", tc.format, out.String(), tc.want)
		}
		if !strings.Contains(errOut.String(), "config.toml") || !strings.Contains(errOut.String(), "line 1") {
			t.Errorf("stderr does not say what is wrong: %q", errOut.String())
		}
	}
}

// TestHeadlessNotLoggedIn: on a fresh machine with no keyring (no D-Bus),
// the monitor and sync say "not logged in", not a keyring error.
func TestHeadlessNotLoggedIn(t *testing.T) {
	bin := cgmtopBinary(t)
	env := append(isolatedEnv(t), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	for _, args := range [][]string{{}, {"sync"}, {"status"}} {
		out, _ := cgmtopCombined(t, bin, env, nil, args...)
		if !strings.Contains(out, "not logged in") || strings.Contains(strings.ToLower(out), "keyring") {
			t.Errorf("cgmtop %s on a fresh headless machine said %q; want \"not logged in\" and no keyring error", strings.Join(args, " "), out)
		}
	}
}

func TestASCIIOnly(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C"}, true},
		{map[string]string{"LANG": "POSIX"}, true},
		{map[string]string{}, true},
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "C.utf8"}, false},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "C"}, true},
		{map[string]string{"LANG": "C", "LC_CTYPE": "de_DE.UTF-8"}, false},
	} {
		if got := asciiOnly(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("asciiOnly(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// TestMonitorLocaleAndDumbTerminal runs the demo in tmux under LANG=C (it
// must draw in ASCII by itself) and under TERM=dumb (no alternate screen).
func TestMonitorLocaleAndDumbTerminal(t *testing.T) {
	bin := cgmtopBinary(t)
	for _, tc := range []struct {
		name, env string
		check     func(t *testing.T, tm *tmuxTerm, screen string)
	}{
		{"LANG=C", "LANG=C", func(t *testing.T, tm *tmuxTerm, screen string) {
			for _, r := range screen {
				if r > 0x7e {
					t.Fatalf("non-ASCII %q on screen under LANG=C:\n%s", r, screen)
				}
			}
		}},
		{"TERM=dumb", "TERM=dumb", func(t *testing.T, tm *tmuxTerm, screen string) {
			if alt := tm.format("#{alternate_on}"); alt != "0" {
				t.Fatalf("TERM=dumb got the alternate screen")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := isolatedEnv(t)
			tm := startTmux(t, env, 80, 24, "env "+tc.env+" "+bin+" --demo")
			screen, _ := tm.waitFor("a reading", func(s string) bool { return glucoseOnScreen.MatchString(s) && strings.Contains(s, "mg/dL") })
			tc.check(t, tm, screen)
			tm.keys("q")
			tm.waitFor("the demo to quit on q", func(string) bool { return tm.paneDead() })
		})
	}
}

// TestMonitorReadOnlyDataDir: with the data folder on a read-only mount the
// monitor still opens, shows the cached reading, and says "read-only disk"
// rather than refusing to start with a disk I/O error.
func TestMonitorReadOnlyDataDir(t *testing.T) {
	bin := cgmtopBinary(t)
	env := append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
	loginToEmulator(t, bin, env)
	if out, err := runCombined(t, bin, env, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	var data string
	for _, kv := range env {
		if dir, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			data = filepath.Join(dir, "cgmtop")
		}
	}
	if err := syscall.Mount(data, data, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind-mount (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(data, syscall.MNT_DETACH) })
	if err := syscall.Mount("", data, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatal(err)
	}
	tm := startTmux(t, env, 100, 30, bin)
	screen, _ := tm.waitFor("the cached reading and the read-only notice", func(s string) bool {
		_, ok := glucoseValue(s)
		return ok && strings.Contains(s, "read-only disk")
	})
	if strings.Contains(screen, "disk I/O error") {
		t.Errorf("raw SQLite error on screen:\n%s", screen)
	}
	tm.quit()
}

// TestLoginSharesItsAccessToken: `cgmtop login` (whose first sync runs in
// the same command) and the syncs after it, each a new process, use the
// access token the login got: one token request in all, the code exchange.
func TestLoginSharesItsAccessToken(t *testing.T) {
	bin := cgmtopBinary(t)
	env := append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: 3, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pasteLogin(t, bin, env, srv.URL(), redirect)
	for range 3 {
		if out, err := runCombined(t, bin, env, "", "sync"); err != nil {
			t.Fatalf("sync: %v\n%s", err, out)
		}
	}
	if n := srv.Stats()["token"]; n != 1 {
		t.Errorf("login and three syncs made %d token requests; want 1 (the code exchange)", n)
	}
}
