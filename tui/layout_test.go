package tui

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

func pointsOf(vs ...float64) []point {
	pts := make([]point, len(vs))
	for i, v := range vs {
		pts[i] = point{t: testNow.Add(time.Duration(i) * 5 * time.Minute), v: v}
	}
	return pts
}

func TestChartScale(t *testing.T) {
	th := config.Default().Thresholds // low 70, high 180
	tests := []struct {
		name   string
		pts    []point
		unit   client.Unit
		rows   int
		lo, hi float64 // the scale must reach at least this far
		step   float64 // the tick step, in the unit
	}{
		{"in range: the band sets the scale", pointsOf(90, 140), client.MgDL, 29, 70, 180, 20},
		{"short chart: fewer ticks", pointsOf(90, 140), client.MgDL, 10, 70, 180, 50},
		{"a spike widens it", pointsOf(90, 320), client.MgDL, 29, 70, 320, 50},
		{"HIGH plots at 400", pointsOf(150, 400), client.MgDL, 10, 70, 400, 100},
		{"a low widens it down", pointsOf(45, 120), client.MgDL, 20, 45, 180, 20},
		{"no data: the band alone", nil, client.MgDL, 29, 70, 180, 20},
		{"mmol/L ticks whole", pointsOf(90, 140), client.MmolL, 29, 70, 180, 1},
		{"short mmol/L chart ticks every 2", pointsOf(90, 140), client.MmolL, 8, 70, 180, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := chartScale(tt.pts, th, tt.unit, tt.rows)
			if s.lo > tt.lo || s.hi < tt.hi {
				t.Errorf("scale %.0f–%.0f does not reach %.0f–%.0f", s.lo, s.hi, tt.lo, tt.hi)
			}
			// A margin, not a wasted half: at most 15% beyond what must show.
			if extra := (tt.lo - s.lo) + (s.hi - tt.hi); extra > 0.15*(s.hi-s.lo) {
				t.Errorf("scale %.0f–%.0f wastes %.0f mg/dL around %.0f–%.0f", s.lo, s.hi, extra, tt.lo, tt.hi)
			}
			if len(s.ticks) == 0 || len(s.ticks) > maxTicks {
				t.Fatalf("%d ticks: %v", len(s.ticks), s.ticks)
			}
			for i, v := range s.ticks {
				u := tt.unit.Convert(v)
				if r := math.Mod(u+1e-9, tt.step); r > 1e-6 {
					t.Errorf("tick %v (%.2f %s) is not a multiple of %v", v, u, tt.unit, tt.step)
				}
				if v < s.lo || v > s.hi {
					t.Errorf("tick %v outside %v–%v", v, s.lo, s.hi)
				}
				if i > 0 {
					if gap := (v - s.ticks[i-1]) / (s.hi - s.lo) * float64(tt.rows); gap < minTickGap {
						t.Errorf("ticks %v and %v are %.1f rows apart", s.ticks[i-1], v, gap)
					}
				}
			}
		})
	}
}

func TestSparkScale(t *testing.T) {
	th := config.Default().Thresholds // low 70, high 180
	tests := []struct {
		name           string
		pts            []point
		wantLow, wantH bool // the threshold lies inside the scale
	}{
		{"far from both: the data alone", pointsOf(108, 148), false, false},
		{"near the low", pointsOf(80, 130), true, false},
		{"near the high", pointsOf(120, 170), false, true},
		{"across both", pointsOf(79, 186), true, true},
		{"a wide swing reaches further", pointsOf(100, 160), true, true},
		{"no data: the band", nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sparkScale(tt.pts, th)
			in := func(v int) bool { return float64(v) >= s.lo && float64(v) <= s.hi }
			if in(th.Low) != tt.wantLow || in(th.High) != tt.wantH {
				t.Errorf("scale %.0f–%.0f: low inside %v (want %v), high inside %v (want %v)",
					s.lo, s.hi, in(th.Low), tt.wantLow, in(th.High), tt.wantH)
			}
			if lo, hi, ok := valueSpan(tt.pts); ok && (lo <= s.lo || hi >= s.hi) {
				t.Errorf("scale %.0f–%.0f leaves no margin around %.0f–%.0f", s.lo, s.hi, lo, hi)
			}
		})
	}
	// A flat night is not blown up into waves.
	if s := sparkScale(pointsOf(100, 104), th); s.hi-s.lo < minSparkSpan {
		t.Errorf("flat data scaled to %.0f–%.0f", s.lo, s.hi)
	}
}

func TestWrapWords(t *testing.T) {
	tests := []struct {
		s       string
		w, n    int
		want    []string
		wantCut bool
	}{
		{"short", 20, 2, []string{"short"}, false},
		{"one two three four", 9, 2, []string{"one two", "three…"}, true},
		{"one two three four", 9, 3, []string{"one two", "three", "four"}, false},
		{"one two three four", 13, 2, []string{"one two three", "four"}, false},
		{"averyveryverylongword tail", 8, 1, []string{"averyve…"}, true},
		{"anything", 10, 0, nil, true},
	}
	for _, tt := range tests {
		got, cut := wrapWords(tt.s, tt.w, tt.n)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || cut != tt.wantCut {
			t.Errorf("wrapWords(%q, %d, %d) = %q, %v; want %q, %v", tt.s, tt.w, tt.n, got, cut, tt.want, tt.wantCut)
		}
	}
	if got := clipWords("no data for 30 min", 14); got != "no data for…" {
		t.Errorf("clipWords = %q", got)
	}
}

// The compact layout fills the pane: no blank row anywhere, the value
// first, the sparkline scaled so it is not a block of solid bars, the
// window named, the help last — at every small size.
func TestCompactFillsThePane(t *testing.T) {
	for _, size := range [][2]int{{30, 8}, {40, 10}, {36, 12}, {59, 13}, {45, 20}, {100, 9}} {
		w, h := size[0], size[1]
		m := load(t, normalStore(), config.Default(), w, h)
		if l := chooseLayout(w, h); l != layoutCompact {
			t.Fatalf("%dx%d is %v", w, h, l)
		}
		lines := strings.Split(ansi.Strip(m.View()), "\n")
		if len(lines) != h {
			t.Errorf("%dx%d: %d lines", w, h, len(lines))
		}
		for i, l := range lines {
			if strings.TrimSpace(l) == "" {
				t.Errorf("%dx%d: line %d is blank:\n%s", w, h, i, m.View())
			}
		}
		// Bars while they are short; a line chart once bars would be a wall.
		f := m.frame()
		braille := strings.ContainsAny(m.View(), "⠁⠂⠄⡀⢀⠈⠐⠠⣀⠉⠒⠤")
		if tall := f.chartH >= lineChartRows && w >= 40; tall != braille || tall == f.spark {
			t.Errorf("%dx%d: %d rows of history drawn as a line chart %v:\n%s", w, h, f.chartH, braille, m.View())
		}
		if h < 14 && !plainValue.MatchString(lines[0]) { // from 14 rows, big digits
			t.Errorf("%dx%d: first line %q is not the value", w, h, lines[0])
		}
		if !strings.Contains(m.View(), "3h") || !strings.Contains(lines[h-1], "? help") {
			t.Errorf("%dx%d: no window label or help:\n%s", w, h, m.View())
		}
	}
}

// plainValue is how a person finds the value: a number, its unit, an arrow.
var plainValue = regexp.MustCompile(`^\d+(\.\d)? (mg/dL|mmol/L) [⇈↑↗→↘↓⇊]`)

// The sparkline uses its rows: the highest reading reaches the top row,
// the lowest stays near the bottom, and a gap in the data is empty.
func TestSparklineScaledWithGaps(t *testing.T) {
	from := testNow.Add(-3 * time.Hour)
	rs := generate(from, testNow, gap{from.Add(60 * time.Minute), from.Add(100 * time.Minute)})
	var p sparkPane
	const w, h = 36, 6
	p.draw(chartInput{readings: rs, from: from, to: testNow, width: w, height: h,
		theme: theme.Dark(), thresholds: config.Default().Thresholds, unit: client.MgDL, loc: time.UTC})
	rows := strings.Split(ansi.Strip(p.view), "\n")
	if len(rows) != h {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), h, p.view)
	}
	gutter := strings.IndexAny(rows[0], "│┤") + 1
	bars := func(r string) []rune { return []rune(r)[gutter:] }
	top, bottom := bars(rows[0]), bars(rows[h-1])
	if !strings.ContainsAny(string(top), "▁▂▃▄▅▆▇█") {
		t.Errorf("nothing reaches the top row:\n%s", p.view)
	}
	full := strings.Count(string(bottom), "█")
	if full == len(bottom) {
		t.Errorf("the bottom row is solid: the scale starts too low:\n%s", p.view)
	}
	// Columns well inside the gap hold no bar in any row.
	cols := len(bottom)
	first := int(float64(cols) * 65 / 180)
	last := int(float64(cols) * 95 / 180)
	for x := first; x <= last; x++ {
		for y, r := range rows {
			if c := bars(r)[x]; strings.ContainsRune("▁▂▃▄▅▆▇█", c) {
				t.Fatalf("bar at column %d row %d inside the gap:\n%s", x, y, p.view)
			}
		}
	}
	if !strings.HasPrefix(ansi.Strip(p.caption), "last 3h") {
		t.Errorf("caption %q", p.caption)
	}
}

// The short help never cuts a key in half and keeps ? and q to the
// narrowest compact width.
func TestHelpFits(t *testing.T) {
	m := load(t, normalStore(), config.Default(), 80, 24)
	for w := 30; w <= 130; w += 5 {
		for _, l := range []layout{layoutCompact, layoutMedium, layoutFull} {
			line := ansi.Strip(m.helpLines(w, l)[0])
			if len([]rune(line)) > w || strings.Contains(line, "…") {
				t.Errorf("width %d %v: %q", w, l, line)
			}
			if !strings.Contains(line, "? help") || !strings.Contains(line, "q quit") {
				t.Errorf("width %d %v lacks ? or q: %q", w, l, line)
			}
			if l != layoutFull && strings.Contains(line, "stats") {
				t.Errorf("width %d %v offers statistics it does not show: %q", w, l, line)
			}
		}
	}
	m.fullHelp = true
	for _, w := range []int{30, 40, 60, 120} {
		full := ansi.Strip(strings.Join(m.helpLines(w, layoutCompact), "\n"))
		for _, want := range []string{"zoom in", "zoom out", "3/6/12/24h", "stats period", "units", "snooze", "close help", "quit"} {
			if !strings.Contains(full, want) {
				t.Errorf("full help at %d lacks %q:\n%s", w, want, full)
			}
		}
		for _, l := range strings.Split(full, "\n") {
			if len([]rune(l)) > w {
				t.Errorf("full help at %d has a line of %d: %q", w, len([]rune(l)), l)
			}
		}
	}
}

// wallClock records every wait the monitor asks the program to arm.
type wallClock struct {
	t     time.Time
	waits []time.Duration
}

func (c *wallClock) Now() time.Time                         { return c.t }
func (c *wallClock) After(d time.Duration) <-chan time.Time { return fixedClock{c.t}.After(d) }
func (c *wallClock) Wall(d time.Duration) time.Duration {
	c.waits = append(c.waits, d)
	return d
}

// Idle, the monitor wakes once a minute and no more: one tick chain, never
// a faster one, and keys, resizes and reloads of the same data arm none.
func TestOneMinuteTickWhileIdle(t *testing.T) {
	clk := &wallClock{t: testNow}
	m := New(Options{Store: normalStore(), Config: config.Default(), Clock: clk, Theme: theme.Dark()})
	m.loc = time.UTC
	m.Init()
	m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	first := m.tickSeq
	m = step(m, m.loadCmd()()) // a new newest reading: the tick re-aligns to it
	if m.tickSeq == first {
		t.Fatal("the tick did not re-align to the new reading")
	}
	m = step(m, m.loadCmd()()) // the same data again
	for _, k := range []string{"u", "u", "+", "?", "?"} {
		m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	m = step(m, tea.WindowSizeMsg{Width: 40, Height: 10})
	if len(clk.waits) != 2 {
		t.Fatalf("armed %d waits (%v), want the first and the re-aligned one", len(clk.waits), clk.waits)
	}
	// The superseded tick is dropped and arms nothing.
	if _, cmd := m.Update(tickMsg{seq: first}); cmd != nil {
		t.Error("a superseded tick re-armed")
	}
	// Each live tick arms exactly the next, a minute or less away.
	for range 5 {
		clk.t = clk.t.Add(time.Minute)
		next, cmd := m.Update(tickMsg{seq: m.tickSeq})
		m = next.(Model)
		if cmd == nil {
			t.Fatal("the tick was not re-armed")
		}
	}
	if len(clk.waits) != 7 {
		t.Errorf("armed %d waits, want 7", len(clk.waits))
	}
	for _, d := range clk.waits {
		if d > time.Minute+time.Second || d < time.Second {
			t.Errorf("a wait of %v", d)
		}
	}
}

// Every state says what it is in words at every size, so it reads without
// colour: the value or its absence, and stale, HIGH, LOW, error.
func TestStatesUnmistakable(t *testing.T) {
	for _, sc := range scenarios {
		// Big digits spell HIGH and LOW in pixels; the words beside
		// them say it too.
		want := map[string]*regexp.Regexp{
			"high":   regexp.MustCompile(`HIGH|above 400`),
			"low":    regexp.MustCompile(`LOW|below 40`),
			"stale":  regexp.MustCompile(`no data`),
			"nodata": regexp.MustCompile(`---`),
			"error":  regexp.MustCompile("cgmtop login|login expired"),
		}[sc.name]
		if want == nil {
			continue
		}
		for _, size := range [][2]int{{20, 1}, {50, 2}, {30, 4}, {30, 8}, {40, 10}, {60, 16}, {80, 24}, {120, 40}} {
			cfg := config.Default()
			if sc.cfg != nil {
				sc.cfg(&cfg)
			}
			m := load(t, sc.store(), cfg, size[0], size[1], sc.msgs...)
			re := want
			if size[0] < 30 && sc.name == "error" {
				re = regexp.MustCompile("⚠") // a flag: no room for words
			}
			if v := m.View(); !re.MatchString(v) {
				t.Errorf("%s at %dx%d lacks %q:\n%s", sc.name, size[0], size[1], re, v)
			}
		}
	}
}
