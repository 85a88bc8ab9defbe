package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// agpCache is a real SQLite cache holding 30 days before testNow, with a
// day without the sensor, a HIGH afternoon and a LOW night.
func agpCache(t testing.TB) *cache.DB {
	t.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(t.TempDir(), "acct", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rs := generate(testNow.Add(-30*24*time.Hour), testNow.Add(-2*time.Minute),
		gap{testNow.Add(-4 * 24 * time.Hour), testNow.Add(-3 * 24 * time.Hour)})
	for i := range rs {
		switch h := rs[i].Time.Sub(testNow.Add(-10 * 24 * time.Hour)); {
		case h >= 15*time.Hour && h < 17*time.Hour:
			rs[i].Status, rs[i].Value = client.StatusHigh, 0
		case h >= 27*time.Hour && h < 28*time.Hour:
			rs[i].Status, rs[i].Value = client.StatusLow, 0
		}
	}
	if _, err := db.PutReadings(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	return db
}

// openScreen opens the monitor's AGP or daily screen on store at w×h and
// runs its load to the end.
func openScreen(t testing.TB, store Store, key string, w, h int, cfg config.Config) Model {
	t.Helper()
	m := New(Options{Store: store, Config: cfg, Clock: clock.NewManual(testNow), Theme: theme.Dark()})
	m.screen.loc = time.UTC
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	next, cmd := next.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(key)})
	if cmd == nil {
		t.Fatal("opening the screen started no load")
	}
	next, _ = next.Update(cmd())
	return next.(Model)
}

var screenSizes = [][2]int{{40, 10}, {80, 24}, {120, 40}, {200, 60}}

func TestAgpScreensGolden(t *testing.T) {
	db := agpCache(t)
	for _, key := range []string{"a", "d"} {
		for _, sz := range screenSizes {
			name := map[string]string{"a": "agp", "d": "daily"}[key]
			t.Run(fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]), func(t *testing.T) {
				m := openScreen(t, db, key, sz[0], sz[1], config.Default())
				got := m.View()
				checkScreenFits(t, got, sz[0], sz[1])
				checkGolden(t, fmt.Sprintf("screen_%s_%dx%d", name, sz[0], sz[1]), got)
			})
		}
	}
}

// TestAgpScreensUnitsGolden: the same screens in mmol/L and in ASCII.
func TestAgpScreensUnitsGolden(t *testing.T) {
	db := agpCache(t)
	mmol := config.Default()
	mmol.Units = client.MmolL.String()
	ascii := config.Default()
	ascii.ASCII = true
	for _, tt := range []struct {
		name string
		key  string
		cfg  config.Config
	}{
		{"agp_mmol", "a", mmol}, {"daily_mmol", "d", mmol}, {"agp_ascii", "a", ascii}, {"daily_ascii", "d", ascii},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := openScreen(t, db, tt.key, 80, 24, tt.cfg)
			got := m.View()
			checkScreenFits(t, got, 80, 24)
			checkGolden(t, "screen_"+tt.name+"_80x24", got)
		})
	}
}

func checkScreenFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d cells wide, want ≤ %d: %q", i, lipgloss.Width(l), w, l)
		}
	}
}

// TestAgpScreenKeys walks the screen as a user does: period, view, units,
// back to the monitor.
func TestAgpScreenKeys(t *testing.T) {
	db := agpCache(t)
	m := openScreen(t, db, "a", 80, 24, config.Default())
	if !strings.Contains(m.View(), "AGP · 14 days") {
		t.Fatalf("AGP screen:\n%s", m.View())
	}
	press := func(k string) {
		var next tea.Model
		var cmd tea.Cmd
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		if k == "esc" {
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		}
		next, cmd = m.Update(msg)
		if cmd != nil {
			if out := cmd(); out != nil {
				if _, ok := out.(agpLoadedMsg); ok {
					next, _ = next.Update(out)
				}
			}
		}
		m = next.(Model)
	}
	press("4")
	if v := m.View(); !strings.Contains(v, "AGP · 90 days") || !strings.Contains(v, "days 31 of 90") || !strings.Contains(v, "Sensor active 32% of the period") {
		t.Errorf("after 4, want 90 days, 31 with data (29 whole, 2 partial), and the wear warning:\n%s", v)
	}
	press("u")
	if v := m.View(); !strings.Contains(v, "mmol/L") || !strings.Contains(v, "3.9–10.0") && !strings.Contains(v, "<3.0") {
		t.Errorf("after u, want mmol/L:\n%s", v)
	}
	press("d")
	if v := m.View(); !strings.Contains(v, "Daily patterns · 90 days") {
		t.Errorf("after d, want the daily screen:\n%s", v)
	}
	before := m.View()
	for range 5 {
		press("j")
	}
	if v := m.View(); v == before || !strings.Contains(v, "Sat 08 Mar") || strings.Contains(v, "Fri 14 Mar") {
		t.Errorf("five rows down should start at Sat 08 Mar:\n%s", v)
	}
	press("esc")
	if m.screen.open || strings.Contains(m.View(), "Daily patterns") {
		t.Errorf("esc left the screen open:\n%s", m.View())
	}
}

// BenchmarkAgpScreenFirstDraw is what pressing a costs on 90 days: the
// streaming read of the cache and the first View.
func BenchmarkAgpScreenFirstDraw(b *testing.B) {
	db, err := cache.Open(context.Background(), filepath.Join(b.TempDir(), "acct", "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PutReadings(context.Background(), generate(testNow.Add(-90*24*time.Hour), testNow)); err != nil {
		b.Fatal(err)
	}
	for _, key := range []string{"a", "d"} {
		b.Run(key, func(b *testing.B) {
			// The 90-day period is what a user picks with 4; open with it.
			b.ReportAllocs()
			for b.Loop() {
				m := New(Options{Store: db, Config: config.Default(), Clock: clock.NewManual(testNow), Theme: theme.Dark()})
				m.screen.period = 3
				next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
				next, cmd := next.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(key)})
				next, _ = next.Update(cmd())
				if v := next.View(); !strings.Contains(v, "90 days") {
					b.Fatalf("no 90-day screen:\n%s", v)
				}
			}
		})
	}
}
