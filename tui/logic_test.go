package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

func TestClassify(t *testing.T) {
	th := config.Default().Thresholds // 54 / 70 / 180 / 250
	custom := config.Thresholds{UrgentLow: 60, Low: 80, High: 160, VeryHigh: 220}
	tests := []struct {
		mgdl float64
		t    config.Thresholds
		want theme.Range
	}{
		{40, th, theme.UrgentLow}, {53, th, theme.UrgentLow}, {54, th, theme.Low}, {69, th, theme.Low},
		{70, th, theme.InRange}, {180, th, theme.InRange}, {181, th, theme.High}, {250, th, theme.High},
		{251, th, theme.VeryHigh}, {400, th, theme.VeryHigh},
		{59, custom, theme.UrgentLow}, {75, custom, theme.Low}, {170, custom, theme.High}, {221, custom, theme.VeryHigh},
	}
	for _, tt := range tests {
		if got := classify(tt.mgdl, tt.t); got != tt.want {
			t.Errorf("classify(%v, %v) = %v, want %v", tt.mgdl, tt.t, got.Label(), tt.want.Label())
		}
	}
	// HIGH and LOW readings take the extreme bands whatever their Value.
	if got, _ := readingRange(client.Reading{Status: client.StatusHigh}, th); got != theme.VeryHigh {
		t.Errorf("HIGH reading in band %v", got.Label())
	}
	if got, _ := readingRange(client.Reading{Status: client.StatusLow, Value: 100}, th); got != theme.UrgentLow {
		t.Errorf("LOW reading in band %v", got.Label())
	}
}

func TestChooseLayout(t *testing.T) {
	tests := []struct {
		w, h int
		want layout
	}{
		{1, 1, layoutLine}, {29, 40, layoutLine}, {120, 3, layoutLine}, {200, 1, layoutLine},
		{30, 4, layoutCompact}, {30, 8, layoutCompact}, {39, 40, layoutCompact}, {120, 9, layoutCompact},
		{40, 10, layoutCompact}, {79, 15, layoutCompact}, {59, 30, layoutCompact},
		{60, 16, layoutMedium}, {79, 40, layoutMedium}, {200, 23, layoutMedium},
		{80, 24, layoutFull}, {120, 40, layoutFull},
	}
	for _, tt := range tests {
		if got := chooseLayout(tt.w, tt.h); got != tt.want {
			t.Errorf("chooseLayout(%d, %d) = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestFormatting(t *testing.T) {
	now := testNow
	prev := client.Reading{Time: now.Add(-5 * time.Minute), Value: 120, Status: client.StatusOK}
	cur := client.Reading{Time: now, Value: 128, Status: client.StatusOK}
	tests := []struct {
		got, want string
	}{
		{delta(cur, prev, client.MgDL), "+8"},
		{delta(cur, prev, client.MmolL), "+0.4"},
		{delta(prev, cur, client.MgDL), ""}, // previous newer than latest
		{delta(cur, client.Reading{Time: now.Add(-20 * time.Minute), Value: 100, Status: client.StatusOK}, client.MgDL), ""},
		{delta(client.Reading{Time: now, Status: client.StatusHigh}, prev, client.MgDL), ""},
		{valueText(client.Reading{Status: client.StatusHigh, Value: 412}, client.MgDL), "HIGH"},
		{valueText(client.Reading{Status: client.StatusLow, Value: 39}, client.MmolL), "LOW"},
		{valueText(cur, client.MmolL), "7.1"},
		{rateText(1.8, client.MgDL), "+1.8 mg/dL/min"},
		{rateText(-1.8, client.MmolL), "-0.10 mmol/L/min"},
		{rateText(0.04, client.MgDL), "0.0 mg/dL/min"},
		{rateText(-0.04, client.MgDL), "0.0 mg/dL/min"},
		{rateText(0, client.MmolL), "0.00 mmol/L/min"},
		{age(now, now.Add(-30*time.Second)), "just now"},
		{age(now, now.Add(-3*time.Minute)), "3 min ago"},
		{age(now, now.Add(-65*time.Minute)), "1 h 5 min ago"},
		{age(now, now.Add(-50*time.Hour)), "2 d 2 h ago"},
		{shortAge(now, now.Add(-25*time.Minute)), "25m"},
		{shortAge(now, now.Add(-90*time.Minute)), "1h30m"},
		{arrow(client.TrendDoubleDown, true), "vv"},
		{arrow(client.TrendFortyFiveUp, false), "↗"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestAlertEpisodes(t *testing.T) {
	all := [numAlerts]bool{true, true, true, true, true, true}
	low := conditions{alertLow: true}
	none := conditions{}
	at := func(min int) time.Time { return testNow.Add(time.Duration(min) * time.Minute) }

	type stepIn struct {
		min    int
		c      conditions
		snooze time.Duration // pressed before this step
		fires  bool
	}
	tests := []struct {
		name    string
		enabled [numAlerts]bool
		steps   []stepIn
	}{
		{"fires once per episode", all, []stepIn{
			{0, low, 0, true}, {5, low, 0, false}, {10, low, 0, false},
		}},
		{"a wobble across the limit does not re-fire", all, []stepIn{
			{0, low, 0, true}, {5, none, 0, false}, {10, low, 0, false},
		}},
		{"re-arms after the condition stays clear", all, []stepIn{
			{0, low, 0, true}, {5, none, 0, false}, {16, none, 0, false}, {20, low, 0, true},
		}},
		{"snooze silences, then reminds if still true", all, []stepIn{
			{0, low, 0, true}, {1, low, 30 * time.Minute, false}, {20, low, 0, false}, {31, low, 0, true}, {40, low, 0, false},
		}},
		{"a new episode during a snooze waits for its end", all, []stepIn{
			{0, none, 30 * time.Minute, false}, {10, low, 0, false}, {30, low, 0, true},
		}},
		{"an episode that ends during the snooze stays quiet", all, []stepIn{
			{0, low, 0, true}, {1, low, 15 * time.Minute, false}, {5, none, 0, false}, {20, none, 0, false},
		}},
		{"disabled alerts never fire", [numAlerts]bool{alertUrgentLow: true}, []stepIn{
			{0, low, 0, false}, {20, none, 0, false}, {40, low, 0, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s alertState
			for _, st := range tt.steps {
				if st.snooze > 0 {
					s = s.snooze(at(st.min), st.snooze)
				}
				var fired []alertKind
				s, fired = s.step(st.c, tt.enabled, at(st.min))
				if got := len(fired) > 0; got != st.fires {
					t.Errorf("minute %d: fired %v, want fire=%v", st.min, fired, st.fires)
				}
			}
		})
	}
}

func TestConditions(t *testing.T) {
	th := config.Default().Thresholds
	r := func(v int, trend client.Trend) client.Reading {
		return client.Reading{Time: testNow, Value: v, Status: client.StatusOK, Trend: trend}
	}
	tests := []struct {
		name  string
		r     client.Reading
		stale bool
		want  []alertKind
	}{
		{"in range, steady", r(120, client.TrendFlat), false, nil},
		{"low", r(65, client.TrendFlat), false, []alertKind{alertLow}},
		{"urgent low is not also low", r(50, client.TrendSingleDown), false, []alertKind{alertUrgentLow, alertFalling}},
		{"sensor LOW", client.Reading{Time: testNow, Status: client.StatusLow}, false, []alertKind{alertUrgentLow}},
		{"high and rising", r(200, client.TrendDoubleUp), false, []alertKind{alertHigh, alertRising}},
		{"fast rate without an arrow", client.Reading{Time: testNow, Value: 150, Status: client.StatusOK, HasRate: true, TrendRate: -2.5}, false, []alertKind{alertFalling}},
		{"stale hides the old low", r(50, client.TrendFlat), true, []alertKind{alertStale}},
		{"no reading at all", client.Reading{}, false, nil},
	}
	for _, tt := range tests {
		c := currentConditions(tt.r, tt.stale, th)
		var want conditions
		for _, k := range tt.want {
			want[k] = true
		}
		if c != want {
			t.Errorf("%s: conditions %v, want %v", tt.name, c, want)
		}
	}
}

func TestDesktopNotification(t *testing.T) {
	plain := desktopNotification("cgmtop", "LOW 62 mg/dL", false)
	if want := "\x1b]9;cgmtop: LOW 62 mg/dL\x07\x1b]777;notify;cgmtop;LOW 62 mg/dL\x07"; plain != want {
		t.Errorf("plain = %q, want %q", plain, want)
	}
	tmux := desktopNotification("cgmtop", "LOW", true)
	if want := "\x1bPtmux;\x1b\x1b]9;cgmtop: LOW\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;cgmtop;LOW\x07\x1b\\"; tmux != want {
		t.Errorf("tmux = %q, want %q", tmux, want)
	}
	// A control character in the text must not end the sequence early.
	if got := desktopNotification("a;b", "x\x07\x1by", false); strings.Count(got, "\x07") != 2 || strings.Count(got, "\x1b") != 2 {
		t.Errorf("unsanitised: %q", got)
	}
}

// recorder is a terminal that keeps what the monitor writes to it.
type recorder struct{ b strings.Builder }

func (r *recorder) Write(p []byte) (int, error) { return r.b.Write(p) }

func TestAlertRingsOncePerEpisode(t *testing.T) {
	store := normalStore()
	last := &store.readings[len(store.readings)-1]
	last.Value, last.Trend, last.HasRate = 50, client.TrendFlat, false
	cfg := config.Default() // urgent low and stale on, bell and desktop on
	m := New(Options{Store: store, Config: cfg, Clock: fixedClock{testNow}, Theme: theme.Dark()})
	rec := &recorder{}
	m.out, m.loc = rec, time.UTC
	m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})

	run := func(msg tea.Msg) {
		next, cmd := m.Update(msg)
		m = next.(Model)
		drain(cmd)
	}
	run(m.loadCmd()())
	if got := rec.b.String(); !strings.HasPrefix(got, "\a") || !strings.Contains(got, "URGENT LOW 50 mg/dL") {
		t.Fatalf("first load wrote %q, want a bell and a notification", got)
	}
	rec.b.Reset()
	run(m.loadCmd()())
	run(tickMsg{seq: m.tickSeq})
	if got := rec.b.String(); got != "" {
		t.Errorf("the same episode rang again: %q", got)
	}
	if !strings.Contains(m.View(), "URGENT LOW 50 mg/dL") {
		t.Error("the banner is gone while the condition holds")
	}
	run(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}})
	if !strings.Contains(m.View(), "snoozed until 14:35") {
		t.Errorf("no snooze shown:\n%s", m.View())
	}
}

// drain runs a command tree synchronously, except ticks, which would wait.
func drain(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg, isTick := peekTick(cmd)
	if batch, ok := msg.(tea.BatchMsg); ok && !isTick {
		for _, c := range batch {
			drain(c)
		}
	}
}

// peekTick tells tea.Tick commands apart without waiting on them: they
// are the only commands the monitor returns that block.
func peekTick(c tea.Cmd) (tea.Msg, bool) {
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case msg := <-done:
		return msg, false
	case <-time.After(50 * time.Millisecond):
		return nil, true
	}
}

func TestUnitToggleConvertsAndPersists(t *testing.T) {
	var saved []config.Config
	m := New(Options{
		Store: normalStore(), Config: config.Default(), Clock: fixedClock{testNow}, Theme: theme.Dark(),
		SaveConfig: func(c config.Config) error { saved = append(saved, c); return nil },
	})
	m.loc = time.UTC
	m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = step(m, m.loadCmd()())
	m = step(m, m.statsCmd()())
	before := m.View()

	next, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'u'}})
	m = next.(Model)
	if cmd == nil {
		t.Fatal("no save command")
	}
	if msg := cmd(); msg.(savedMsg).err != nil {
		t.Fatal(msg)
	}
	if len(saved) != 1 || saved[0].Units != "mmol/L" {
		t.Fatalf("saved %+v, want units mmol/L", saved)
	}
	after := m.View()
	for _, want := range []string{"mmol/L", "3.9–10.0", "<3.0", "13.9"} {
		if !strings.Contains(after, want) {
			t.Errorf("mmol/L view lacks %q", want)
		}
	}
	if strings.Contains(after, "mg/dL") {
		t.Errorf("mmol/L view still shows mg/dL:\n%s", after)
	}
	m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'u'}})
	if m.View() != before {
		t.Error("toggling twice does not give the mg/dL screen back")
	}

	// A failed save is said, and the toggle still applies for this run.
	m = step(m, savedMsg{err: errors.New("read-only file system")})
	if !strings.Contains(m.View(), "could not save the unit") {
		t.Error("save error not shown")
	}
}

func TestTickMovesAgeWithoutRefetch(t *testing.T) {
	clk := &stepClock{t: testNow}
	store := normalStore()
	m := New(Options{Store: store, Config: config.Default(), Clock: clk, Theme: theme.Dark()})
	m.loc = time.UTC
	m = step(m, tea.WindowSizeMsg{Width: 40, Height: 10})
	m = step(m, m.loadCmd()())
	if !strings.Contains(m.View(), "5 min ago") {
		t.Fatalf("want 5 min ago:\n%s", m.View())
	}
	store.err = errBroken // any query now would show an error
	clk.t = clk.t.Add(3 * time.Minute)
	next, cmd := m.Update(tickMsg{seq: m.tickSeq})
	m = next.(Model)
	if cmd == nil {
		t.Fatal("the tick was not re-armed")
	}
	view := m.View()
	if !strings.Contains(view, "8 min ago") || strings.Contains(view, "locked") {
		t.Errorf("after a tick want 8 min ago and no query:\n%s", view)
	}
}

// stepClock is a clock a test moves by hand.
type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time                         { return c.t }
func (c *stepClock) After(d time.Duration) <-chan time.Time { return fixedClock{c.t}.After(d) }
func (c *stepClock) Wall(d time.Duration) time.Duration     { return d }

func TestSyncedReloadsAndDropsStaleLoads(t *testing.T) {
	store := &memStore{}
	m := load(t, store, config.Default(), 80, 24)
	if !strings.Contains(m.View(), "waiting for the first sync") {
		t.Fatalf("empty cache:\n%s", m.View())
	}
	old := m.loadCmd() // a load started before the sync finished

	store.readings = generate(testNow.Add(-time.Hour), testNow.Add(-time.Minute))
	next, cmd := m.Update(SyncedMsg{Added: len(store.readings), Next: testNow.Add(5 * time.Minute)})
	m = next.(Model)
	if cmd == nil {
		t.Fatal("SyncedMsg did not reload")
	}
	m = step(m, old()) // arrives late: must be dropped
	if m.hasReading() {
		t.Error("a superseded load was applied")
	}
	m = step(m, m.loadCmd()())
	if !m.hasReading() || strings.Contains(m.View(), "waiting for the first sync") {
		t.Errorf("after the sync:\n%s", m.View())
	}
}

func TestErrorKeepsLastReading(t *testing.T) {
	store := normalStore()
	m := load(t, store, config.Default(), 80, 24)
	store.err = errBroken
	m = step(m, SyncedMsg{Err: errors.New("network is unreachable")})
	m = step(m, m.loadCmd()())
	v := m.View()
	for _, want := range []string{"network is unreachable", "steady", "5 min ago"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// Every size from tiny to wide renders within the terminal, and resizing
// back and forth never breaks the chart.
func TestAnySize(t *testing.T) {
	m := load(t, normalStore(), config.Default(), 80, 24)
	for w := 1; w <= 130; w += 7 {
		for h := 1; h <= 45; h += 4 {
			m = step(m, tea.WindowSizeMsg{Width: w, Height: h})
			checkSize(t, m.View(), w, h)
		}
	}
	for _, k := range []string{"1", "2", "3", "4", "+", "-", "?", "p", "p", "?"} {
		m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		checkSize(t, m.View(), 130, 45)
	}
}

func TestKeys(t *testing.T) {
	m := load(t, normalStore(), config.Default(), 120, 40)
	press := func(k string) { m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}) }
	press("4")
	if !strings.Contains(m.View(), "last 24h") {
		t.Error("4 does not show 24h")
	}
	press("+")
	if !strings.Contains(m.View(), "last 12h") {
		t.Error("+ does not zoom in")
	}
	press("p")
	if !strings.Contains(m.View(), "Statistics · last 7 days") {
		t.Error("p does not cycle the statistics")
	}
	press("?")
	if !strings.Contains(m.View(), "3/6/12/24h") {
		t.Error("? does not show the full help")
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if cmd == nil || cmd() != tea.Quit() {
		t.Error("q does not quit")
	}
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if cmd == nil || cmd() != tea.Quit() {
		t.Error("ctrl+c does not quit")
	}
}

func TestBigText(t *testing.T) {
	got, ok := bigText("10.2")
	if !ok {
		t.Fatal("digits missing from the font")
	}
	want := [bigHeight]string{
		"▄█  █▀█   ▀▀█",
		" █  █ █   █▀▀",
		"▀▀▀ ▀▀▀ ▀ ▀▀▀",
	}
	if got != want {
		t.Errorf("bigText(10.2) =\n%s\nwant\n%s", strings.Join(got[:], "\n"), strings.Join(want[:], "\n"))
	}
	if _, ok := bigText("x"); ok {
		t.Error("a glyph outside the font was drawn")
	}
	if w := bigWidth("HIGH"); w != len([]rune(mustBig(t, "HIGH")[0])) {
		t.Errorf("bigWidth(HIGH) = %d, drawn %d", w, len([]rune(mustBig(t, "HIGH")[0])))
	}
}

func mustBig(t *testing.T, s string) [bigHeight]string {
	b, ok := bigText(s)
	if !ok {
		t.Fatalf("bigText(%q) failed", s)
	}
	return b
}

// The chart shows a gap as a gap: nothing is drawn in the columns of a
// stretch without readings.
func TestChartGap(t *testing.T) {
	from := testNow.Add(-3 * time.Hour)
	rs := generate(from, testNow, gap{from.Add(time.Hour), from.Add(2 * time.Hour)})
	var p chartPane
	p.draw(chartInput{readings: rs, from: from, to: testNow, width: 62, height: 12,
		theme: theme.Dark(), thresholds: config.Default().Thresholds, unit: client.MgDL, loc: time.UTC})
	lines := strings.Split(p.view, "\n")
	g := chartGeometry{left: 4, width: 62 - 4, from: from, to: testNow}
	// Columns well inside the gap hold no braille dots.
	for x := g.col(from.Add(70*time.Minute)) + 1; x < g.col(from.Add(110*time.Minute)); x++ {
		for y, l := range lines[:10] {
			r := []rune(l)
			if x < len(r) && r[x] >= 0x2800 && r[x] <= 0x28FF {
				t.Fatalf("dot at column %d row %d inside the gap:\n%s", x, y, p.view)
			}
		}
	}
	// And columns with data hold some.
	if !strings.ContainsAny(strings.Join(lines[:10], ""), "⠁⠂⠄⡀⢀⠈⠐⠠⣀⠉⠒⠤") {
		t.Errorf("no line drawn:\n%s", p.view)
	}
}

// The chart and sparkline survive values they must never be given raw.
func TestChartOddValues(t *testing.T) {
	rs := []client.Reading{
		{Time: testNow.Add(-20 * time.Minute), Status: client.StatusHigh},
		{Time: testNow.Add(-15 * time.Minute), Status: client.StatusLow},
		{Time: testNow.Add(-10 * time.Minute), Value: 0, Status: client.StatusOK},
		{Time: testNow.Add(-5 * time.Minute), Value: 600, Status: client.StatusOK},
		{Time: testNow.Add(time.Hour), Value: 100, Status: client.StatusOK}, // in the future
	}
	in := chartInput{readings: rs, from: testNow.Add(-3 * time.Hour), to: testNow, theme: theme.Dark(),
		thresholds: config.Default().Thresholds, unit: client.MmolL, loc: time.UTC}
	for _, size := range [][2]int{{1, 1}, {12, 4}, {80, 20}} {
		in.width, in.height = size[0], size[1]
		var c chartPane
		c.draw(in)
		var s sparkPane
		s.draw(in)
	}
}

// TestAlertsNameThePerson is issue 14's alerts for one of several people:
// the banner (whole, and cut to its name when narrow) and the desktop
// notification say whose glucose it is; without a name they read as
// before. Snooze belongs to each person's monitor.
func TestAlertsNameThePerson(t *testing.T) {
	load := func(name string, w int) (Model, *recorder) {
		s := normalStore()
		last := &s.readings[len(s.readings)-1]
		last.Value, last.Trend, last.HasRate = 52, client.TrendSingleDown, false
		m := New(Options{Store: s, Config: config.Default(), Clock: fixedClock{testNow}, Theme: theme.Dark(), Name: name})
		rec := &recorder{}
		m.out, m.loc = rec, time.UTC
		m = step(m, tea.WindowSizeMsg{Width: w, Height: 24})
		next, cmd := m.Update(m.loadCmd()())
		drain(cmd)
		return next.(Model), rec
	}
	for _, c := range []struct {
		name   string
		w      int
		banner string
		notify string
	}{
		{"Ben", 80, "⚠ Ben: urgent low 52 ↓  s: snooze", "cgmtop: Ben: urgent low 52 ↓"},
		{"Ben", 30, "⚠ Ben: urgent low  s: snooze", "cgmtop: Ben: urgent low 52 ↓"},
		{"", 80, "⚠ URGENT LOW 52 mg/dL  s: snooze", "cgmtop: URGENT LOW 52 mg/dL\x07"},
		{"", 30, "⚠ URGENT LOW  s: snooze", "cgmtop: URGENT LOW 52 mg/dL\x07"},
	} {
		m, rec := load(c.name, c.w)
		if v := ansi.Strip(m.View()); !strings.Contains(v, c.banner) {
			t.Errorf("%q at %d columns: no %q in\n%s", c.name, c.w, c.banner, v)
		}
		if got := rec.b.String(); !strings.HasPrefix(got, "\a") || !strings.Contains(got, c.notify) {
			t.Errorf("%q: bell and notification %q, want %q", c.name, got, c.notify)
		}
	}

	ben, _ := load("Ben", 80)
	ana, _ := load("Ana", 80)
	ben = step(ben, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'s'}})
	if !strings.Contains(ben.View(), "snoozed until") || strings.Contains(ana.View(), "snoozed") {
		t.Errorf("snoozing Ben's alerts reached Ana's:\n%s\n%s", ben.View(), ana.View())
	}
}

// TestHighAlertSaysWhereItGoes: a high alert carries the value and its
// arrow, as the lows do for a named person.
func TestHighAlertSaysWhereItGoes(t *testing.T) {
	s := normalStore()
	last := &s.readings[len(s.readings)-1]
	last.Value, last.Trend, last.HasRate = 245, client.TrendSingleUp, false
	cfg := config.Default()
	cfg.Alerts.High = true
	for name, want := range map[string]string{"": "HIGH 245 mg/dL ↑", "Ben": "Ben: high 245 ↑"} {
		m := loadNamed(t, s, cfg, name, 80, 24)
		if v := ansi.Strip(m.View()); !strings.Contains(v, "⚠ "+want+"  s: snooze") {
			t.Errorf("name %q: no %q banner in\n%s", name, want, v)
		}
	}
}

func loadNamed(t *testing.T, store Store, cfg config.Config, name string, w, h int) Model {
	t.Helper()
	m := New(Options{Store: store, Config: cfg, Clock: fixedClock{testNow}, Theme: theme.Dark(), Name: name})
	m.loc, m.out = time.UTC, discard{}
	m = step(m, tea.WindowSizeMsg{Width: w, Height: h})
	return step(m, m.loadCmd()())
}
