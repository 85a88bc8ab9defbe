package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// layout is how much the monitor shows, chosen by the terminal's size.
type layout uint8

const (
	layoutLine    layout = iota // one line: value arrow delta age
	layoutCompact               // value, status, sparkline, caption, help
	layoutMedium                // header and chart
	layoutFull                  // header, chart, statistics, devices, help
)

func (l layout) String() string {
	return [...]string{"line", "compact", "medium", "full"}[l]
}

// chooseLayout picks the richest layout that fits w×h cells. Only a
// really tiny pane (a one-row tmux split, or under 30 columns) gets the
// one-line form: from 30×4 there is room for a sparkline.
func chooseLayout(w, h int) layout {
	switch {
	case w < 30 || h < 4:
		return layoutLine
	case w >= 80 && h >= 24:
		return layoutFull
	case w >= 60 && h >= 16:
		return layoutMedium
	}
	return layoutCompact
}

// sideBySide is the width from which statistics and devices share a row.
const sideBySide = 110

// Smallest useful charts, in rows: below them the chart is left out.
const (
	minSparkRows = 2
	minChartRows = 4
)

// frame is a screen split into its fixed parts and the room left for the
// chart (or sparkline) between them.
type frame struct {
	layout  layout
	top     []string
	bottom  []string
	chartW  int
	chartH  int
	caption bool // a caption row: above the chart, under the sparkline
	spark   bool // the compact layout's history is a sparkline, not a chart
}

// lineChartRows is the height from which a compact pane draws its history
// as a line chart with a time axis: taller bars are a wall of blocks.
const lineChartRows = 8

// frame lays out the screen for the model's size: it hands each pane its
// room and inputs (a pane whose inputs did not move keeps its drawing)
// and leaves the rest to the chart.
func (m *Model) frame() frame {
	w, h := max(m.width, 1), max(m.height, 1)
	f := frame{layout: chooseLayout(w, h), chartW: w}
	c := &m.ctx
	m.banner.Update(c, m.msgIn(w))
	if f.layout == layoutLine {
		m.line.SetSize(w, h)
		m.line.Update(c, lineIn{latest: m.fresh.Latest, previous: m.fresh.Previous, srcErr: m.sourceError(), noData: m.noDataWords()}, &m.banner)
		f.top = m.line.Lines()
		return f
	}
	if f.layout == layoutCompact {
		return m.compactFrame(f, w, h)
	}
	m.title.SetSize(w, 1)
	m.title.Update(c)
	m.header.SetSize(w, true)
	m.header.Update(c, m.fresh.Latest, m.fresh.Previous)
	f.top = append(f.top, m.title.View())
	f.top = append(f.top, m.header.Lines()...)
	if f.layout == layoutFull && !m.fullHelp {
		f.bottom = append(f.bottom, m.lowerPanes(w)...)
	}
	m.helpBar.SetSize(w, f.layout)
	m.helpBar.Update(m.fullHelp)
	f.bottom = append(f.bottom, m.helpBar.Lines()...)
	room := h - len(f.top) - len(f.bottom) - 1 - minChartRows
	f.top = append(f.top, m.banner.Lines(max(room, 1))...)
	f.caption = true
	f.chartH = h - len(f.top) - len(f.bottom) - 1
	return f
}

// compactFrame lays out a small pane, most important first: the value,
// what it means, anything wrong, the sparkline, its caption, the keys.
// The full help, once asked for, goes before the sparkline.
func (m *Model) compactFrame(f frame, w, h int) frame {
	c := &m.ctx
	m.header.SetSize(w, h >= 14)
	m.header.Update(c, m.fresh.Latest, m.fresh.Previous)
	f.top = m.header.Lines()
	f.top = m.withBadge(f.top, w)
	// Messages wrap only while the sparkline keeps its rows, its caption
	// and one more (the help, or a third row); each gets a line anyway.
	room := h - len(f.top) - minSparkRows - 2
	if n := m.banner.Count(); room < n {
		room = min(n, h-len(f.top))
	}
	msgs := m.banner.Lines(max(room, 0))
	if h-len(f.top)-len(msgs) < minSparkRows {
		// No room for a sparkline anyway: the messages may use it all.
		msgs = m.banner.Lines(h - len(f.top))
	}
	f.top = append(f.top, msgs...)
	rest := h - len(f.top)
	m.helpBar.SetSize(w, f.layout)
	m.helpBar.Update(m.fullHelp)
	if m.fullHelp {
		f.bottom = m.helpBar.Lines()
		rest -= len(f.bottom)
		f.caption = rest > minSparkRows
	} else {
		// The help comes after a third sparkline row and the caption.
		if rest > minSparkRows+2 {
			f.bottom = m.helpBar.Lines()
			rest--
		}
		f.caption = rest > minSparkRows
	}
	if f.caption {
		rest--
	}
	if rest < minSparkRows {
		rest, f.caption = 0, false
	}
	f.chartH = rest
	f.spark = rest < lineChartRows || w < 40
	return f
}

// withBadge marks the demo at the right of the first header line with
// room for it, the status line before the value: a demo must never pass
// for a person's real glucose.
func (m *Model) withBadge(lines []string, w int) []string {
	if !m.demo {
		return lines
	}
	badge := m.th.Styles.Badge.Render(" DEMO ")
	order := []int{0, 1, 2}
	if len(lines) == 2 {
		order = []int{1, 0}
	}
	for _, i := range order {
		if i >= len(lines) {
			continue
		}
		gap := w - lipgloss.Width(lines[i]) - lipgloss.Width(badge)
		if gap >= 2 {
			lines = append([]string(nil), lines...)
			lines[i] += strings.Repeat(" ", gap) + badge
			return lines
		}
	}
	return lines
}

// refresh brings every pane of the person screen up to date with the
// model and joins them into the screen View returns. It runs at the end
// of every Update: a pane whose inputs did not move keeps its string, and
// when none moved the joined screen is kept too, so an unchanged frame
// costs a few comparisons.
func (m *Model) refresh() {
	m.ctx = m.context()
	if m.width <= 0 || m.height <= 0 || m.screen.open {
		m.drawnOK = false
		return
	}
	f := m.frame()
	m.drawChart(f)
	k := frameKey{
		w: m.width, h: m.height, layout: f.layout, full: m.fullHelp,
		top: len(f.top), bottom: len(f.bottom), chartH: f.chartH, caption: f.caption, spark: f.spark,
		title: m.title.memo.n, header: m.header.memo.n, line: m.line.memo.n, banner: m.banner.n,
		help: m.helpBar.memo.n, lower: m.lower.n, chart: m.chart.n, sparkN: m.spark.n,
	}
	if m.drawnOK && k == m.drawnKey {
		return
	}
	m.drawn, m.drawnKey, m.drawnOK = m.compose(f), k, true
}

// frameKey is what the joined screen was made of: the drawing counts of
// its panes and the shape of the frame.
type frameKey struct {
	w, h                                                    int
	layout                                                  layout
	full, caption, spark                                    bool
	top, bottom, chartH                                     int
	title, header, line, banner, help, lower, chart, sparkN int
}

// context is the shared context as the model's settings and clock stand.
func (m *Model) context() paneContext {
	return paneContext{th: m.thp, cfg: m.cfg, u: m.cfg.Unit(), loc: m.loc, now: m.now, demo: m.demo, name: m.name, width: m.width, height: m.height}
}

// msgIn is what the messages are drawn from at width w.
func (m *Model) msgIn(w int) msgIn {
	k, ok := m.activeAlert()
	return msgIn{
		w: w, st: m.ctx.stamp(), latest: m.fresh.Latest, alert: k, alertOK: ok,
		snoozedUntil: m.alerts.snoozedUntil, srcErr: m.sourceError(),
		lastSuccess: m.sync.LastSuccess, clockOffset: m.sync.ClockOffset,
		hasReading: m.hasReading(), lineLayout: chooseLayout(m.width, m.height) == layoutLine,
		noData: m.noDataWords(), notice: m.notice,
	}
}

// drawChart hands the chart or the sparkline the room the frame left; it
// draws again only if that room, the window, the data or the clock moved.
func (m *Model) drawChart(f frame) {
	if f.chartH < 1 || f.layout == layoutLine {
		return
	}
	in := m.chartInputFor(f.chartW, f.chartH)
	if f.layout == layoutCompact && f.spark {
		m.spark.Update(in, m.dataGen, m.window)
		return
	}
	m.chart.Update(in, m.dataGen, m.window, f.layout == layoutCompact)
}

// chartInputFor is what the chart or sparkline is drawn from at w×h.
func (m *Model) chartInputFor(w, h int) chartInput {
	return chartInput{
		readings:   m.recent,
		events:     m.events,
		to:         m.now,
		from:       m.now.Add(-chartWindows[m.window]),
		width:      w,
		height:     h,
		theme:      m.th,
		thresholds: m.cfg.Thresholds,
		unit:       m.unit(),
		loc:        m.loc,
		ascii:      m.cfg.ASCII,
	}
}

// redraw draws the chart again whatever its key says, and the screen:
// what new data, a resize or a zoom cost (the benchmarks' measure).
func (m *Model) redraw() {
	m.chart.ok, m.spark.ok, m.drawnOK = false, false, false
	m.refresh()
}

// View renders the monitor: the screen refresh joined last, or the AGP
// screen when it is open.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.screen.open {
		if m.ascii {
			return toASCII(m.screen.View()) // LANG=C: its labels too
		}
		return m.screen.View()
	}
	if !m.drawnOK {
		// Not drawn yet (a model fresh from New): draw on a copy, here
		// only, so the common case never moves the model to the heap.
		c := m
		c.refresh()
		return c.drawn
	}
	return m.drawn
}

// compose joins the panes' strings into the screen.
func (m *Model) compose(f frame) string {
	lines := append([]string(nil), f.top...)
	if f.chartH > 0 && f.layout != layoutLine {
		var chart []string
		if f.layout == layoutCompact {
			view, caption := m.spark.view, m.spark.caption
			if !f.spark {
				view, caption = m.chart.view, m.chart.caption
			}
			chart = rows(view, f.chartH)
			if f.caption {
				chart = append(chart, caption)
			}
		} else {
			chart = append([]string{m.chart.caption}, rows(m.chart.view, f.chartH)...)
		}
		lines = append(lines, chart...)
		for len(lines) < m.height-len(f.bottom) {
			lines = append(lines, "")
		}
	}
	lines = append(lines, f.bottom...)
	if m.ascii {
		return toASCII(fit(lines, m.width, m.height))
	}
	return fit(lines, m.width, m.height)
}

// rows splits a drawn chart into exactly n rows: a chart drawn for an
// older frame (a message came or went since) is cut or padded, never
// allowed to push the help off the screen.
func rows(view string, n int) []string {
	out := make([]string, 0, n)
	if view != "" {
		out = append(out, strings.Split(view, "\n")...)
	}
	if len(out) > n {
		return out[:n]
	}
	for len(out) < n {
		out = append(out, "")
	}
	return out
}

// fit cuts the screen to w×h so a narrow or short terminal never wraps
// or scrolls.
func fit(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}

// lowerPanes are the statistics and devices, side by side when wide
// enough; the join is kept until one of them draws again.
func (m *Model) lowerPanes(w int) []string {
	c := &m.ctx
	sw, dw := w, w
	if w >= sideBySide {
		sw = (w - 3) / 2
		dw = w - sw - 3
	}
	m.stats.SetSize(sw, 0)
	m.stats.Update(c, m.period, m.statsOK, m.summaries[m.period])
	m.source.SetSize(dw, 0)
	m.source.Update(c, m.devices, m.devGen, m.fresh.Latest, m.sync, m.sourceError(), m.dataRange)
	if k := (lowerKey{w, m.stats.memo.n, m.source.memo.n}); m.lower.stale(k) {
		m.lower.put(k, m.joinLower(w))
	}
	return m.lower.lines
}

// lowerKey is the join's cache key.
type lowerKey struct{ w, stats, devices int }

func (m *Model) joinLower(w int) []string {
	if w >= sideBySide {
		half := (w - 3) / 2
		left, right := m.stats.Lines(), m.source.Lines()
		n := max(len(left), len(right))
		out := make([]string, n)
		for i := range n {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			l = ansi.Truncate(l, half, "")
			pad := half - lipgloss.Width(l)
			out[i] = l + strings.Repeat(" ", max(pad, 0)) + m.th.Styles.Border.Render(" │ ") + r
		}
		return out
	}
	return append(slices.Clone(m.stats.Lines()), m.source.Lines()...)
}

// helpLines are the keys as the help pane draws them for width w and
// layout l.
func (m Model) helpLines(w int, l layout) []string {
	return drawHelp(m.keys, m.helpBar.help, m.fullHelp, w, l)
}

func (m *Model) noDataWords() string {
	switch {
	case !m.loaded:
		return "loading the cache…"
	case m.sync.LastSuccess.IsZero() && m.sourceError() == "":
		return "waiting for the first sync…"
	}
	return "no readings yet"
}
