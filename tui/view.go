package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/statusline"
	"github.com/cgmtop/cgmtop/theme"
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

func (m Model) frame() frame {
	w, h := max(m.width, 1), max(m.height, 1)
	f := frame{layout: chooseLayout(w, h), chartW: w}
	if f.layout == layoutLine {
		f.top = m.lineView(w, h)
		return f
	}
	if f.layout == layoutCompact {
		return m.compactFrame(f, w, h)
	}
	f.top = append(f.top, m.titleBar(w))
	f.top = append(f.top, m.header(w, true)...)
	if f.layout == layoutFull && !m.fullHelp {
		f.bottom = append(f.bottom, m.panes(w)...)
	}
	f.bottom = append(f.bottom, m.helpLines(w, f.layout)...)
	room := h - len(f.top) - len(f.bottom) - 1 - minChartRows
	f.top = append(f.top, m.messages(w, max(room, 1))...)
	f.caption = true
	f.chartH = h - len(f.top) - len(f.bottom) - 1
	return f
}

// compactFrame lays out a small pane, most important first: the value,
// what it means, anything wrong, the sparkline, its caption, the keys.
// The full help, once asked for, goes before the sparkline.
func (m Model) compactFrame(f frame, w, h int) frame {
	f.top = m.header(w, h >= 14)
	f.top = m.withBadge(f.top, w)
	// Messages wrap only while the sparkline keeps its rows, its caption
	// and one more (the help, or a third row); each gets a line anyway.
	room := h - len(f.top) - minSparkRows - 2
	if n := len(m.messageParts(w)); room < n {
		room = min(n, h-len(f.top))
	}
	msgs := m.messages(w, max(room, 0))
	if h-len(f.top)-len(msgs) < minSparkRows {
		// No room for a sparkline anyway: the messages may use it all.
		msgs = m.messages(w, h-len(f.top))
	}
	f.top = append(f.top, msgs...)
	rest := h - len(f.top)
	if m.fullHelp {
		f.bottom = m.helpLines(w, f.layout)
		rest -= len(f.bottom)
		f.caption = rest > minSparkRows
	} else {
		// The help comes after a third sparkline row and the caption.
		if rest > minSparkRows+2 {
			f.bottom = m.helpLines(w, f.layout)
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
func (m Model) withBadge(lines []string, w int) []string {
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

// redraw re-renders the chart for the current size, window, data and
// unit. It is called from Update whenever one of them changes, never from
// View.
func (m *Model) redraw() {
	f := m.frame()
	m.chart.view, m.spark.view, m.spark.caption = "", "", ""
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
	if f.layout == layoutCompact && f.spark {
		m.spark.draw(in)
		return
	}
	m.chart.draw(in)
	if f.layout == layoutCompact {
		m.spark.caption = windowCaption(in, plotPoints(in.readings, in.from, in.to))
	}
}

// View renders the monitor.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.screen.open {
		return m.screen.View()
	}
	f := m.frame()
	lines := append([]string(nil), f.top...)
	if f.chartH > 0 && f.layout != layoutLine {
		var chart []string
		if f.layout == layoutCompact {
			view := m.spark.view
			if !f.spark {
				view = m.chart.view
			}
			chart = rows(view, f.chartH)
			if f.caption {
				chart = append(chart, m.spark.caption)
			}
		} else {
			chart = append([]string{m.chartCaption(f.chartW)}, rows(m.chart.view, f.chartH)...)
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

func (m Model) clockTime(t time.Time) string { return t.In(m.loc).Format("15:04") }

func (m Model) warnGlyph() string {
	if m.cfg.ASCII {
		return "!"
	}
	return "⚠"
}

// lineView is the smallest layout: the value on one line, and what is
// wrong on the next if there is room. When the line is too narrow, parts
// give way (shorten, then go) least important first; the reading is never
// cut mid-digit: it is shown whole, or only its band's glyph.
func (m Model) lineView(w, h int) []string {
	st := m.th.Styles
	r := m.fresh.Latest
	var parts []linePart
	add := func(prio int, ways ...string) { parts = append(parts, linePart{ways: ways, prio: prio}) }
	switch {
	case !m.hasReading() && m.sourceError() != "" && h == 1:
		// The error below says why there is no reading.
		add(9, st.Muted.Render("---"))
	case !m.hasReading():
		add(9, st.Muted.Render("---"))
		add(2, m.noDataWords())
	case m.stale():
		age := shortAge(m.now, r.Time)
		add(9, st.Warn.Render("no data "+age), st.Warn.Render("no data"), st.Warn.Render(m.warnGlyph()))
		add(1, st.Muted.Render("· last")+" "+st.Stale.Render(valueText(r, m.unit())))
	default:
		band, _ := readingRange(r, m.cfg.Thresholds)
		text := m.th.Style(band).Render(valueText(r, m.unit()))
		glyph := m.th.Style(band).Render(band.Glyph(m.cfg.ASCII))
		if m.th.Labels || band != theme.InRange {
			add(9, glyph+" "+text, text, glyph)
		} else {
			add(9, text, glyph)
		}
		if a := arrow(r.Trend, m.cfg.ASCII); a != "" {
			add(7, st.Bold.Render(a))
		}
		if d := delta(r, m.fresh.Previous, m.unit()); d != "" {
			add(3, d)
		}
		add(4, st.Muted.Render(shortAge(m.now, r.Time)))
	}
	if e := m.sourceError(); e != "" && h == 1 {
		// No second line for the error: name it here, in a word, or at
		// least flag it.
		short := shortError(e)
		add(5, st.Error.Render(m.warnGlyph()+" "+short[len(short)-1]), st.Error.Render(m.warnGlyph()))
	}
	if m.demo && w >= 36 {
		add(0, st.Badge.Render("DEMO"))
	}
	lines := []string{fitParts(w, parts)}
	if h > 1 {
		lines = append(lines, m.messages(w, h-1)...)
	}
	return lines
}

// linePart is one part of the one-line layout: its forms, longest first,
// and how much it matters (higher stays longer).
type linePart struct {
	ways []string
	prio int
}

// fitParts joins parts with spaces within w columns: while the line is too
// wide, the least important part (the rightmost of equals) takes its next
// shorter form, or goes when it has none. No part is ever cut.
func fitParts(w int, parts []linePart) string {
	parts = slices.Clone(parts)
	for {
		var shown []string
		for _, p := range parts {
			if len(p.ways) > 0 {
				shown = append(shown, p.ways[0])
			}
		}
		line := strings.Join(shown, " ")
		if lipgloss.Width(line) <= w || len(shown) == 0 {
			return line
		}
		least := -1
		for i, p := range parts {
			if len(p.ways) > 0 && (least < 0 || p.prio <= parts[least].prio) {
				least = i
			}
		}
		parts[least].ways = parts[least].ways[1:]
	}
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
		old := st.Stale.Render(valueText(r, u)+" "+u.String()) + "  " + st.Warn.Render("STALE")
		return []string{
			firstFit(w,
				old+st.Muted.Render(" · last reading "+m.clockTime(r.Time)),
				old+st.Muted.Render(" · "+m.clockTime(r.Time)),
				old),
			firstFit(w,
				st.Warn.Render(m.warnGlyph()+" no data for "+span(m.now.Sub(r.Time))),
				st.Warn.Render(m.warnGlyph()+" no data "+shortAge(m.now, r.Time))),
		}
	}

	band, _ := readingRange(r, m.cfg.Thresholds)
	vs := m.th.Style(band)
	text := valueText(r, u)
	label := rangeWords(band)
	if r.Status == client.StatusHigh {
		label = "above " + u.Format(sensorMax) + " " + u.String()
	} else if r.Status == client.StatusLow {
		label = "below " + u.Format(sensorMin) + " " + u.String()
	}
	rangeText := vs.Render(band.Glyph(m.cfg.ASCII) + " " + label)
	if band == theme.InRange && r.Status == client.StatusOK {
		rangeText = vs.UnsetBold().Render(band.Glyph(m.cfg.ASCII)) + " " + st.Muted.Render(label)
	}

	a := arrow(r.Trend, m.cfg.ASCII)
	d := delta(r, m.fresh.Previous, u)
	trend := ""
	if a != "" {
		trend = st.Bold.Render(a) + " "
	}
	trend += st.Text.Render(trendWords(r.Trend))
	// The change since the last reading, most complete first.
	var changes []string
	if d != "" {
		inFive := st.Bold.Render(d) + st.Muted.Render(" "+u.String()+" in 5 min")
		if r.HasRate {
			changes = append(changes, inFive+st.Muted.Render(" · "+rateText(r.TrendRate, u)))
		}
		changes = append(changes, inFive, st.Bold.Render(d)+st.Muted.Render(" "+u.String()))
	} else if r.HasRate {
		changes = append(changes, st.Muted.Render(rateText(r.TrendRate, u)))
	}

	big, ok := bigText(text)
	if roomy && ok && !m.cfg.ASCII && w >= bigWidth(text)+30 {
		room := w - 1 - bigWidth(text) - 3
		right := []string{
			firstFit(room,
				trend+"   "+st.Muted.Render(age(m.now, r.Time)+" · "+m.clockTime(r.Time)+originSuffix(r)),
				trend+"   "+st.Muted.Render(age(m.now, r.Time)+" · "+m.clockTime(r.Time)),
				trend+"   "+st.Muted.Render(age(m.now, r.Time)),
				trend),
			rangeText,
			"",
		}
		if len(changes) > 0 {
			right[1], right[2] = firstFit(room, changes...), rangeText
		}
		lines := make([]string, bigHeight)
		for i := range bigHeight {
			lines[i] = " " + vs.Render(big[i]) + "   " + right[i]
		}
		return lines
	}
	value := vs.Render(text)
	if r.Known() {
		value += " " + st.Muted.Render(u.String())
	}
	if a != "" {
		value += " " + st.Bold.Render(a)
	}
	if d != "" {
		value += " " + st.Bold.Render(d)
	}
	first := firstFit(w,
		value+"  "+st.Muted.Render(age(m.now, r.Time)+originSuffix(r)),
		value+"  "+st.Muted.Render(age(m.now, r.Time)),
		value+" "+st.Muted.Render(shortAge(m.now, r.Time)))
	second := firstFit(w,
		rangeText+st.Muted.Render(" · ")+st.Text.Render(trendWords(r.Trend)),
		rangeText)
	return []string{first, second}
}

// firstFit is the first of the ways to say something that fits w cells,
// or the last (the shortest) when none does.
func firstFit(w int, ways ...string) string {
	for _, s := range ways {
		if lipgloss.Width(s) <= w {
			return s
		}
	}
	return ways[len(ways)-1]
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

// messages are the lines about what needs attention: an alert, a failing
// source, no data yet, a passing notice. They never replace the reading;
// they sit under it. Each gets a line, most urgent first, and a long one
// wraps onto more while budget lines last; what still does not fit is cut
// at a word, never mid-word.
func (m Model) messages(w, budget int) []string {
	msgs := m.messageParts(w)
	if len(msgs) > budget {
		msgs = msgs[:max(budget, 0)]
	}
	// One line each first, then the spare lines to the most urgent.
	spare := budget - len(msgs)
	var out []string
	for _, msg := range msgs {
		need := len(msg(maxMessageLines))
		give := 1 + min(max(need-1, 0), spare)
		spare -= give - 1
		out = append(out, msg(give)...)
	}
	return out
}

// messageParts are the messages to show, most urgent first, each as a
// function that writes it in at most a given number of lines.
func (m Model) messageParts(w int) []func(lines int) []string {
	var msgs []func(lines int) []string
	if k, ok := m.activeAlert(); ok && k != alertStale {
		msgs = append(msgs, func(int) []string { return []string{m.alertBanner(k, w)} })
	}
	if e := m.sourceError(); e != "" {
		style := m.th.Styles.Error
		msgs = append(msgs, func(lines int) []string {
			// The whole error if it fits, else the status bar's short
			// word for it (with what to do, when that fits too).
			var out []string
			cut := true
			for _, say := range append([]string{e}, shortError(e)...) {
				if out, cut = wrapWords(m.warnGlyph()+" "+say, w, lines); !cut {
					break
				}
			}
			if t := m.sync.LastSuccess; !t.IsZero() && !cut && len(out) > 0 {
				// When a sync last worked follows the error whole: on
				// its last line if it fits, else on a line of its own.
				when := "(last good sync " + age(m.now, t) + ")"
				last := len(out) - 1
				switch {
				case lipgloss.Width(out[last])+1+lipgloss.Width(when) <= w:
					out[last] += " " + when
				case len(out) < lines && lipgloss.Width(when) <= w:
					out = append(out, when)
				}
			}
			return styleLines(style, out)
		})
	}
	if skew := clock.Skew(m.sync.ClockOffset); skew != "" {
		msgs = append(msgs, func(lines int) []string {
			// Ages are right (they use the server's clock); the user
			// should still fix the clock, which other programs trust.
			out, cut := wrapWords(m.warnGlyph()+" this computer's clock is "+skew+" the server's: times shown are the server's", w, lines)
			if cut {
				out, _ = wrapWords(m.warnGlyph()+" clock "+skew, w, lines)
			}
			return styleLines(m.th.Styles.Warn, out)
		})
	}
	if !m.hasReading() && chooseLayout(m.width, m.height) != layoutLine {
		msgs = append(msgs, func(int) []string {
			return []string{m.th.Styles.Muted.Render(m.noDataWords())}
		})
	}
	if m.notice != "" {
		msgs = append(msgs, func(lines int) []string {
			out, _ := wrapWords(m.notice, w, lines)
			return styleLines(m.th.Styles.Warn, out)
		})
	}
	return msgs
}

// shortError is a failing sync in fewer words, longest first: the reason
// the status bar shows, with what to do about it where there is something.
func shortError(e string) []string {
	r := statusline.Reason(e)
	switch r {
	case statusline.ReasonAuth:
		return []string{"login expired: run `cgmtop login`", "login expired"}
	case statusline.ReasonNotLoggedIn:
		return []string{"not logged in: run `cgmtop login`", "not logged in"}
	case statusline.ReasonLoginRefused:
		return []string{"login refused: run `cgmtop login`", "login refused"}
	case statusline.ReasonOffline:
		return []string{"offline: cannot reach Dexcom", "offline"}
	case statusline.ReasonTimeout:
		return []string{"timed out: Dexcom is slow", "timed out"}
	case statusline.ReasonRateLimited:
		return []string{"rate-limited by Dexcom", "rate-limited"}
	case statusline.ReasonServer:
		return []string{"Dexcom server error"}
	case statusline.ReasonCache:
		return []string{"local cache error"}
	case statusline.ReasonError:
		return []string{"sync failed"}
	}
	return []string{statusline.ReasonText(r)}
}

// maxMessageLines is the most lines one message wraps onto.
const maxMessageLines = 3

// alertBanner is the alert in reverse video and whether it is snoozed,
// shortened to the alert's name when the whole does not fit in w.
func (m Model) alertBanner(k alertKind, w int) string {
	st := m.th.Styles
	style := st.Banner
	if k == alertUrgentLow {
		style = st.Urgent
	}
	hint := st.Muted.Render(" s: snooze")
	if m.alerts.snoozed(m.now) {
		hint = st.Muted.Render(" snoozed until " + m.clockTime(m.alerts.snoozedUntil))
	}
	long := style.Render(" " + m.warnGlyph() + " " + m.alertText(k) + " ")
	short := style.Render(" " + m.warnGlyph() + " " + k.title() + " ")
	return firstFit(w, long+hint, short+hint, long, short)
}

// wrapWords breaks plain text into at most n lines of at most w cells at
// spaces. cut reports that it did not all fit: the last line then ends in
// "…" after the last whole word that fits.
func wrapWords(s string, w, n int) (lines []string, cut bool) {
	if n < 1 || w < 1 {
		return nil, s != ""
	}
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case lipgloss.Width(cur)+1+lipgloss.Width(word) <= w:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n {
		lines = append(lines[:n-1], strings.Join(lines[n-1:], " "))
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i], cut = clipWords(l, w), true
		}
	}
	return lines, cut
}

// clipWords shortens s to w cells, ending in "…" after the last whole
// word that fits (or mid-word only when not even one word does).
func clipWords(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	words := strings.Fields(s)
	for n := len(words) - 1; n > 0; n-- {
		if c := strings.Join(words[:n], " ") + "…"; lipgloss.Width(c) <= w {
			return c
		}
	}
	return ansi.Truncate(s, w, "…")
}

// styleLines renders each line in style.
func styleLines(style lipgloss.Style, lines []string) []string {
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// helpLines are the keys: one line that keeps the keys that matter most
// when the width runs out (never a key cut in half), or the full help in
// as few columns as fit.
func (m Model) helpLines(w int, l layout) []string {
	k := m.keys
	h := m.help // its Width stays 0: the fitting here is ours, never a cut "…"
	if m.fullHelp {
		groups := k.FullHelp()
		var flat []key.Binding
		for _, g := range groups {
			flat = append(flat, g...)
		}
		in, help := k.fullHelpWords()
		var view string
		for _, try := range []struct {
			groups [][]key.Binding
			sep    string
		}{
			{groups, "    "},
			{[][]key.Binding{{in, k.ZoomOut, k.Window, k.Period, k.AGP}, {k.Units, k.Snooze, help, k.Quit, k.Daily}}, "  "},
			// The one-letter keys together, so two columns fit 30 cells.
			{[][]key.Binding{{in, k.ZoomOut, k.Units, k.Quit, k.AGP}, {k.Window, k.Period, k.Snooze, help, k.Daily}}, "  "},
			{[][]key.Binding{flat}, ""},
		} {
			h.FullSeparator = try.sep
			view = h.FullHelpView(try.groups)
			if lipgloss.Width(view) <= w {
				break
			}
		}
		return strings.Split(view, "\n")
	}

	// Least useful first: the statistics period does nothing without the
	// statistics on screen.
	keys := k.ShortHelp()
	drop := []key.Binding{k.Period, k.Snooze, k.ZoomIn, k.Units, k.Quit}
	if l != layoutFull {
		keys = without(keys, k.Period)
	}
	view := h.ShortHelpView(keys)
	for _, d := range drop {
		if lipgloss.Width(view) <= w {
			break
		}
		keys = without(keys, d)
		view = h.ShortHelpView(keys)
	}
	return []string{view}
}

// without is bindings less the one with b's keys.
func without(bindings []key.Binding, b key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bindings))
	for _, x := range bindings {
		if !slices.Equal(x.Keys(), b.Keys()) {
			out = append(out, x)
		}
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
		// The device list is fetched hourly, readings every few minutes:
		// a reading taken at T was uploaded at T or later, so the newest
		// reading is the better sign of the last upload when it is newer
		// ("uploaded 41 min ago" beside a 7-minute-old reading misled).
		upload := d.LastUpload
		if r := m.fresh.Latest.Time; r.After(upload) && len(m.devices) == 1 {
			upload = r
		}
		if !upload.IsZero() {
			parts = append(parts, "uploaded "+age(m.now, upload))
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
	out = append(out, m.deviceLines(w)...)
	out = append(out, sync)
	if o := origin(m.fresh.Latest); o != "" {
		out = append(out, st.Text.Render(firstFit(w, "current reading "+o, o)))
	}
	return append(out, pack(data, st.Muted.Render(" · "), w)...)
}

// sourceNames are the source kinds as the user knows them.
var sourceNames = map[string]string{"dexcom": "official API", "share": "Dexcom Share", "nightscout": "Nightscout"}

// origin says where a reading came from and how late it reached cgmtop:
// "via Dexcom Share, 4 s after the sensor". It is "" for readings of a
// single-source account, which carry no source.
func origin(r client.Reading) string {
	if r.Source == "" {
		return ""
	}
	name := sourceNames[r.Source]
	if name == "" {
		name = r.Source
	}
	s := "via " + name
	if !r.Arrived.IsZero() {
		s += ", " + lateness(r.Arrived.Sub(r.Time)) + " after the sensor"
	}
	return s
}

// originSuffix is origin as a tail for the header, or "".
func originSuffix(r client.Reading) string {
	if o := origin(r); o != "" {
		return " · " + o
	}
	return ""
}

// lateness is a delay in the unit that reads best: "4 s", "3 min", "1h05".
func lateness(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%dh%02d", int(d/time.Hour), int(d/time.Minute)%60)
}
