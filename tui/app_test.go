package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/internal/testio"
	"github.com/cgmtop/cgmtop/theme"
)

// errLoggedOutTest is what the follower says after a logout: it does not
// know whose login it was; the App has it name Dan's account.
var errLoggedOutTest = errors.New("logged out: run `cgmtop login` to sync again")

// fourPeople are the acceptance's people: Ana in range (Nightscout), Ben
// urgent low and falling (Dexcom Share), Cleo stale (official API), Dan
// logged out. They are listed in account order, not urgency.
func fourPeople() ([]Person, []*memStore) {
	ana := normalStore()
	ben := normalStore()
	n := len(ben.readings)
	ben.readings[n-2].Value, ben.readings[n-2].Trend = 58, client.TrendSingleDown
	ben.readings[n-1].Value, ben.readings[n-1].Trend = 51, client.TrendDoubleDown
	for i := range ben.readings[n-30:] {
		ben.readings[n-30+i].Source = "share"
	}
	cleo := normalStore()
	cleo.readings = cleo.readings[:len(cleo.readings)-5] // 27 min old
	dan := &memStore{}
	cfg := config.Default()
	cfg.Alerts.Bell = true
	stores := []*memStore{ana, ben, cleo, dan}
	names := []string{"Ana", "Ben", "Cleo", "Dan"}
	accounts := []string{config.DefaultAccount, "ben", "cleo", "dan"}
	sources := []string{"Nightscout", "Dexcom Share", "official API", "official API"}
	var people []Person
	for i, s := range stores {
		people = append(people, Person{Options: Options{Store: s, Config: cfg, Name: names[i], Account: accounts[i]}, Source: sources[i]})
	}
	return people, stores
}

// loadApp builds an App on people, at w×h, and runs every person's first
// load as the program would.
func loadApp(t testing.TB, people []Person, w, h int, out *testio.Buffer) *App {
	t.Helper()
	a := NewApp(AppOptions{People: people, Clock: fixedClock{testNow}, Theme: theme.Dark()})
	for i := range a.people {
		a.people[i].loc = time.UTC
		if out != nil {
			a.people[i].out = out
		} else {
			a.people[i].out = discard{}
		}
	}
	a = appStep(t, a, tea.WindowSizeMsg{Width: w, Height: h})
	for i := range a.people {
		a = appStep(t, a, PersonMsg{Person: i, Msg: a.people[i].loadCmd()()})
	}
	// Dan's follower says he logged out.
	if len(a.people) > 3 {
		a = appStep(t, a, PersonMsg{Person: 3, Msg: SyncedMsg{Err: errLoggedOutTest}})
		a = appStep(t, a, PersonMsg{Person: 3, Msg: a.people[3].loadCmd()()})
	}
	return a
}

// appStep updates the App with msg and runs what comes back that is not a
// timer (ticks would wait for real time): loads, stats, bells.
func appStep(t testing.TB, a *App, msg tea.Msg) *App {
	t.Helper()
	next, cmd := a.Update(msg)
	a = next.(*App)
	return runCmds(t, a, cmd, 0)
}

func runCmds(t testing.TB, a *App, cmd tea.Cmd, depth int) *App {
	if cmd == nil || depth > 4 {
		return a
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(200 * time.Millisecond):
		return a // a timer: the tick
	}
	switch msg := msg.(type) {
	case nil:
		return a
	case tea.BatchMsg:
		for _, c := range msg {
			a = runCmds(t, a, c, depth+1)
		}
		return a
	case tea.QuitMsg:
		return a
	}
	next, c := a.Update(msg)
	return runCmds(t, next.(*App), c, depth+1)
}

func TestAppGolden(t *testing.T) {
	for _, size := range [][2]int{{30, 8}, {80, 24}, {120, 40}, {200, 60}, {50, 4}, {40, 12}} {
		name := fmt.Sprintf("overview_%dx%d", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			appGolden(t, name, size[0], size[1])
		})
	}
}

// appGolden checks the four people's overview at w x h, after keys, against
// the golden file name.
func appGolden(t *testing.T, name string, w, h int, keys ...string) {
	t.Helper()
	people, _ := fourPeople()
	a := loadApp(t, people, w, h, nil)
	for _, k := range keys {
		a = appStep(t, a, appKey(k))
	}
	got := a.View()
	checkSize(t, got, w, h)
	checkGolden(t, name, got)
}

// TestAppOrder: the most urgent first, whatever the account order.
func TestAppOrder(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 80, 24, nil)
	var got []string
	for _, i := range a.over.order {
		got = append(got, a.names[i])
	}
	if want := "Ben Cleo Dan Ana"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	states := map[string]State{}
	for _, g := range a.Glances() {
		states[g.Name] = g.State
	}
	want := map[string]State{"Ana": StateOK, "Ben": StateOK, "Cleo": StateStale, "Dan": StateLoggedOut}
	for n, s := range want {
		if states[n] != s {
			t.Errorf("%s: state %d, want %d", n, states[n], s)
		}
	}
	// At 30x8 every person has a line, in that order, and Ben's says why
	// he is first.
	a = appStep(t, a, tea.WindowSizeMsg{Width: 30, Height: 8})
	lines := strings.Split(a.View(), "\n")
	if len(lines) != 7 && len(lines) != 8 {
		t.Fatalf("30x8: %d lines:\n%s", len(lines), a.View())
	}
	for i, n := range []string{"Ben", "Cleo", "Dan", "Ana"} {
		if !strings.Contains(lines[1+i], n) {
			t.Errorf("30x8 line %d = %q, want %s", 1+i, lines[1+i], n)
		}
	}
	if !strings.Contains(lines[1], "51") || !strings.Contains(lines[1], "⇊") {
		t.Errorf("Ben's line %q lacks his value and arrow", lines[1])
	}
	if !strings.Contains(lines[2], "no data") {
		t.Errorf("Cleo's line %q does not say no data", lines[2])
	}
}

// TestAppKeys walks the overview's keys: a number opens a person, esc
// comes back, the AGP screen's and the full help's esc stay their own, u
// changes every person.
func TestAppKeys(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 100, 30, nil)
	key := appKey
	a = appStep(t, a, key("1"))
	if a.open != 0 || !strings.Contains(a.View(), "Statistics") {
		t.Fatalf("1 did not open Ana's monitor:\n%s", a.View())
	}
	if !a.people[0].statsOK || a.people[0].summaries[0].Count == 0 {
		t.Errorf("opening Ana's monitor did not load her statistics")
	}
	if a.people[1].summaries[0].Count != 0 {
		t.Errorf("Ben's statistics were added up though nobody opened his monitor")
	}
	a = appStep(t, a, key("a"))
	if !a.people[0].screen.open {
		t.Fatalf("a did not open the AGP screen")
	}
	a = appStep(t, a, key("esc"))
	if a.open != 0 || a.people[0].screen.open {
		t.Fatalf("esc on the AGP screen should go back to Ana's monitor, open=%d agp=%v", a.open, a.people[0].screen.open)
	}
	// With her full help open, esc closes it first.
	a = appStep(t, a, key("?"))
	if !a.people[0].fullHelp {
		t.Fatalf("? did not open the help on Ana's monitor")
	}
	a = appStep(t, a, key("esc"))
	if a.open != 0 || a.people[0].fullHelp {
		t.Fatalf("esc with Ana's help open should close it and stay, open=%d help=%v", a.open, a.people[0].fullHelp)
	}
	a = appStep(t, a, key("esc"))
	if a.open != -1 || !strings.Contains(a.View(), "people") {
		t.Fatalf("esc on Ana's monitor did not come back to the overview:\n%s", a.View())
	}
	// The cursor is on Ana; down moves it on the order on screen (she is
	// last), so it stays; enter opens her.
	a = appStep(t, a, key("down"))
	a = appStep(t, a, key("enter"))
	if a.open != 0 {
		t.Fatalf("enter opened %d, want Ana", a.open)
	}
	a = appStep(t, a, key("u"))
	for i, m := range a.people {
		if m.unit() != client.MmolL {
			t.Errorf("person %d is in %v after u on Ana's screen", i, m.unit())
		}
	}
	a = appStep(t, a, key("esc"))
	if !strings.Contains(a.View(), "mmol/L") || strings.Contains(a.View(), "mg/dL") {
		t.Errorf("the overview is not in mmol/L after u:\n%s", a.View())
	}
	a = appStep(t, a, key("u"))
	if !strings.Contains(a.View(), "mg/dL") {
		t.Errorf("u on the overview did not go back to mg/dL:\n%s", a.View())
	}
	if _, cmd := a.Update(key("q")); cmd == nil {
		t.Errorf("q does not quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("q does not quit")
	}
}

// TestAppAlertsForHiddenPeople: Ben's urgent low rings while nobody has
// his screen open, and the bell is his alone.
func TestAppAlertsForHiddenPeople(t *testing.T) {
	people, _ := fourPeople()
	var out testio.Buffer
	a := loadApp(t, people, 80, 24, &out)
	if a.open != -1 {
		t.Fatalf("the App should start on the overview")
	}
	if n := strings.Count(out.String(), "\a"); n == 0 {
		t.Errorf("no bell for Ben's urgent low or Cleo's stale data")
	}
	if !a.people[1].alerts.ep[alertUrgentLow].notified {
		t.Errorf("Ben's urgent low was not announced")
	}
	if a.people[0].alerts.ep[alertUrgentLow].notified {
		t.Errorf("Ana, in range, has an urgent low announced")
	}
}

// TestAppFollowsNewReadings: a new reading for one person reaches their
// row through their own follow message.
func TestAppFollowsNewReadings(t *testing.T) {
	people, stores := fourPeople()
	a := loadApp(t, people, 80, 24, nil)
	before := a.over.rows[0].View()
	s := stores[0]
	s.mu.Lock()
	last := s.readings[len(s.readings)-1]
	last.Time = testNow
	last.Value = 247
	s.readings = append(s.readings, last)
	s.version++
	v := s.version
	s.mu.Unlock()
	a = appStep(t, a, PersonMsg{Person: 0, Msg: watchMsg{version: v}})
	if a.over.glances[0].Value != "247" || a.over.rows[0].View() == before {
		t.Errorf("Ana's row did not follow her new reading: %+v", a.over.glances[0].Value)
	}
	if a.over.order[len(a.over.order)-1] == 0 {
		t.Errorf("Ana at 247 is still ranked last")
	}
}

// TestPersonRowCaches: a row draws again only when what it shows changed.
func TestPersonRowCaches(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 80, 24, nil)
	r := a.over.rows[0]
	in := r.in
	view := r.view
	r.set(in) // same inputs: nothing drawn
	if r.view != view {
		t.Fatal("view changed with the same inputs")
	}
	allocs := testing.AllocsPerRun(100, func() { r.set(in) })
	if allocs > 0 {
		t.Errorf("an unchanged row allocates %.0f times per frame", allocs)
	}
	in.w = 60
	r.set(in)
	if r.view == view {
		t.Error("a new width did not draw the row again")
	}
}

func BenchmarkOverviewView(b *testing.B) {
	people, _ := fourPeople()
	a := loadApp(b, people, 200, 60, nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = a.View()
	}
}

// BenchmarkOverviewIdleUpdate is a person's message that changes nothing
// on screen (a tick dropped as stale): the glance is read again, no row is
// drawn and the screen is not joined again.
func BenchmarkOverviewIdleUpdate(b *testing.B) {
	people, _ := fourPeople()
	a := loadApp(b, people, 200, 60, nil)
	msg := PersonMsg{Person: 0, Msg: tickMsg{seq: -1}}
	b.ReportAllocs()
	for b.Loop() {
		next, _ := a.Update(msg)
		a = next.(*App)
		_ = a.View()
	}
}

// BenchmarkOverviewNoopMsg is a message for a person that nothing of theirs
// answers to, routed through the App: nothing changes, so nothing should
// be drawn, joined or copied onto the heap.
func BenchmarkOverviewNoopMsg(b *testing.B) {
	people, _ := fourPeople()
	a := loadApp(b, people, 200, 60, nil)
	msg := PersonMsg{Person: 1, Msg: noopMsg{}}
	b.ReportAllocs()
	for b.Loop() {
		next, _ := a.Update(msg)
		a = next.(*App)
		_ = a.View()
	}
}

// noopMsg is a message no pane answers to.
type noopMsg struct{}

// appKey is a key press as the terminal sends it.
func appKey(s string) tea.KeyMsg {
	switch s {
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// TestAppHelpGolden: ? shows the overview's keys at the bottom, the
// people above in lines, the most urgent first.
func TestAppHelpGolden(t *testing.T) {
	for _, size := range [][2]int{{30, 8}, {80, 24}, {50, 4}} {
		name := fmt.Sprintf("overview_help_%dx%d", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			appGolden(t, name, size[0], size[1], "?")
		})
	}
}

// TestAppHelp: ? opens the full help with every key the overview answers
// to, within the width; ? and esc close it; the keys still act while it
// is open; the short help never cuts a key.
func TestAppHelp(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 30, 8, nil)
	short := a.View()
	if !strings.Contains(short, "? help") || !strings.Contains(short, "q quit") || strings.Contains(short, "…") {
		t.Errorf("30x8: the footer should keep ? and q whole:\n%s", short)
	}
	a = appStep(t, a, appKey("?"))
	if !a.over.fullHelp {
		t.Fatal("? did not open the help")
	}
	view := a.View()
	words := strings.Join(strings.Fields(view), " ")
	for _, want := range []string{"enter open", "1-9 person", "↑/↓ select", "s snooze alert", "u units", "? close help", "q quit", "Ben"} {
		if !strings.Contains(words, want) {
			t.Errorf("30x8 help lacks %q:\n%s", want, view)
		}
	}
	checkSize(t, view, 30, 8)
	a = appStep(t, a, appKey("down"))
	if !a.over.fullHelp || a.over.selected != a.over.order[1] {
		t.Errorf("down under the help: help %v, selected %d, want %d", a.over.fullHelp, a.over.selected, a.over.order[1])
	}
	a = appStep(t, a, appKey("?"))
	if a.over.fullHelp || a.View() == view {
		t.Errorf("? did not close the help")
	}
	a = appStep(t, a, appKey("?"))
	a = appStep(t, a, appKey("esc"))
	if a.over.fullHelp || a.open != -1 {
		t.Errorf("esc did not close the help (help %v, open %d)", a.over.fullHelp, a.open)
	}
	if a.View() != strings.Replace(short, "›2 Ben", " 2 Ben", 1) && !strings.Contains(a.View(), "? help") {
		t.Errorf("after the help the footer is back:\n%s", a.View())
	}
	for _, w := range []int{20, 30, 40, 60, 120} {
		a = appStep(t, a, tea.WindowSizeMsg{Width: w, Height: 12})
		for _, full := range []bool{false, true} {
			for _, l := range drawHelp(a.over.keys, a.over.helpBar.help, full, w, layoutCompact) {
				if lw := len([]rune(l)); lw > w && w >= 30 {
					t.Errorf("help (full %v) at %d has a line of %d: %q", full, w, lw, l)
				}
				if !full && (strings.Contains(l, "…") || !strings.Contains(l, "? help")) {
					t.Errorf("short help at %d: %q", w, l)
				}
			}
		}
	}
}

// TestAppSnooze: s on the overview snoozes the alert at the top, the most
// urgent person's, exactly as s on their screen; the footer says whose.
// The next s goes to the next alert not snoozed yet; with nobody alerting
// it only says so.
func TestAppSnooze(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 80, 24, nil)
	ben, cleo := &a.people[1], &a.people[2]
	a = appStep(t, a, appKey("s"))
	if !ben.alerts.snoozed(testNow) || cleo.alerts.snoozed(testNow) {
		t.Fatalf("s snoozed Ben %v, Cleo %v; want Ben alone", ben.alerts.snoozed(testNow), cleo.alerts.snoozed(testNow))
	}
	// As s on his screen: the same state, the same duration.
	want := ben.alerts
	alone := load(t, people[1].Store, people[1].Config, 80, 24)
	alone = step(alone, appKey("s"))
	if alone.alerts.snoozedUntil != want.snoozedUntil {
		t.Errorf("snoozed until %v from the overview, %v on his screen", want.snoozedUntil, alone.alerts.snoozedUntil)
	}
	view := a.View()
	if !strings.Contains(view, "Ben: urgent low snoozed until 14:35") {
		t.Errorf("the footer does not say whose alert was snoozed:\n%s", view)
	}
	if !a.over.glances[1].Snoozed {
		t.Errorf("Ben's glance is not snoozed")
	}
	a = appStep(t, a, appKey("2"))
	if !strings.Contains(a.View(), "snoozed until 14:35") {
		t.Errorf("Ben's screen does not show his snooze:\n%s", a.View())
	}
	a = appStep(t, a, appKey("esc"))
	if strings.Contains(a.View(), "snoozed until") {
		t.Errorf("the notice outlived the next key:\n%s", a.View())
	}
	a = appStep(t, a, appKey("s"))
	if !cleo.alerts.snoozed(testNow) || !strings.Contains(a.View(), "Cleo: no data snoozed until 14:35") {
		t.Errorf("the second s did not snooze Cleo's alert, next at the top:\n%s", a.View())
	}
	// Everyone alerting is snoozed: s starts the first one's over.
	ben.alerts.snoozedUntil = testNow.Add(time.Minute)
	a.refresh(1)
	a = appStep(t, a, appKey("s"))
	if ben.alerts.snoozedUntil != want.snoozedUntil {
		t.Errorf("s with everyone snoozed did not snooze Ben again: until %v", ben.alerts.snoozedUntil)
	}

	quiet := loadApp(t, people[:1], 80, 24, nil)
	quiet = appStep(t, quiet, appKey("s"))
	if quiet.people[0].alerts.snoozed(testNow) || !strings.Contains(quiet.View(), "no alert to snooze") {
		t.Errorf("s with nobody alerting:\n%s", quiet.View())
	}
}

// TestAppLoginCommand: a person logged out says how to log in that
// person: their row and their screen name their account; the default
// account's stays plain `cgmtop login`.
func TestAppLoginCommand(t *testing.T) {
	people, _ := fourPeople()
	a := loadApp(t, people, 40, 12, nil)
	if !strings.Contains(a.View(), "run `cgmtop login --account dan`") {
		t.Errorf("Dan's row does not say how to log him in:\n%s", a.View())
	}
	for _, size := range [][2]int{{80, 24}, {40, 10}, {30, 8}} {
		a = appStep(t, a, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		a = appStep(t, a, appKey("4"))
		if v := a.View(); !strings.Contains(strings.Join(strings.Fields(v), " "), "`cgmtop login --account dan`") {
			t.Errorf("%dx%d: Dan's screen does not say how to log him in:\n%s", size[0], size[1], v)
		}
		a = appStep(t, a, appKey("esc"))
	}
	// Ben logs out while the App runs: his tile keeps his last hours and
	// says, whole, how to log him in.
	a = appStep(t, a, tea.WindowSizeMsg{Width: 80, Height: 24})
	a = appStep(t, a, PersonMsg{Person: 1, Msg: SyncedMsg{Err: errLoggedOutTest}})
	tile := a.over.rows[1].View()
	if !strings.Contains(tile, "logged out: run") || !strings.Contains(tile, "`cgmtop login --account ben`") || !strings.Contains(tile, "▇") {
		t.Errorf("Ben's tile after his logout:\n%s", tile)
	}
	a = appStep(t, a, PersonMsg{Person: 0, Msg: SyncedMsg{Err: errLoggedOutTest}})
	if g := a.over.glances[0]; g.Problem != errLoggedOutTest.Error() {
		t.Errorf("Ana, the default account, reads %q", g.Problem)
	}
}

func TestForAccount(t *testing.T) {
	for _, c := range []struct{ in, account, want string }{
		{"logged out: run `cgmtop login` to sync again", "ben", "logged out: run `cgmtop login --account ben` to sync again"},
		{"logged out: run `cgmtop login` to sync again", config.DefaultAccount, "logged out: run `cgmtop login` to sync again"},
		{"logged out: run `cgmtop login` to sync again", "", "logged out: run `cgmtop login` to sync again"},
		{"not logged in to Share: run `cgmtop login share`", "ben", "not logged in to Share: run `cgmtop login share --account ben`"},
		{"logged out: run `cgmtop login --account ben` to sync again", "ben", "logged out: run `cgmtop login --account ben` to sync again"},
		{"offline: cannot reach Dexcom", "ben", "offline: cannot reach Dexcom"},
	} {
		if got := forAccount(c.in, c.account); got != c.want {
			t.Errorf("forAccount(%q, %q) = %q, want %q", c.in, c.account, got, c.want)
		}
	}
	if got := shortError("logged out: run `cgmtop login --account ben` to sync again"); got[0] != "logged out: run `cgmtop login --account ben`" {
		t.Errorf("shortError keeps no account: %q", got)
	}
	if got := shortError("not logged in: run `cgmtop login`"); got[0] != "not logged in: run `cgmtop login`" {
		t.Errorf("shortError: %q", got)
	}
}

// TestAppSnoozeGolden: after s, Ben's row says snoozed and the footer
// whose alert it was.
func TestAppSnoozeGolden(t *testing.T) {
	appGolden(t, "overview_snoozed_40x12", 40, 12, "s")
}
