package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	nsemu "github.com/cgmtop/cgmtop/client/nightscout/emulator"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/internal/testio"
)

// peopleHome is one isolated home where several people are logged in, each
// to an emulator of their own.
type peopleHome struct {
	t        *testing.T
	bin      string
	env      []string
	redirect string
}

func newPeopleHome(t *testing.T) *peopleHome {
	h := &peopleHome{t: t, bin: cgmtopBinary(t)}
	h.env = append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
	h.redirect = fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	return h
}

// emulator starts an emulator with six hours of history (a quick first
// sync) and the home's redirect address, at addr ("" for any port).
func (h *peopleHome) emulator(cfg emulator.Config, addr string, scenarios ...string) *emulator.Server {
	h.t.Helper()
	cfg.RedirectURI, cfg.History = h.redirect, 6*time.Hour
	for _, s := range scenarios {
		sc, err := emulator.ParseScenario(s)
		if err != nil {
			h.t.Fatal(err)
		}
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	srv, err := emulator.StartAt(cfg, addr)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { srv.Close() })
	return srv
}

// login logs account in to srv's official API, named name unless "".
func (h *peopleHome) login(srv *emulator.Server, account, name string) string {
	h.t.Helper()
	extra := []string{"--account", account}
	if name != "" {
		extra = append(extra, "--name", name)
	}
	return pasteLogin(h.t, h.bin, h.env, srv.URL(), h.redirect, extra...)
}

// run runs cgmtop and returns its stdout, stderr and exit code.
func (h *peopleHome) run(args ...string) (string, string, int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Env = h.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		h.t.Fatalf("cgmtop %v: %v", args, err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

func (h *peopleHome) configPath() string {
	return filepath.Join(envValue(h.env, "XDG_CONFIG_HOME"), "cgmtop", "config.toml")
}

// editSettings changes the settings file as a user editing it would.
func (h *peopleHome) editSettings(change func(*config.Config)) {
	h.t.Helper()
	cfg, err := config.Load(h.configPath())
	if err != nil {
		h.t.Fatal(err)
	}
	change(&cfg)
	if err := config.Save(h.configPath(), cfg); err != nil {
		h.t.Fatal(err)
	}
}

// statusPerson is one person of `status --all --format json`.
type statusPerson struct {
	Account, Name, Status, Class, Text, Time, Reason string
	Value                                            json.RawMessage
	Urgent, Stale                                    bool
}

func (h *peopleHome) statusAll() map[string]statusPerson {
	h.t.Helper()
	out, errOut, code := h.run("status", "--all", "--no-sync", "--format", "json")
	var all struct {
		People []statusPerson
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil || code != 0 {
		h.t.Fatalf("status --all --format json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	m := map[string]statusPerson{}
	for _, p := range all.People {
		m[p.Account] = p
	}
	return m
}

// The people of the acceptance: Ana in range (or wherever her sensor is),
// Ben forced urgent low, Cy stale behind a two-hour gap, Dan in the
// settings but never logged in. Names are user text that every status
// bar's markup would misread.
const (
	nameAna = "Ana"
	nameBen = "B#en <&>"
	nameDan = "Dan & <Co> 100%"
)

// fourPeople logs in Ana, Ben and Cy to emulators of their own and puts
// Dan in the settings.
func fourPeople(t *testing.T) *peopleHome {
	h := newPeopleHome(t)
	h.login(h.emulator(emulator.Config{Seed: 21}, ""), "ana", nameAna)
	h.login(h.emulator(emulator.Config{Seed: 22}, "", "low:-1h:3h"), "ben", nameBen)
	h.login(h.emulator(emulator.Config{Seed: 23}, "", "gap:-1h:3h"), "cy", "")
	h.editSettings(func(c *config.Config) { c.SetAccount("dan", config.Account{Name: nameDan}) })
	return h
}

// TestPeopleStatusAll: names from `login --name` and the settings reach
// every format of `status --all`, escaped for each; one person urgent,
// one stale, one logged out; per-person thresholds change one person's
// colour and urgency only; auth status and doctor show the names; and
// `login --name` alone renames a logged-in account without a new login.
func TestPeopleStatusAll(t *testing.T) {
	h := fourPeople(t)

	data, err := os.ReadFile(h.configPath())
	if err != nil || !strings.Contains(string(data), `name = "Ana"`) || !strings.Contains(string(data), `name = "B#en <&>"`) {
		t.Fatalf("login --name did not store the names: %v\n%s", err, data)
	}

	people := h.statusAll()
	ana, ben, cy, dan := people["ana"], people["ben"], people["cy"], people["dan"]
	t.Logf("status --all: %+v", people)
	if len(people) != 4 || ana.Name != nameAna || ben.Name != nameBen || cy.Name != "cy" || dan.Name != nameDan {
		t.Fatalf("people and names: %+v", people)
	}
	if !ben.Urgent || ben.Class != "urgent-low" || !cy.Stale || cy.Status != "stale" || dan.Status != "logged-out" || ana.Stale {
		t.Fatalf("states: ana %+v, ben %+v, cy %+v, dan %+v", ana, ben, cy, dan)
	}

	plain, _, _ := h.run("status", "--all", "--no-sync")
	for _, want := range []string{"Ana " + ana.Text[:strings.IndexByte(ana.Text, ' ')], nameBen + " LOW", "cy ", "?", nameDan + ": not logged in", " · "} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain %q lacks %q", plain, want)
		}
	}
	tmux, _, _ := h.run("status", "--all", "--no-sync", "--format", "tmux")
	if !strings.Contains(tmux, "#[fg=red,bold,reverse]B##en <&> LOW") || !strings.Contains(tmux, "strikethrough") ||
		!strings.Contains(tmux, "Dan & <Co> 100%: not logged in") || strings.Contains(strings.ReplaceAll(tmux, "##", ""), "#en") {
		t.Errorf("tmux: %q", tmux)
	}
	poly, _, _ := h.run("status", "--all", "--no-sync", "--format", "polybar")
	if !strings.Contains(poly, "%{+u}B#en <&> LOW") || !strings.Contains(poly, "100%%") {
		t.Errorf("polybar: %q", poly)
	}
	blocks, _, code := h.run("status", "--all", "--no-sync", "--format", "i3blocks")
	if code != 33 || strings.Count(blocks, "\n") != 3 || !strings.HasSuffix(blocks, "#ff5555\n") {
		t.Errorf("i3blocks: exit %d, %q", code, blocks)
	}
	prompt, _, _ := h.run("status", "--all", "--no-sync", "--format", "prompt")
	if strings.Contains(prompt, "%") || !strings.Contains(prompt, "B#en <&> LOW") || strings.Count(prompt, "\n") != 1 {
		t.Errorf("prompt: %q", prompt)
	}
	var w struct {
		Text, Tooltip string
		Class         []string
	}
	wb, _, _ := h.run("status", "--all", "--no-sync", "--format", "waybar")
	if err := json.Unmarshal([]byte(wb), &w); err != nil {
		t.Fatalf("waybar: %v: %s", err, wb)
	}
	if strings.ContainsAny(strings.ReplaceAll(w.Text, "&amp;", ""), "<>") || !strings.Contains(w.Text, "B#en &lt;&amp;&gt;") ||
		strings.Count(w.Tooltip, "\n"+"cy: ")+strings.Count(w.Tooltip, "Ana: ") != 2 || !strings.Contains(w.Tooltip, "Dan &amp; &lt;Co&gt; 100%: Not logged in") ||
		!strings.Contains(strings.Join(w.Class, " "), "urgent") {
		t.Errorf("waybar: %+v", w)
	}
	tpl, _, _ := h.run("status", "--all", "--no-sync", "--template", "{{range .People}}{{.Name}}={{.Status}};{{end}}")
	if want := "Ana=ok;" + nameBen + "=ok;cy=stale;" + nameDan + "=logged-out;\n"; tpl != want {
		t.Errorf("template: %q, want %q", tpl, want)
	}

	// Ana's own thresholds put her reading above her very-high: she alone
	// turns urgent, in her own colour, on --all and on her own line.
	var v int
	if err := json.Unmarshal(ana.Value, &v); err != nil || v < 50 {
		t.Fatalf("Ana's value %s: %v", ana.Value, err)
	}
	h.editSettings(func(c *config.Config) {
		a := c.Accounts["ana"]
		a.Thresholds = config.Thresholds{UrgentLow: 40, Low: 45, High: v - 2, VeryHigh: v - 1}
		c.SetAccount("ana", a)
	})
	after := h.statusAll()
	if a := after["ana"]; a.Class != "very-high" || !a.Urgent {
		t.Errorf("Ana on her own thresholds: %+v", a)
	}
	for _, n := range []string{"ben", "cy", "dan"} {
		if after[n].Class != people[n].Class || after[n].Urgent != people[n].Urgent {
			t.Errorf("%s changed with Ana's thresholds: %+v → %+v", n, people[n], after[n])
		}
	}
	own, _, _ := h.run("status", "--account", "ana", "--no-sync", "--format", "tmux")
	other, _, _ := h.run("status", "--account", "cy", "--no-sync", "--format", "tmux")
	if !strings.HasPrefix(own, "#[fg=colour208,bold]") || strings.Contains(other, "colour208") {
		t.Errorf("one person's line: ana %q, cy %q", own, other)
	}

	auth, _, _ := h.run("auth", "status")
	if !strings.Contains(auth, "Account ana (Ana):") || !strings.Contains(auth, "Account ben (B#en <&>):") || !strings.Contains(auth, "Account cy:") {
		t.Errorf("auth status does not name the people:\n%s", auth)
	}
	doc, _, _ := h.run("doctor", "--offline")
	if !strings.Contains(doc, "ana (Ana): logged in") || !strings.Contains(doc, "cy: logged in") {
		t.Errorf("doctor does not name the people:\n%s", doc)
	}

	// The cost, logged not asserted: 200 runs of each, as tmux would run
	// them, by wall and CPU time (user + system) per run.
	for _, args := range [][]string{
		{"status", "--account", "ana", "--no-sync", "--format", "tmux"},
		{"status", "--all", "--no-sync", "--format", "tmux"},
	} {
		var wall, cpu []time.Duration
		for range 200 {
			cmd := exec.Command(h.bin, args...)
			cmd.Env = h.env
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatal(err)
			}
			wall = append(wall, time.Since(start))
			cpu = append(cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
		slices.Sort(wall)
		slices.Sort(cpu)
		t.Logf("cgmtop %s: median %v wall, %v CPU per run (200 runs; p90 %v wall)", strings.Join(args, " "),
			wall[100].Round(10*time.Microsecond), cpu[100].Round(10*time.Microsecond), wall[180].Round(10*time.Microsecond))
	}

	// `login --name` alone on a logged-in account renames it, no login.
	out, errOut, code := h.run("login", "--account", "cy", "--name", "Cyrus")
	if code != 0 || !strings.Contains(out, `now shown as "Cyrus"`) {
		t.Fatalf("rename: exit %d\n%s%s", code, out, errOut)
	}
	if p := h.statusAll()["cy"]; p.Name != "Cyrus" {
		t.Errorf("after the rename: %+v", p)
	}
	_, errOut, code = h.run("login", "--account", "cy", "--name", "bad\x07name")
	if code != 2 || !strings.Contains(errOut, "printable") {
		t.Errorf("a name with a control character: exit %d, %s", code, errOut)
	}
}

// dueSeed finds a sensor seed whose next reading comes between lo and hi
// from now, so a test at real speed waits minutes at most, and returns it
// with that reading's time.
func dueSeed(t *testing.T, from int64, lo, hi time.Duration, newest func(seed int64, at time.Time) time.Time) (int64, time.Time) {
	t.Helper()
	now := time.Now()
	for seed := from; seed < from+5000; seed++ {
		cur, next := newest(seed, now), newest(seed, now.Add(hi))
		if next.After(cur) && next.Sub(now) >= lo {
			return seed, next
		}
	}
	t.Fatalf("no seed from %d has a reading due in %v–%v", from, lo, hi)
	return 0, time.Time{}
}

// dexcomNewest and nsNewest are the newest readings the emulators serve at
// a given time, for dueSeed.
func dexcomNewest(seed int64, at time.Time) time.Time {
	return emulator.New(emulator.Config{Seed: seed, History: time.Hour, Clock: clock.NewManual(at)}).Newest()
}

func nsNewest(seed int64, at time.Time) time.Time {
	return nsemu.New(nsemu.Config{Seed: seed, History: time.Hour, Clock: clock.NewManual(at)}).Newest()
}

// waitText waits until s() holds want, or fails after limit.
func waitText(t *testing.T, what string, limit time.Duration, s func() string, want string) time.Duration {
	t.Helper()
	start := time.Now()
	for !strings.Contains(s(), want) {
		if time.Since(start) > limit {
			t.Fatalf("%s: %q not seen within %v:\n%s", what, want, limit, s())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// TestDaemonForEveryone is issue 14's daemon at real speed: `cgmtop sync
// --daemon` with no --account syncs Ana (official API), Ben (Share alone)
// and Eve (Nightscout) while Cy's login is refused (her emulator was
// replaced, so it knows none of her tokens) and Fay's server answers only
// 429. Cy stops, alone; Fay's engine waits out the rate limit; the others'
// next readings reach `cgmtop status --all` within seconds of their
// emulator making them (the figures are logged). Ben's logout stops only
// Ben; a login made while it runs (Dan) is picked up; SIGTERM ends it,
// every engine, within 2 s. Seeds are picked so the next readings are due
// in under three minutes.
func TestDaemonForEveryone(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the emulators' next readings at real speed (up to 3 minutes)")
	}
	h := newPeopleHome(t)
	seedAna, dueAna := dueSeed(t, 100, 50*time.Second, 150*time.Second, dexcomNewest)
	seedBen, dueBen := dueSeed(t, 5000, 50*time.Second, 150*time.Second, dexcomNewest)
	seedEve, dueEve := dueSeed(t, 9000, 50*time.Second, 150*time.Second, nsNewest)
	srvAna := h.emulator(emulator.Config{Seed: seedAna}, "")
	h.login(srvAna, "ana", nameAna)
	srvBen := h.emulator(emulator.Config{Seed: seedBen}, "")
	if out, err := runCombined(t, h.bin, h.env, emulator.DefaultSharePassword+"\n", "login", "share", "--account", "ben", "--name", nameBen,
		"--share-url", srvBen.URL(), "--region", "us", "--username", emulator.DefaultShareEmail, "--password-stdin", "--token-store", "file"); err != nil {
		t.Fatalf("login share: %v\n%s", err, out)
	}
	site := startNSSite(t, nsemu.Config{Seed: seedEve, History: 6 * time.Hour})
	if out, err := runCombined(t, h.bin, h.env, site.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--account", "eve", "--name", "Eve",
		"--url", site.URL(), "--token-stdin", "--token-store", "file"); err != nil {
		t.Fatalf("login nightscout: %v\n%s", err, out)
	}
	// Fay's server answers every request with 429 from now on; her engine
	// asks it again when her next reading is due.
	seedFay, _ := dueSeed(t, 13000, 20*time.Second, 100*time.Second, dexcomNewest)
	srvFay := h.emulator(emulator.Config{Seed: seedFay}, "")
	h.login(srvFay, "fay", "")
	f, err := emulator.ParseFault("any:429:forever:retry=20s")
	if err != nil {
		t.Fatal(err)
	}
	srvFay.Inject(f)
	addrCy := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	srvCy := h.emulator(emulator.Config{Seed: 31}, addrCy)
	h.login(srvCy, "cy", "")
	srvCy.Close()
	h.emulator(emulator.Config{Seed: 31}, addrCy) // knows none of Cy's tokens

	var stderr testio.Buffer
	daemon := exec.Command(h.bin, "sync", "--daemon")
	daemon.Env, daemon.Stderr = h.env, &stderr
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- daemon.Wait() }()
	t.Cleanup(func() { daemon.Process.Kill() })

	waitText(t, "the daemon", 30*time.Second, stderr.String, "cy: ")
	waitText(t, "Cy's refused login", 30*time.Second, stderr.String, "stopped syncing it until it logs in again")
	if p := h.statusAll()["cy"]; p.Reason != "auth" {
		t.Errorf("Cy's line after the refusal: %+v", p)
	}

	// Each person's next readings, from the emulator making them (every
	// emulator here serves a reading from its sensor time: no upload lag)
	// to status showing them. The daemon is the only syncer: status runs
	// --no-sync. CGMTOP_DAEMON_READINGS=N waits for N readings each (one
	// by default): the first after a login comes while the engine still
	// learns the source's upload lag.
	want := 1
	if n, err := strconv.Atoi(os.Getenv("CGMTOP_DAEMON_READINGS")); err == nil && n > 0 {
		want = n
	}
	due := map[string]time.Time{"ana": dueAna, "ben": dueBen, "eve": dueEve}
	last := map[string]time.Time{}
	delays := map[string][]time.Duration{}
	done := func() bool {
		for acct := range due {
			if len(delays[acct]) < want {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(150*time.Second + time.Duration(want-1)*5*time.Minute + 90*time.Second)
	for !done() && time.Now().Before(deadline) {
		people := h.statusAll()
		for acct, first := range due {
			tm, err := time.Parse(time.RFC3339, people[acct].Time)
			if err != nil || tm.Before(first.Truncate(time.Second)) || !tm.After(last[acct]) {
				continue
			}
			last[acct] = tm
			delays[acct] = append(delays[acct], time.Since(tm))
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, acct := range []string{"ana", "ben", "eve"} { // Cy refused, Fay rate-limited
		var ds []string
		for _, d := range delays[acct] {
			ds = append(ds, d.Round(10*time.Millisecond).String())
		}
		t.Logf("%s (%s): reading made → shown by status --all: %s", acct, map[string]string{"ana": "official API", "ben": "Share", "eve": "Nightscout"}[acct], strings.Join(ds, ", "))
	}
	if !done() {
		t.Fatalf("new readings reached status: %v (first due %v); daemon said:\n%s", delays, due, stderr.String())
	}
	// Meanwhile Fay's reading came due and her server said 429 to each try.
	waitText(t, "Fay's rate limit", 30*time.Second, stderr.String, "fay: sync failed")
	if p := h.statusAll()["fay"]; p.Reason != "rate-limited" {
		t.Errorf("Fay's line under 429: %+v", p)
	}

	// Ben's logout stops Ben alone.
	if out, _, _ := h.run("logout", "--account", "ben"); !strings.Contains(out, "Removed") {
		t.Fatalf("logout: %s", out)
	}
	d := waitText(t, "Ben's logout", 30*time.Second, stderr.String, "ben: logged out")
	t.Logf("the daemon stopped Ben %v after his logout", d.Round(10*time.Millisecond))
	select {
	case err := <-exited:
		t.Fatalf("the daemon exited (%v) when one of three logged out:\n%s", err, stderr.String())
	default:
	}

	// A login made while it runs is picked up.
	h.login(srvAna, "dan", nameDan)
	d = waitText(t, "Dan's new login", 30*time.Second, stderr.String, "dan ("+nameDan+"): syncing")
	t.Logf("the daemon picked up Dan's login %v after it", d.Round(10*time.Millisecond))

	daemon.Process.Signal(syscall.SIGTERM)
	start := time.Now()
	select {
	case err := <-exited:
		t.Logf("SIGTERM: the daemon exited in %v (%v)", time.Since(start).Round(time.Millisecond), err)
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want 0", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("the daemon took %v to exit after SIGTERM, want ≤ 2 s", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the daemon still runs 10 s after SIGTERM")
	}
	t.Logf("daemon output:\n%s", stderr.String())
}

// TestDaemonForEveryoneExitCodes: with nobody logged in it exits 78 at
// once; when its only account's login is refused it exits 78 too (no
// account can sync), and a service manager does not restart it.
func TestDaemonForEveryoneExitCodes(t *testing.T) {
	h := newPeopleHome(t)
	_, errOut, code := h.run("sync", "--daemon")
	if code != exitConfig || !strings.Contains(errOut, "no account is logged in") {
		t.Errorf("nobody logged in: exit %d, %s", code, errOut)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	srv := h.emulator(emulator.Config{Seed: 41}, addr)
	h.login(srv, "ana", "")
	srv.Close()
	h.emulator(emulator.Config{Seed: 41}, addr)
	_, errOut, code = h.run("sync", "--daemon")
	if code != exitConfig || !strings.Contains(errOut, "no account can sync: ana must log in again") {
		t.Errorf("the only login refused: exit %d, %s", code, errOut)
	}
}

// TestTmuxPluginAll: the plugin's #{cgmtop_all} in a real tmux status bar.
// An inner tmux server loads cgmtop.tmux with status-right holding both
// interpolations (and @cgmtop_args naming one account, which #{cgmtop_all}
// must leave out); an outer one shows the inner client, so capture-pane
// reads the status bar as a terminal draws it.
func TestTmuxPluginAll(t *testing.T) {
	requireTmux(t)
	h := fourPeople(t)
	plugin, err := filepath.Abs("../../cgmtop.tmux")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "inner.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`set -g status-interval 1
set -g status-right-length 250
set -g status-left ''
set -g @cgmtop_bin '%s'
set -g @cgmtop_args '--no-sync --account cy'
set -g status-right '[#{cgmtop_all}] [#{cgmtop}]'
run-shell '%s'
`, h.bin, plugin)), 0o600)
	inner := filepath.Join(dir, "inner.sock")
	t.Cleanup(func() { exec.Command("tmux", "-S", inner, "kill-server").Run() })
	tm := startTmux(t, h.env, 220, 10, fmt.Sprintf("tmux -S %s -f %s new-session", inner, conf))
	// Both jobs: tmux draws each as soon as it has finished.
	screen, took := tm.waitFor("the status bar", func(s string) bool {
		_, one, ok := strings.Cut(s, "not logged in] [")
		return ok && strings.Contains(one, "?")
	})
	t.Logf("the inner status bar drew in %v", took.Round(10*time.Millisecond))
	bar := ""
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, "[Ana ") {
			bar = strings.TrimSpace(line)
		}
	}
	t.Logf("status bar: %s", bar)
	for _, want := range []string{"[Ana ", " · " + nameBen + " LOW", " · cy ", " · " + nameDan + ": not logged in] [", "?"} {
		if !strings.Contains(bar, want) {
			t.Errorf("the status bar lacks %q:\n%s", want, screen)
		}
	}
	// #{cgmtop} still shows its one account (Cy's stale line).
	if i := strings.LastIndex(bar, "] ["); i < 0 || strings.Contains(bar[i:], "Ana") || !strings.Contains(bar[i:], "?") {
		t.Errorf("#{cgmtop} beside it: %q", bar)
	}
	// Ben, urgent, is drawn reversed: the escape sequences as drawn.
	styled := tm.run("capture-pane", "-p", "-e", "-t", "t")
	reversed := regexp.MustCompile(`\x1b\[(?:[0-9]+;)*7(?:;[0-9]+)*m(?:\x1b\[[0-9;]*m)*` + regexp.QuoteMeta(nameBen+" LOW"))
	if !reversed.MatchString(styled) {
		t.Errorf("Ben (urgent) is not drawn reversed: %q", styled)
	}
	opt, _ := exec.Command("tmux", "-S", inner, "show-option", "-gqv", "status-right").Output()
	if !strings.Contains(string(opt), "status --all --format tmux --no-sync)") || strings.Count(string(opt), "--account") != 1 {
		t.Errorf("status-right after the plugin: %s", opt)
	}
}

// TestMonitorOnPersonThresholds: the monitor of one person draws on their
// own thresholds (target range and band), another person's on the global
// ones; the statistics keep the consensus bands either way.
func TestMonitorOnPersonThresholds(t *testing.T) {
	h := newPeopleHome(t)
	srv := h.emulator(emulator.Config{Seed: 21}, "")
	h.login(srv, "ana", nameAna)
	h.login(srv, "ben", "") // the same sensor: only the thresholds differ
	var v int
	if err := json.Unmarshal(h.statusAll()["ana"].Value, &v); err != nil || v < 60 {
		t.Fatalf("Ana's value: %v", err)
	}
	h.editSettings(func(c *config.Config) {
		a := c.Accounts["ana"]
		a.Thresholds = config.Thresholds{UrgentLow: 40, Low: 45, High: v - 2, VeryHigh: v - 1}
		c.SetAccount("ana", a)
	})
	ana := startTmux(t, h.env, 100, 30, h.bin+" --account ana")
	screen, _ := ana.waitFor("Ana's monitor", func(s string) bool { _, ok := glucoseValue(s); return ok && strings.Contains(s, "target ") })
	if !strings.Contains(screen, fmt.Sprintf("target 45–%d mg/dL", v-2)) || !strings.Contains(screen, "VERY HIGH") {
		t.Errorf("Ana's monitor is not on her thresholds (%d mg/dL):\n%s", v, screen)
	}
	ana.keys("u") // the unit toggle saves the settings
	ana.waitFor("mmol/L", func(s string) bool { return strings.Contains(s, "mmol/L") })
	ana.quit()
	ben := startTmux(t, h.env, 100, 30, h.bin+" --account ben")
	screen, _ = ben.waitFor("Ben's monitor", func(s string) bool { _, ok := glucoseValue(s); return ok && strings.Contains(s, "target ") })
	// (Ana's unit toggle is global: Ben's monitor is in mmol/L now.)
	if !strings.Contains(screen, "target 3.9–10.0 mmol/L") || !strings.Contains(screen, "in range") || strings.Contains(screen, "VERY HIGH") {
		t.Errorf("Ben's monitor is not on the global thresholds:\n%s", screen)
	}
	ben.quit()
	// Ana's unit toggle saved the settings: the global thresholds stay as
	// written (not Ana's), and Ana keeps hers.
	cfg, err := config.Load(h.configPath())
	if err != nil || cfg.Units != "mmol/L" || cfg.Thresholds != config.Default().Thresholds || cfg.Accounts["ana"].Thresholds.High != v-2 {
		t.Errorf("settings after the monitors: %v %+v %+v", err, cfg.Thresholds, cfg.Accounts["ana"].Thresholds)
	}
}
