package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

func keyMsg(k string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)} }

// BenchmarkView is one frame at 120x40 with 24 hours in the chart when
// nothing changed: View returns the screen refresh joined last.
func BenchmarkView(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	m = step(m, keyMsg("4"))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkRefreshUnchanged is what every Update adds when the message
// changed nothing on screen (a tick of a stale chain, a watch with the same
// version): each pane compares its inputs and keeps its string.
func BenchmarkRefreshUnchanged(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	m = step(m, keyMsg("4"))
	b.ReportAllocs()
	for b.Loop() {
		m.refresh()
	}
}

// BenchmarkRedraw draws the 24-hour chart at 120x40 and joins the screen:
// the cost paid on new data, a resize or the minute tick.
func BenchmarkRedraw(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	m = step(m, keyMsg("4"))
	b.ReportAllocs()
	for b.Loop() {
		m.redraw()
	}
}

// BenchmarkKey is a key press to the new screen at 120x40 (Update, which
// redraws what the key changed, then View), per key that changes the
// screen, alternating between two states so each press changes it.
func BenchmarkKey(b *testing.B) {
	for _, k := range []struct{ name, a, b string }{
		{"zoom", "3", "4"},   // the chart and its caption
		{"period", "p", "p"}, // the statistics
		{"units", "u", "u"},  // every value on screen
		{"help", "?", "?"},   // the full help replaces the panes
	} {
		b.Run(k.name, func(b *testing.B) {
			m := load(b, normalStore(), config.Default(), 120, 40)
			m = step(m, keyMsg(k.a))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				key := k.a
				if i%2 == 0 {
					key = k.b
				}
				i++
				m = step(m, keyMsg(key))
				_ = m.View()
			}
		})
	}
}

// BenchmarkPane is each pane of the full layout at 120x40, given the same
// inputs again (unchanged: it keeps its string) and new ones (changed: it
// draws; the minute moves, for the statistics the period, for the banner
// a notice comes and goes).
func BenchmarkPane(b *testing.B) {
	m := load(b, normalStore(), config.Default(), 120, 40)
	c := m.context()
	tick := func(i int) { c.now = testNow.Add(time.Duration(i%2) * time.Minute) }
	w := 120
	in := m.chartInputFor(w, 30)
	panes := []struct {
		name string
		draw func(i int)
	}{
		{"title", func(int) { m.title.SetSize(w, 1); m.title.Update(&c) }},
		{"header", func(int) { m.header.SetSize(w, true); m.header.Update(&c, m.fresh.Latest, m.fresh.Previous) }},
		{"banner", func(i int) {
			in := m.msgIn(w)
			if i%2 == 1 {
				in.notice = "could not save the unit: disk full"
			}
			m.banner.Update(&c, in)
		}},
		{"stats", func(i int) { m.stats.SetSize(58, 0); m.stats.Update(&c, i%2, true, m.summaries[i%2]) }},
		{"devices", func(int) {
			m.source.SetSize(59, 0)
			m.source.Update(&c, m.devices, m.devGen, m.fresh.Latest, m.sync, "", m.dataRange)
		}},
		{"help", func(i int) { m.helpBar.SetSize(w, layoutFull); m.helpBar.Update(false) }},
		{"chart", func(int) {
			in.to, in.from = c.now, c.now.Add(-24*time.Hour)
			m.chart.Update(in, m.dataGen, 3, false)
		}},
		{"sparkline", func(int) {
			in.to, in.from = c.now, c.now.Add(-3*time.Hour)
			m.spark.Update(in, m.dataGen, 0)
		}},
	}
	for _, p := range panes {
		b.Run(p.name+"/unchanged", func(b *testing.B) {
			c.now = testNow
			p.draw(0)
			b.ReportAllocs()
			for b.Loop() {
				p.draw(0)
			}
		})
		b.Run(p.name+"/changed", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				tick(i)
				if p.name == "help" {
					m.helpBar.in.full = i%2 == 0 // the only input it has
					m.helpBar.Update(i%2 == 0)
					continue
				}
				p.draw(i)
			}
		})
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
