// Package report draws a period's Ambulatory Glucose Profile for people
// and clinics: as text for a terminal or a pipe, as JSON, or as one
// self-contained HTML page. The monitor's AGP and daily screens draw with
// the same pieces.
package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
)

// Style is how text output looks: a theme (theme.NoColor for a pipe or
// NO_COLOR), the unit, and whether to keep to ASCII.
type Style struct {
	Theme theme.Theme
	Unit  client.Unit
	ASCII bool
}

// BandNames name the consensus bands, lowest first.
var BandNames = [stats.NumBands]string{"Very low", "Low", "In range", "High", "Very high"}

// BandLimits are the bands' limits in a unit: the consensus publishes its
// own mmol/L limits, so 181 mg/dL does not read 10.0, the in-range limit.
func BandLimits(u client.Unit) [stats.NumBands]string {
	if u == client.MmolL {
		return [stats.NumBands]string{"<3.0", "3.0–3.8", "3.9–10.0", "10.1–13.9", ">13.9"}
	}
	return [stats.NumBands]string{"<54", "54–69", "70–180", "181–250", ">250"}
}

// BandGoals are the consensus targets for most people with type 1 or 2
// diabetes (Battelino et al. 2019).
var BandGoals = [stats.NumBands]string{"<1%", "<4%", ">70%", "<25%", "<5%"}

// bandRange maps a consensus band onto the theme colour of that range.
var bandRange = [stats.NumBands]theme.Range{theme.UrgentLow, theme.Low, theme.InRange, theme.High, theme.VeryHigh}

// bandFill draws each band in its own shade, so a bar reads without
// colour: position and shade tell the bands apart.
func bandFill(b int, ascii bool) string {
	if ascii {
		return [...]string{"!", "-", "=", "+", "#"}[b]
	}
	return [...]string{"▓", "▒", "█", "▒", "▓"}[b]
}

// RangeBar draws band counts as one stacked bar w cells wide; a band
// that has readings always gets at least one cell.
func RangeBar(s stats.Sums, w int, st Style) string {
	if s.Count == 0 || w <= 0 {
		return strings.Repeat(" ", max(w, 0))
	}
	var fr [stats.NumBands]float64
	for b, c := range s.Bands {
		fr[b] = float64(c) / float64(s.Count)
	}
	pct := stats.Percentages(fr)
	var sb strings.Builder
	used, cum := 0, 0
	for i, p := range pct {
		cum += p
		end := cum * w / 100
		if p > 0 && end <= used && used < w {
			end = used + 1
		}
		end = min(end, w)
		if n := end - used; n > 0 {
			sb.WriteString(st.Theme.Block(bandRange[i]).Render(strings.Repeat(bandFill(i, st.ASCII), n)))
			used = end
		}
	}
	if used < w {
		sb.WriteString(strings.Repeat(" ", w-used))
	}
	return sb.String()
}

// cellGlyph is how a plot cell looks.
func cellGlyph(c agp.Cell, st Style) string {
	s := st.Theme.Styles
	if st.ASCII {
		switch c {
		case agp.Median:
			return s.Bold.Render("#")
		case agp.Inner:
			return s.Accent.Render(":")
		case agp.Outer:
			return s.Muted.Render(".")
		case agp.Target:
			return s.Band.Render("-")
		}
		return " "
	}
	switch c {
	case agp.Median:
		return s.Bold.Render("█")
	case agp.Inner:
		return s.Accent.Render("▓")
	case agp.Outer:
		return s.Muted.Render("░")
	case agp.Target:
		return s.Band.Render("╌")
	}
	return " "
}

// axisLabels are the glucose values labelled on a chart's y axis, least
// important first: a later label takes a row an earlier one wanted.
var axisLabels = []float64{agp.PlotMax, stats.VeryHighAbove, stats.VeryLowBelow, stats.HighAbove, stats.LowBelow}

// labelWidth is the y axis: four cells of label and a tick.
const labelWidth = 5

// yLabels gives each of h rows its axis label, most left blank.
func yLabels(h int, u client.Unit) []string {
	out := make([]string, h)
	for _, v := range axisLabels {
		if h < 5 && v != stats.LowBelow && v != stats.HighAbove {
			continue
		}
		out[agp.RowOf(v, h)] = u.Format(v)
	}
	return out
}

// hourAxis is the time-of-day axis under a chart w cells wide that starts
// after indent cells: hours as 00 03 06… at their columns, as many as fit.
func hourAxis(w, indent int) string {
	step := 3
	switch {
	case w < 24:
		step = 12
	case w < 48:
		step = 6
	}
	line := []rune(strings.Repeat(" ", indent+w+2))
	for h := 0; h < 24; h += step {
		c := indent + h*w/24
		label := fmt.Sprintf("%02d", h)
		if w >= 72 {
			label += ":00"
		}
		for i, r := range label {
			if c+i < len(line) {
				line[c+i] = r
			}
		}
	}
	return strings.TrimRight(string(line), " ")
}

// ChartLines draws the profile as a chart w cells wide and h rows high,
// axes included: h-1 rows of plot over a row of hours.
func ChartLines(p *agp.Profile, w, h int, st Style) []string {
	plotW, plotH := max(w-labelWidth, 1), max(h-1, 1)
	grid := p.Plot(plotW, plotH)
	labels := yLabels(plotH, st.Unit)
	axis := st.Theme.Styles.Axis
	out := make([]string, 0, h)
	for r, row := range grid {
		var sb strings.Builder
		tick := "│"
		if labels[r] != "" {
			tick = "┤"
		}
		if st.ASCII {
			tick = "|"
		}
		sb.WriteString(axis.Render(fmt.Sprintf("%4s", labels[r]) + tick))
		for _, c := range row {
			sb.WriteString(cellGlyph(c, st))
		}
		out = append(out, sb.String())
	}
	if h > 1 {
		out = append(out, axis.Render(hourAxis(plotW, labelWidth)))
	}
	return out
}

// Legend says what the chart's shades are.
func Legend(st Style) string {
	s := st.Theme.Styles
	return cellGlyph(agp.Median, st) + s.Muted.Render(" median  ") +
		cellGlyph(agp.Inner, st) + s.Muted.Render(" 25–75%  ") +
		cellGlyph(agp.Outer, st) + s.Muted.Render(" 5–95%  ") +
		cellGlyph(agp.Target, st) + s.Muted.Render(" target "+TargetRange(st.Unit))
}

// TargetRange is the consensus target band in a unit.
func TargetRange(u client.Unit) string {
	if u == client.MmolL {
		return "3.9–10.0"
	}
	return "70–180"
}

// sparkRunes draw a trace from low to high in eighths of a cell.
var (
	sparkRunes = []rune("▁▂▃▄▅▆▇█")
	sparkASCII = []rune("_.-=+*#")
)

// Trace draws a day's glucose as a sparkline w cells wide on the plot's
// fixed scale, so days compare; a blank where there is no reading.
func Trace(d agp.Day, w int, st Style) string {
	if w <= 0 {
		return ""
	}
	runes := sparkRunes
	if st.ASCII {
		runes = sparkASCII
	}
	var sb strings.Builder
	for _, v := range d.Trace(w) {
		if math.IsNaN(v) {
			sb.WriteByte(' ')
			continue
		}
		f := (v - agp.PlotMin) / (agp.PlotMax - agp.PlotMin)
		i := min(max(int(f*float64(len(runes))), 0), len(runes)-1)
		sb.WriteString(st.Theme.Style(rangeOf(v)).UnsetBold().UnsetReverse().Render(string(runes[i])))
	}
	return sb.String()
}

// rangeOf is the theme range of a mg/dL value by the consensus bands.
func rangeOf(mgdl float64) theme.Range { return bandRange[stats.BandOf(mgdl)] }

// PeriodLabel names a period as people say it: "1–14 Mar 2025 (14 days)".
func PeriodLabel(p *agp.Profile) string {
	first := p.From.In(p.Loc)
	last := p.To.Add(-time.Second).In(p.Loc)
	days := len(p.Days)
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	switch {
	case first.Year() != last.Year():
		return fmt.Sprintf("%s – %s (%d %s)", first.Format("2 Jan 2006"), last.Format("2 Jan 2006"), days, unit)
	case first.Month() != last.Month():
		return fmt.Sprintf("%s – %s (%d %s)", first.Format("2 Jan"), last.Format("2 Jan 2006"), days, unit)
	case first.Day() != last.Day():
		return fmt.Sprintf("%d–%s (%d %s)", first.Day(), last.Format("2 Jan 2006"), days, unit)
	}
	return fmt.Sprintf("%s (%d %s)", last.Format("2 Jan 2006"), days, unit)
}

// MetricLines are the consensus metrics as "name value" pairs, in order.
func MetricLines(p *agp.Profile, u client.Unit) [][2]string {
	s := p.Summary
	if s.Count == 0 {
		return [][2]string{{"Readings", "none"}}
	}
	cv := fmt.Sprintf("%.1f%%", 100*s.CV)
	if s.StableCV() {
		cv += " (≤36% stable)"
	} else {
		cv += " (>36% unstable)"
	}
	return [][2]string{
		{"Mean glucose", u.Format(s.Mean) + " " + u.String()},
		{"GMI", fmt.Sprintf("%.1f%%", s.GMI)},
		{"CV", cv},
		{"SD", u.Format(s.SD) + " " + u.String()},
		{"Sensor active", fmt.Sprintf("%.1f%%", 100*s.Active())},
		{"Days with data", fmt.Sprintf("%d of %d", p.DaysWithData(), len(p.Days))},
		{"Low episodes", fmt.Sprint(p.Lows)},
	}
}

// WearWarning is the consensus caution for a period with little sensor
// data, or "" when the sensor was worn enough.
func WearWarning(p *agp.Profile) string {
	if !p.LowWear() {
		return ""
	}
	return fmt.Sprintf("Sensor active %.0f%% of the period: under 70%%, these figures may not represent it.", 100*p.Summary.Active())
}

// bandPercents rounds a profile's bands to percents that add up to 100.
func bandPercents(s stats.Summary) [stats.NumBands]int { return stats.Percentages(s.Bands) }

// pad pads a styled string with spaces to w cells.
func pad(s string, w int) string {
	if n := w - lipgloss.Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

type lipglossStyle = lipgloss.Style

// truncateStyled cuts a styled string to w cells.
func truncateStyled(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}
