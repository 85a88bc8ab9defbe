package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/stats"
)

// TextWidth is the width of the text report: it fits a classic terminal
// and a printed page.
const TextWidth = 80

// Text writes the report as lines of at most TextWidth cells: the
// period, time in ranges with their goals, the metrics, the AGP chart and
// one row per day.
func Text(w io.Writer, p *agp.Profile, st Style, generated time.Time) error {
	bw := bufio.NewWriter(w)
	s := st.Theme.Styles
	line := func(parts ...string) { bw.WriteString(strings.TrimRight(strings.Join(parts, ""), " ") + "\n") }

	line(s.Title.Render("Ambulatory Glucose Profile"), s.Muted.Render(" · "), s.Text.Render(PeriodLabel(p)), s.Muted.Render(" · "+st.Unit.String()))
	line(s.Muted.Render(fmt.Sprintf("Days in %s; times of day as the receiver showed them", zoneName(p.To.In(p.Loc)))))
	line(s.Muted.Render("Generated " + generated.In(p.Loc).Format("2006-01-02 15:04 -07:00") + " by cgmtop"))
	line()
	if warn := WearWarning(p); warn != "" {
		line(s.Warn.Render("! " + warn))
		line()
	}
	if p.Summary.Count == 0 {
		line(s.Muted.Render("No readings in this period."))
		return bw.Flush()
	}

	// Time in ranges on the left, metrics on the right.
	pct := bandPercents(p.Summary)
	limits := BandLimits(st.Unit)
	left := []string{s.Bold.Render("Time in ranges") + s.Muted.Render("             goal"), RangeBar(p.Sums, 30, st) + " " + s.Bold.Render(fmt.Sprintf("%d%%", pct[stats.InRange]))}
	for b := stats.NumBands - 1; ; b-- {
		left = append(left, st.Theme.Block(bandRange[b]).Render(bandFill(int(b), st.ASCII))+" "+
			s.Text.Render(fmt.Sprintf("%-9s %-9s %3d%%", BandNames[b], limits[b], pct[b]))+s.Muted.Render(fmt.Sprintf(" %4s", BandGoals[b])))
		if b == 0 {
			break
		}
	}
	right := []string{s.Bold.Render("Glucose statistics")}
	for _, m := range MetricLines(p, st.Unit) {
		right = append(right, s.Muted.Render(fmt.Sprintf("%-15s", m[0]))+s.Text.Render(m[1]))
	}
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		line(pad(l, 40), r)
	}
	line()

	line(s.Bold.Render("Glucose by time of day"), s.Muted.Render(" · all days of the period laid over one"))
	for _, l := range ChartLines(p, TextWidth-2, 17, st) {
		line(l)
	}
	line("     ", Legend(st))
	line()

	line(s.Bold.Render("Daily patterns"))
	line(DayHeader(TextWidth, st))
	for i := len(p.Days) - 1; i >= 0; i-- {
		line(DayRow(p.Days[i], TextWidth, st))
	}
	return bw.Flush()
}

// zoneName names the zone a time is shown in: "UTC", "CET (+01:00)".
func zoneName(t time.Time) string {
	name, _ := t.Zone()
	off := t.Format("-07:00")
	if name == "UTC" && off == "+00:00" {
		return "UTC"
	}
	if name == "" || name == off || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		return "UTC" + off
	}
	return name + " (UTC" + off + ")"
}
