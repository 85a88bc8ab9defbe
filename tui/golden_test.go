package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	// Goldens are plain text: what a monochrome terminal shows, which
	// is also the test that no meaning hides in colour alone.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// checkGolden compares got with testdata/name.golden.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run Golden -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; got:\n%s\nwant:\n%s", name, got, want)
	}
}

// testNow is the instant every screen is drawn at: 14:05 UTC.
var testNow = time.Date(2025, 3, 14, 14, 5, 0, 0, time.UTC)

type scenario struct {
	name  string
	store func() *memStore
	cfg   func(*config.Config)
	demo  bool
	msgs  []tea.Msg // sent after the load
}

func normalStore() *memStore {
	rs := generate(testNow.Add(-14*24*time.Hour), testNow.Add(-2*time.Minute),
		gap{testNow.Add(-150 * time.Minute), testNow.Add(-105 * time.Minute)})
	return &memStore{
		readings: rs,
		events: []client.Event{
			{Time: testNow.Add(-140 * time.Minute), Type: "carbs", Value: "45", Unit: "grams"},
			{Time: testNow.Add(-145 * time.Minute), Type: "insulin", Value: "4", Unit: "units"},
			{Time: testNow.Add(-60 * time.Minute), Type: "exercise", Value: "30", Unit: "minutes"},
		},
		devices: []client.Device{{Generation: "g7", DisplayDevice: "iOS", DisplayApp: "G7", LastUpload: testNow.Add(-2 * time.Minute)}},
		sync:    cache.SyncStatus{LastAttempt: testNow.Add(-time.Minute), LastSuccess: testNow.Add(-time.Minute), NextPoll: testNow.Add(4 * time.Minute)},
	}
}

// withLatest replaces the newest reading.
func withLatest(f func(*client.Reading)) func() *memStore {
	return func() *memStore {
		s := normalStore()
		f(&s.readings[len(s.readings)-1])
		return s
	}
}

var scenarios = []scenario{
	{name: "normal", store: normalStore},
	{name: "high", store: withLatest(func(r *client.Reading) {
		r.Status, r.Value, r.Trend, r.HasRate = client.StatusHigh, 0, client.TrendSingleUp, false
	})},
	{name: "low", store: withLatest(func(r *client.Reading) {
		r.Status, r.Value, r.Trend, r.HasRate = client.StatusLow, 0, client.TrendSingleDown, false
	})},
	{name: "stale", store: func() *memStore {
		s := normalStore()
		s.readings = s.readings[:len(s.readings)-5] // newest is 27 min old
		return s
	}},
	{name: "nodata", store: func() *memStore { return &memStore{} }},
	{name: "mmol", store: normalStore, cfg: func(c *config.Config) { c.Units = "mmol/L" }},
	{name: "error", store: func() *memStore {
		s := normalStore()
		s.sync.LastError = "Dexcom login expired or revoked: run `cgmtop login`"
		s.sync.LastSuccess = testNow.Add(-42 * time.Minute)
		return s
	}, msgs: []tea.Msg{SyncedMsg{Err: client.ErrUnauthorized}}},
	{name: "ascii", store: normalStore, cfg: func(c *config.Config) { c.ASCII = true }},
	{name: "demo", store: normalStore, demo: true},
}

// goldenSizes are the layouts: one line (a short tmux split), compact at
// its smallest and at the classic small pane, medium, full, full and wide.
var goldenSizes = [][2]int{{50, 2}, {30, 8}, {40, 10}, {60, 16}, {80, 24}, {120, 40}}

// load builds a monitor on store and runs its first load synchronously, as
// the program would run the commands.
func load(t testing.TB, store Store, cfg config.Config, w, h int, msgs ...tea.Msg) Model {
	t.Helper()
	return loadDemo(t, store, cfg, false, w, h, msgs...)
}

// loadDemo is load with the DEMO badge on or off.
func loadDemo(t testing.TB, store Store, cfg config.Config, demo bool, w, h int, msgs ...tea.Msg) Model {
	t.Helper()
	m := New(Options{Store: store, Config: cfg, Clock: fixedClock{testNow}, Theme: theme.Dark(), Demo: demo})
	m.loc = time.UTC
	m.out = discard{}
	m = step(m, tea.WindowSizeMsg{Width: w, Height: h})
	m = step(m, m.loadCmd()())
	m = step(m, m.statsCmd()())
	for _, msg := range msgs {
		m = step(m, msg)
		if _, ok := msg.(SyncedMsg); ok {
			m = step(m, m.loadCmd()())
		}
	}
	return m
}

func step(m Model, msg tea.Msg) Model {
	next, _ := m.Update(msg)
	return next.(Model)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestGolden(t *testing.T) {
	for _, sc := range scenarios {
		for _, size := range goldenSizes {
			name := fmt.Sprintf("%s_%dx%d", sc.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				cfg := config.Default()
				if sc.cfg != nil {
					sc.cfg(&cfg)
				}
				m := loadDemo(t, sc.store(), cfg, sc.demo, size[0], size[1], sc.msgs...)
				got := m.View()
				checkSize(t, got, size[0], size[1])
				checkGolden(t, name, got)
			})
		}
	}
}

// checkSize fails when a view would wrap or scroll the terminal.
func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, terminal has %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d wide, terminal is %d: %q", i, lw, w, l)
		}
	}
}
