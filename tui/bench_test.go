package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// BenchmarkView is one frame at 120x40 with 24 hours in the chart: what
// every redraw costs once the chart is drawn.
func BenchmarkView(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")})
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRedraw draws the 24-hour chart at 120x40: the cost paid on new
// data, a resize, a zoom or the minute tick.
func BenchmarkRedraw(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	m = step(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("4")})
	b.ReportAllocs()
	for b.Loop() {
		m.redraw()
	}
}

// BenchmarkLoad90Days is a full reload with 90 days in the cache: the
// recent readings for the chart and the statistics over all 90 days.
func BenchmarkLoad90Days(b *testing.B) {
	store := &memStore{readings: generate(testNow.Add(-90*24*time.Hour), testNow)}
	m := New(Options{Store: store, Config: config.Default(), Clock: fixedClock{testNow}, Theme: theme.Dark()})
	m.out = discard{}
	m = step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	b.ReportAllocs()
	for b.Loop() {
		m = step(m, m.loadCmd()())
		m = step(m, m.statsCmd()())
	}
}

// BenchmarkRedrawCompact draws the 40x10 pane's sparkline: what a small
// tmux split pays on new data, a resize, a zoom or the minute tick.
func BenchmarkRedrawCompact(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 40, 10)
	b.ReportAllocs()
	for b.Loop() {
		m.redraw()
	}
}
