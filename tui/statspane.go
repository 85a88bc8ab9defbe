package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
)

// statsPane is the statistics of the chosen period: time in ranges as a
// bar and in numbers, mean, SD, CV, GMI and sensor wear. It redraws when
// the period, its summary, the width or the unit changes; a zoom or the
// minute tick leaves it alone.
type statsPane struct {
	in   statsIn
	memo memo[statsIn]
}

// statsIn is everything the statistics are drawn from besides the
// context's theme and settings; it is also the pane's cache key.
type statsIn struct {
	w       int
	unit    client.Unit
	period  int
	ok      bool // the statistics have been computed
	summary stats.Summary
}

func (p *statsPane) SetSize(w, _ int) { p.in.w = w }

// Update sets the period and its summary and draws again if they moved.
func (p *statsPane) Update(c *paneContext, period int, ok bool, s stats.Summary) {
	p.in.unit, p.in.period, p.in.ok, p.in.summary = c.unit(), period, ok, s
	if p.memo.stale(p.in) {
		p.memo.put(p.in, drawStats(c, p.in))
	}
}

// Lines are the statistics as last drawn.
func (p *statsPane) Lines() []string { return p.memo.lines }

// View is the statistics as last drawn.
func (p *statsPane) View() string { return p.memo.view }

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

func drawStats(c *paneContext, in statsIn) []string {
	w := in.w
	st := c.th.Styles
	p := statsPeriods[in.period]
	title := st.Title.Render("Statistics") + st.Muted.Render(" · last "+p.name)
	if !in.ok {
		return []string{title, st.Muted.Render("computing…"), ""}
	}
	s := in.summary
	if s.Count == 0 {
		return []string{title, st.Muted.Render("no readings in the last " + p.name), ""}
	}
	u := c.unit()
	pct := stats.Percentages(s.Bands)
	limits := bandLimits(u)

	barW := max(w-lipgloss.Width(title)-12, 10)
	bar := stackedBar(pct, barW, *c.th, c.cfg.ASCII)
	first := title + "  " + bar + " " + st.Bold.Render(fmt.Sprintf("%d%%", pct[stats.InRange])) + st.Muted.Render(" TIR")

	var bands []string
	for b := range stats.NumBands {
		bands = append(bands, c.th.Block(bandRange[b]).Render(bandFill(stats.Band(b), c.cfg.ASCII))+
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
