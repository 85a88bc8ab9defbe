package report

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/stats"
)

// dayColumns is how a daily row of w cells is split: the date, the range
// bar, then TIR, mean and lows, and the trace takes what is left.
type dayColumns struct {
	longDate bool
	bar      int
	trace    int
}

func columnsFor(w int) dayColumns {
	c := dayColumns{longDate: w >= 60, bar: 8}
	switch {
	case w >= 120:
		c.bar = 24
	case w >= 80:
		c.bar = 14
	case w >= 60:
		c.bar = 10
	}
	c.trace = w - c.fixed()
	if c.trace < 6 {
		c.trace = 0
	}
	return c
}

// fixed is the width of everything but the trace.
func (c dayColumns) fixed() int {
	date := 6
	if c.longDate {
		date = 10
	}
	return date + 1 + c.bar + 1 + 4 + 1 + 5 + 1 + 4 + 1
}

// DayHeader is the header over DayRows of width w. Like the rows, it shows
// a column whole or not at all: a narrow screen loses the last columns,
// never half a word.
func DayHeader(w int, st Style) string {
	c := columnsFor(w)
	dw := 6
	if c.longDate {
		dw = 10
	}
	ranges := "Time in ranges"
	if c.bar < len(ranges) {
		ranges = "Ranges"
	}
	parts := []string{fmt.Sprintf("%-*s", dw, "Day"), fmt.Sprintf(" %-*s", c.bar, ranges),
		fmt.Sprintf(" %4s", "TIR"), fmt.Sprintf(" %5s", "mean"), fmt.Sprintf(" %4s", "lows")}
	switch {
	case c.trace >= 11:
		parts = append(parts, " 00:00"+strings.Repeat(" ", c.trace-10)+"24:00")
	case c.trace > 0:
		parts = append(parts, " 0–24h")
	}
	return st.Theme.Styles.Muted.Render(strings.TrimRight(whole(w, parts), " "))
}

// DayRow is one day in w cells: its date, stacked time in ranges, TIR,
// mean, low episodes, and its glucose through the day. A column that does
// not fit is left out whole: a number is never cut.
func DayRow(d agp.Day, w int, st Style) string {
	c := columnsFor(w)
	s := st.Theme.Styles
	date := d.Date.Format("Mon 02")
	if c.longDate {
		date = d.Date.Format("Mon 02 Jan")
	}
	if d.Sums.Count == 0 {
		return whole(w, []string{s.Text.Render(date), s.Muted.Render(" no readings")})
	}
	sum := d.Summary()
	tir := stats.Percentages(sum.Bands)[stats.InRange]
	lows := fmt.Sprint(d.Lows)
	lowStyle := s.Text
	if d.Lows > 0 {
		lowStyle = st.Theme.Style(bandRange[stats.Low])
	}
	parts := []string{s.Text.Render(date), " " + RangeBar(d.Sums, c.bar, st),
		" " + s.Bold.Render(fmt.Sprintf("%3d%%", tir)),
		" " + s.Text.Render(fmt.Sprintf("%5s", st.Unit.Format(sum.Mean))),
		" " + lowStyle.Render(fmt.Sprintf("%4s", lows))}
	if c.trace > 0 {
		parts = append(parts, " "+Trace(d, c.trace, st))
	}
	return whole(w, parts)
}

// whole joins the columns that fit in w cells, from the first: each is
// shown whole or not at all (the first is cut only when nothing else fits).
func whole(w int, parts []string) string {
	var b strings.Builder
	used := 0
	for i, p := range parts {
		pw := lipgloss.Width(p)
		if used+pw > w {
			if i == 0 {
				return truncateStyled(p, w)
			}
			break
		}
		b.WriteString(p)
		used += pw
	}
	return b.String()
}

// truncate cuts plain text to w runes.
func truncate(s string, w int) string {
	r := []rune(s)
	if len(r) > w {
		return string(r[:max(w, 0)])
	}
	return s
}

// overlayMarks are the markers of the overlay's days, oldest first.
var overlayMarks = []string{"1", "2", "3", "4", "5", "6", "7"}

// OverlayLines draws the last n days (at most 7) over each other on one
// time-of-day chart w×h, axes included, each day drawn with its own
// number: the newest is drawn last and wins a shared cell. The legend
// line comes first.
func OverlayLines(p *agp.Profile, n, w, h int, st Style) []string {
	n = min(n, len(overlayMarks), len(p.Days))
	days := p.Days[len(p.Days)-n:]
	plotW, plotH := max(w-labelWidth, 1), max(h-2, 1)
	grid := make([][]string, plotH)
	for r := range grid {
		grid[r] = make([]string, plotW)
		for c := range grid[r] {
			grid[r][c] = " "
		}
	}
	for _, v := range []float64{stats.LowBelow, stats.HighAbove} {
		r := agp.RowOf(v, plotH)
		for c := range grid[r] {
			grid[r][c] = cellGlyph(agp.Target, st)
		}
	}
	styles := overlayStyles(st)
	for i, d := range days {
		mark := styles[i%len(styles)].Render(overlayMarks[i])
		for c, v := range d.Trace(plotW) {
			if v == v { // not NaN
				grid[agp.RowOf(v, plotH)][c] = mark
			}
		}
	}
	var legend []string
	for i, d := range days {
		legend = append(legend, styles[i%len(styles)].Render(overlayMarks[i])+" "+st.Theme.Styles.Muted.Render(d.Date.Format("Mon 02")))
	}
	out := []string{truncateStyled(strings.Join(legend, "  "), w)}
	labels := yLabels(plotH, st.Unit)
	axis := st.Theme.Styles.Axis
	for r, row := range grid {
		tick := "│"
		if labels[r] != "" {
			tick = "┤"
		}
		if st.ASCII {
			tick = "|"
		}
		out = append(out, axis.Render(fmt.Sprintf("%4s", labels[r])+tick)+strings.Join(row, ""))
	}
	return append(out, axis.Render(hourAxis(plotW, labelWidth)))
}

// overlayStyles tell the overlay's days apart where there is colour; the
// numbers do where there is none.
func overlayStyles(st Style) []lipglossStyle {
	s := st.Theme.Styles
	return []lipglossStyle{s.Muted, s.Muted, s.Text, s.Text, s.Accent, s.Accent, s.Bold}
}
