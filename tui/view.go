package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
)

// layout is how much the monitor shows, chosen by the terminal's size.
type layout uint8

const (
	layoutLine    layout = iota // one line: value arrow delta age
	layoutCompact               // header and sparkline
	layoutMedium                // header and chart
	layoutFull                  // header, chart, statistics, devices, help
)

func (l layout) String() string {
	return [...]string{"line", "compact", "medium", "full"}[l]
}

// chooseLayout picks the richest layout that fits w×h cells.
func chooseLayout(w, h int) layout {
	switch {
	case w < 40 || h < 10:
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

// frame is a screen split into its fixed parts and the room left for the
// chart (or sparkline) between them.
type frame struct {
	layout layout
	top    []string
	bottom []string
	chartW int
	chartH int
}

func (m Model) frame() frame {
	w, h := max(m.width, 1), max(m.height, 1)
	f := frame{layout: chooseLayout(w, h)}
	if f.layout == layoutLine {
		f.top = m.lineView(w, h)
		return f
	}
	if f.layout != layoutCompact {
		f.top = append(f.top, m.titleBar(w))
	}
	f.top = append(f.top, m.header(w, f.layout != layoutCompact || h >= 14)...)
	msgs := m.messages(w)
	if room := h - len(f.top) - 4; len(msgs) > room {
		msgs = msgs[:max(room, 1)]
	}
	f.top = append(f.top, msgs...)

	if f.layout == layoutFull && !m.fullHelp {
		f.bottom = append(f.bottom, m.panes(w)...)
	}
	m.help.ShowAll = m.fullHelp
	f.bottom = append(f.bottom, strings.Split(m.help.View(m.keys), "\n")...)

	f.chartW = w
	f.chartH = h - len(f.top) - len(f.bottom)
	if f.layout != layoutCompact {
		f.chartH-- // the chart's caption
	}
	return f
}

// redraw re-renders the chart for the current size, window, data and
// unit. It is called from Update whenever one of them changes, never from
// View.
func (m *Model) redraw() {
	f := m.frame()
	m.chart.view, m.spark.view = "", ""
	if f.chartH < 1 || f.layout == layoutLine {
		return
	}
	in := chartInput{
		readings:   m.recent,
		events:     m.events,
		to:         m.now,
		from:       m.now.Add(-chartWindows[m.window]),
		width:      f.chartW,
		height:     f.chartH,
		theme:      m.th,
		thresholds: m.cfg.Thresholds,
		unit:       m.unit(),
		loc:        m.loc,
		ascii:      m.cfg.ASCII,
	}
	if f.layout == layoutCompact {
		in.from = m.now.Add(-3 * time.Hour)
		m.spark.draw(in)
		return
	}
	m.chart.draw(in)
}

// View renders the monitor.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	f := m.frame()
	lines := append([]string(nil), f.top...)
	if f.chartH > 0 && f.layout != layoutLine {
		if f.layout == layoutCompact {
			if m.spark.view != "" {
				lines = append(lines, strings.Split(m.spark.view, "\n")...)
			}
		} else {
			lines = append(lines, m.chartCaption(f.chartW))
			if m.chart.view != "" {
				lines = append(lines, strings.Split(m.chart.view, "\n")...)
			}
		}
		for len(lines) < m.height-len(f.bottom) {
			lines = append(lines, "")
		}
	}
	lines = append(lines, f.bottom...)
	return fit(lines, m.width, m.height)
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

func (m Model) clockTime(t time.Time) string { return t.In(m.loc).Format("15:04") }

func (m Model) warnGlyph() string {
	if m.cfg.ASCII {
		return "!"
	}
	return "⚠"
}

// lineView is the smallest layout: the value on one line, and what is
// wrong on the next if there is room.
func (m Model) lineView(w, h int) []string {
	st := m.th.Styles
	r := m.fresh.Latest
	var parts []string
	switch {
	case !m.hasReading():
		parts = append(parts, st.Muted.Render("---"), m.noDataWords())
	case m.stale():
		parts = append(parts, st.Warn.Render("no data "+shortAge(m.now, r.Time)),
			st.Muted.Render("· last"), st.Stale.Render(valueText(r, m.unit())))
	default:
		band, _ := readingRange(r, m.cfg.Thresholds)
		v := m.th.Style(band).Render(valueText(r, m.unit()))
		if m.th.Labels || band != theme.InRange {
			v = m.th.Style(band).Render(band.Glyph(m.cfg.ASCII)) + " " + v
		}
		parts = append(parts, v)
		if a := arrow(r.Trend, m.cfg.ASCII); a != "" {
			parts = append(parts, st.Bold.Render(a))
		}
		if d := delta(r, m.fresh.Previous, m.unit()); d != "" {
			parts = append(parts, d)
		}
		parts = append(parts, st.Muted.Render(shortAge(m.now, r.Time)))
	}
	if m.demo && w >= 36 {
		parts = append(parts, st.Badge.Render("DEMO"))
	}
	lines := []string{strings.Join(parts, " ")}
	if h > 1 {
		lines = append(lines, m.messages(w)...)
	}
	return lines
}

// titleBar names the program and shows the settings in force.
func (m Model) titleBar(w int) string {
	st := m.th.Styles
	left := st.Title.Render("cgmtop")
	if m.demo {
		left += " " + st.Badge.Render(" DEMO ")
	}
	right := st.Muted.Render(m.unit().String() + " · " + m.clockTime(m.now))
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// trendWords says the trend in words for those who do not read arrows.
func trendWords(t client.Trend) string {
	switch t {
	case client.TrendDoubleUp:
		return "rising fast"
	case client.TrendSingleUp:
		return "rising"
	case client.TrendFortyFiveUp:
		return "rising slowly"
	case client.TrendFlat:
		return "steady"
	case client.TrendFortyFiveDown:
		return "falling slowly"
	case client.TrendSingleDown:
		return "falling"
	case client.TrendDoubleDown:
		return "falling fast"
	case client.TrendRateOutOfRange:
		return "changing too fast to tell"
	}
	return "no trend"
}

// header is the glance view: the value (big when there is room), the
// trend, the change and the age.
func (m Model) header(w int, roomy bool) []string {
	st := m.th.Styles
	r := m.fresh.Latest
	u := m.unit()
	if !m.hasReading() {
		return []string{st.Muted.Render("---  " + u.String())}
	}
	if m.stale() {
		// An old value is never shown big: it must not be read as now.
		return []string{
			st.Stale.Render(valueText(r, u)+" "+u.String()) + "  " +
				st.Warn.Render("STALE") + st.Muted.Render(" · last reading "+m.clockTime(r.Time)),
			st.Warn.Render(m.warnGlyph() + " no data for " + span(m.now.Sub(r.Time))),
		}
	}

	band, _ := readingRange(r, m.cfg.Thresholds)
	vs := m.th.Style(band)
	text := valueText(r, u)
	label := band.Label()
	if r.Status == client.StatusHigh {
		label = "above " + u.Format(sensorMax) + " " + u.String()
	} else if r.Status == client.StatusLow {
		label = "below " + u.Format(sensorMin) + " " + u.String()
	}
	rangeText := vs.Render(band.Glyph(m.cfg.ASCII) + " " + label)
	if band == theme.InRange && r.Status == client.StatusOK {
		rangeText = m.th.Style(band).UnsetBold().Render(band.Glyph(m.cfg.ASCII)) + " " + st.Muted.Render(label)
	}

	trend := ""
	if a := arrow(r.Trend, m.cfg.ASCII); a != "" {
		trend = st.Bold.Render(a) + " "
	}
	trend += st.Text.Render(trendWords(r.Trend))
	change := ""
	if d := delta(r, m.fresh.Previous, u); d != "" {
		change = st.Bold.Render(d) + st.Muted.Render(" "+u.String()+" in 5 min")
	}
	if r.HasRate {
		if change != "" {
			change += st.Muted.Render(" · ")
		}
		change += st.Muted.Render(rateText(r.TrendRate, u))
	}
	when := st.Muted.Render(age(m.now, r.Time) + " · " + m.clockTime(r.Time))

	big, ok := bigText(text)
	if roomy && ok && !m.cfg.ASCII && w >= bigWidth(text)+30 {
		right := []string{trend + "   " + when, change, rangeText}
		lines := make([]string, bigHeight)
		for i := range bigHeight {
			lines[i] = " " + vs.Render(big[i]) + "   " + right[i]
		}
		return lines
	}
	first := vs.Render(text)
	if r.Known() {
		first += " " + st.Muted.Render(u.String())
	}
	if a := arrow(r.Trend, m.cfg.ASCII); a != "" {
		first += " " + st.Bold.Render(a)
	}
	if d := delta(r, m.fresh.Previous, u); d != "" {
		first += " " + st.Bold.Render(d)
	}
	first += "  " + st.Muted.Render(age(m.now, r.Time))
	return []string{first, rangeText + st.Muted.Render(" · ") + st.Text.Render(trendWords(r.Trend))}
}

func (m Model) noDataWords() string {
	switch {
	case !m.loaded:
		return "loading the cache…"
	case m.sync.LastSuccess.IsZero() && m.sourceError() == "":
		return "waiting for the first sync…"
	}
	return "no readings yet"
}

// messages are the lines about what needs attention: an alert, old data,
// a failing source, no data yet, a passing notice. They never replace
// the reading; they sit under it.
func (m Model) messages(w int) []string {
	st := m.th.Styles
	var out []string
	if k, ok := m.activeAlert(); ok && k != alertStale {
		s := " " + m.warnGlyph() + " " + m.alertText(k) + " "
		style := st.Banner
		if k == alertUrgentLow {
			style = st.Urgent
		}
		line := style.Render(s)
		if m.alerts.snoozed(m.now) {
			line += st.Muted.Render(" snoozed until " + m.clockTime(m.alerts.snoozedUntil))
		} else {
			line += st.Muted.Render(" s: snooze")
		}
		out = append(out, line)
	}
	if e := m.sourceError(); e != "" {
		s := m.warnGlyph() + " " + e
		if t := m.sync.LastSuccess; !t.IsZero() {
			s += " (last good sync " + age(m.now, t) + ")"
		}
		out = append(out, st.Error.Render(s))
	}
	if !m.hasReading() && chooseLayout(m.width, m.height) != layoutLine {
		out = append(out, st.Muted.Render(m.noDataWords()))
	}
	if m.notice != "" {
		out = append(out, st.Warn.Render(m.notice))
	}
	return out
}

// chartCaption says what the chart shows.
func (m Model) chartCaption(w int) string {
	st := m.th.Styles
	win := chartWindows[m.window]
	s := st.Bold.Render(fmt.Sprintf("last %dh", int(win.Hours()))) +
		st.Muted.Render(fmt.Sprintf(" · target %s–%s %s",
			m.unit().Format(float64(m.cfg.Thresholds.Low)), m.unit().Format(float64(m.cfg.Thresholds.High)), m.unit()))
	if len(m.events) > 0 && w >= 70 {
		s += st.Muted.Render(" · C carbs  I insulin  E exercise")
	}
	return s
}

// panes are the statistics and devices, side by side when wide enough.
func (m Model) panes(w int) []string {
	if w >= sideBySide {
		half := (w - 3) / 2
		left, right := m.statsPane(half), m.devicesPane(w-half-3)
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
	return append(m.statsPane(w), m.devicesPane(w)...)
}

// bandLimits are the consensus band labels in unit u.
func bandLimits(u client.Unit) [stats.NumBands]string {
	if u == client.MmolL {
		// The consensus publishes its own mmol/L limits; converting the
		// mg/dL ones would make 181 mg/dL read 10.0, the in-range limit.
		return [stats.NumBands]string{"<3.0", "3.0–3.8", "3.9–10.0", "10.1–13.9", ">13.9"}
	}
	return [stats.NumBands]string{"<54", "54–69", "70–180", "181–250", ">250"}
}

// bandRange maps a consensus band onto the colour of the matching range.
var bandRange = [stats.NumBands]theme.Range{theme.UrgentLow, theme.Low, theme.InRange, theme.High, theme.VeryHigh}

// bandFill draws each band in its own shade, so the bar reads without
// colour.
func bandFill(b stats.Band, ascii bool) string {
	if ascii {
		return [...]string{"!", "-", "=", "+", "#"}[b]
	}
	return [...]string{"▓", "▒", "█", "▒", "▓"}[b]
}

func (m Model) statsPane(w int) []string {
	st := m.th.Styles
	p := statsPeriods[m.period]
	title := st.Title.Render("Statistics") + st.Muted.Render(" · last "+p.name)
	if !m.statsOK {
		return []string{title, st.Muted.Render("computing…"), ""}
	}
	s := m.summaries[m.period]
	if s.Count == 0 {
		return []string{title, st.Muted.Render("no readings in the last " + p.name), ""}
	}
	u := m.unit()
	pct := stats.Percentages(s.Bands)
	limits := bandLimits(u)

	barW := max(w-lipgloss.Width(title)-12, 10)
	bar := stackedBar(pct, barW, m.th, m.cfg.ASCII)
	first := title + "  " + bar + " " + st.Bold.Render(fmt.Sprintf("%d%%", pct[stats.InRange])) + st.Muted.Render(" TIR")

	var bands []string
	for b := range stats.NumBands {
		bands = append(bands, m.th.Block(bandRange[b]).Render(bandFill(stats.Band(b), m.cfg.ASCII))+
			st.Muted.Render(limits[b]+" ")+st.Text.Render(fmt.Sprintf("%d%%", pct[b])))
	}
	cv := fmt.Sprintf("CV %.0f%% stable", s.CV*100)
	if !s.StableCV() {
		cv = fmt.Sprintf("CV %.0f%% unstable (>36%%)", s.CV*100)
	}
	metrics := []string{
		"mean " + u.Format(s.Mean) + " " + u.String(),
		"SD " + u.Format(s.SD),
		cv,
		fmt.Sprintf("GMI %.1f%%", s.GMI),
		fmt.Sprintf("sensor active %.0f%%", s.Active()*100),
	}
	for i := range metrics {
		metrics[i] = st.Text.Render(metrics[i])
	}
	out := []string{first}
	out = append(out, pack(bands, "  ", w)...)
	return append(out, pack(metrics, st.Muted.Render(" · "), w)...)
}

// pack joins parts with sep into as few lines of at most w cells as it
// can, never splitting a part.
func pack(parts []string, sep string, w int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case lipgloss.Width(cur)+lipgloss.Width(sep)+lipgloss.Width(p) <= w:
			cur += sep + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// stackedBar draws the band percentages as one bar w cells wide.
func stackedBar(pct [stats.NumBands]int, w int, th theme.Theme, ascii bool) string {
	var b strings.Builder
	used := 0
	cum := 0
	for i, p := range pct {
		cum += p
		end := cum * w / 100
		if p > 0 && end == used && used < w {
			end = used + 1 // a band that exists is never invisible
		}
		n := end - used
		if n <= 0 {
			continue
		}
		b.WriteString(th.Block(bandRange[i]).Render(strings.Repeat(bandFill(stats.Band(i), ascii), n)))
		used = end
	}
	return b.String()
}

// devicesPane says where the data comes from and how fresh the cache is.
func (m Model) devicesPane(w int) []string {
	st := m.th.Styles
	title := st.Title.Render("Source")
	var dev string
	if len(m.devices) == 0 {
		dev = st.Muted.Render("no device reported yet")
	} else {
		d := m.devices[0]
		for _, x := range m.devices[1:] {
			if x.LastUpload.After(d.LastUpload) {
				d = x
			}
		}
		parts := []string{strings.ToUpper(d.Generation)}
		if d.DisplayApp != "" || d.DisplayDevice != "" {
			parts = append(parts, strings.TrimSpace(d.DisplayDevice+" "+d.DisplayApp))
		}
		if !d.LastUpload.IsZero() {
			parts = append(parts, "uploaded "+age(m.now, d.LastUpload))
		}
		dev = st.Text.Render(strings.Join(parts, " · "))
		if len(m.devices) > 1 {
			dev += st.Muted.Render(fmt.Sprintf(" (+%d more)", len(m.devices)-1))
		}
	}

	var sync string
	switch s := m.sync; {
	case s.LastSuccess.IsZero() && s.LastAttempt.IsZero():
		sync = st.Muted.Render("sync: not yet run")
	case s.LastSuccess.IsZero():
		sync = st.Error.Render("sync: never succeeded")
	default:
		sync = st.Text.Render("synced " + age(m.now, s.LastSuccess))
	}
	if e := m.sourceError(); e != "" && !m.sync.LastSuccess.IsZero() {
		sync += st.Error.Render(" · last try failed")
	}
	if n := m.sync.NextPoll; !n.IsZero() {
		if n.After(m.now) {
			sync += st.Muted.Render(" · next in " + span(n.Sub(m.now).Round(time.Minute)))
		} else {
			sync += st.Muted.Render(" · next now")
		}
	}

	data := []string{"account data: none yet"}
	if rg := m.dataRange.Readings; !rg.Empty() {
		data = []string{fmt.Sprintf("account data %s → %s (%s)",
			rg.Start.In(m.loc).Format("2 Jan"), rg.End.In(m.loc).Format("2 Jan"), span(rg.End.Sub(rg.Start)))}
	}
	data = append(data, "Dexcom keeps 90 days")
	for i := range data {
		data[i] = st.Muted.Render(data[i])
	}
	out := pack([]string{title, dev}, "  ", w)
	out = append(out, sync)
	return append(out, pack(data, st.Muted.Render(" · "), w)...)
}
