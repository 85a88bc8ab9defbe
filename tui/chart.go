package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// gapAfter is the longest pause between readings that the chart still
// joins with a line; a longer one is a gap (two missed readings or more).
const gapAfter = 15 * time.Minute

// chartInput is everything a chart or sparkline is drawn from.
type chartInput struct {
	readings   []client.Reading // ascending
	events     []client.Event
	from, to   time.Time
	width      int
	height     int
	theme      theme.Theme
	thresholds config.Thresholds
	unit       client.Unit
	loc        *time.Location
	ascii      bool
}

// chartPane is the time-series chart. It draws when data, size, window or
// unit change (in Update) and keeps the result, so View only copies a
// string.
type chartPane struct {
	view string
}

// point is a reading ready to plot.
type point struct {
	t time.Time
	v float64
}

func plotPoints(rs []client.Reading, from, to time.Time) []point {
	pts := make([]point, 0, len(rs))
	for _, r := range rs {
		if r.Time.Before(from) || r.Time.After(to) {
			continue
		}
		v, ok := plotValue(r)
		// A chart hangs on NaN or Inf; the cache should never hold one.
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		pts = append(pts, point{r.Time, v})
	}
	return pts
}

func (p *chartPane) draw(in chartInput) {
	w, h := max(in.width, 1), max(in.height, 1)
	if w < 12 || h < 4 || !in.to.After(in.from) {
		p.view = ""
		return
	}
	pts := plotPoints(in.readings, in.from, in.to)
	// The plot is the chart less the time axis and its labels.
	sc := chartScale(pts, in.thresholds, in.unit, h-2)
	minY, maxY := sc.lo, sc.hi
	t := in.thresholds
	labelWidth := max(len(in.unit.Format(float64(t.Low))), len(in.unit.Format(float64(t.High))))
	for _, v := range sc.ticks {
		labelWidth = max(labelWidth, len(in.unit.Format(v)))
	}
	blank := strings.Repeat(" ", labelWidth)
	st := in.theme.Styles
	c := timeserieslinechart.New(w, h,
		timeserieslinechart.WithXYSteps(1, 1),
		// Labels are drawn below, at the thresholds and on round hours;
		// the formatters only reserve their room.
		timeserieslinechart.WithYLabelFormatter(func(int, float64) string { return blank }),
		timeserieslinechart.WithXLabelFormatter(func(int, float64) string { return "" }),
		timeserieslinechart.WithAxesStyles(st.Axis, st.Axis),
	)
	c.AutoMinX, c.AutoMaxX, c.AutoMinY, c.AutoMaxY = false, false, false, false
	c.SetTimeRange(in.from, in.to)
	c.SetYRange(minY, maxY)
	c.SetViewTimeAndYRange(in.from, in.to, minY, maxY)

	// One data set per unbroken run of one colour band: a gap ends a run
	// (no line across it) and so does a change of band (the new run
	// starts at the last point of the old, so the line stays joined).
	run := -1
	name := ""
	var prev point
	var prevBand theme.Range
	for i, pt := range pts {
		band := classify(pt.v, in.thresholds)
		gap := i > 0 && pt.t.Sub(prev.t) > gapAfter
		if i == 0 || gap || band != prevBand {
			run++
			name = fmt.Sprintf("%06d", run) // DrawBrailleAll draws in name order
			c.SetDataSetStyle(name, in.theme.Block(band))
			if i > 0 && !gap {
				c.PushDataSet(name, timeserieslinechart.TimePoint{Time: prev.t, Value: prev.v})
			}
		}
		c.PushDataSet(name, timeserieslinechart.TimePoint{Time: pt.t, Value: pt.v})
		prev, prevBand = pt, band
	}
	if len(pts) > 0 {
		c.DrawBrailleAll()
	} else {
		c.Clear()
		c.DrawXYAxisAndLabel()
	}

	g := chartGeometry{
		left:   c.Origin().X + 1,
		width:  c.GraphWidth(),
		height: c.GraphHeight(),
		minY:   minY, maxY: maxY,
		from: in.from, to: in.to,
	}
	cv := &c.Canvas
	dash := '┄'
	if in.ascii {
		dash = '-'
	}
	for _, lim := range []int{t.Low, t.High} {
		row := g.row(float64(lim))
		for x := g.left; x < g.left+g.width; x++ {
			pt := canvas.Point{X: x, Y: row}
			if cv.Cell(pt).Rune == 0 {
				cv.SetCell(pt, canvas.NewCellWithStyle(dash, st.Band))
			}
		}
	}
	// The thresholds are labelled first, then the round ticks in the rows
	// they leave free: labels on neighbouring rows would read as one.
	used := map[int]bool{}
	label := func(v float64) {
		row := g.row(v)
		if used[row] || used[row-1] || used[row+1] {
			return
		}
		used[row] = true
		s := in.unit.Format(v)
		cv.SetStringWithStyle(canvas.Point{X: g.left - 1 - len(s), Y: row}, s, st.Muted)
	}
	label(float64(t.High))
	label(float64(t.Low))
	for i := len(sc.ticks) - 1; i >= 0; i-- {
		label(sc.ticks[i])
	}

	// Hour labels under the axis, every few hours as the width allows.
	axisY := g.height
	step := hourStep(g.width, in.to.Sub(in.from))
	first := in.from.In(in.loc).Truncate(time.Hour)
	lastEnd := -1
	for hr := first; !hr.After(in.to); hr = hr.Add(time.Hour) {
		if hr.Before(in.from) || hr.In(in.loc).Hour()%step != 0 {
			continue
		}
		label := hr.In(in.loc).Format("15:04")
		// Centred under its tick, or pushed in from the right edge.
		x := min(g.col(hr)-len(label)/2, w-len(label))
		if x <= lastEnd || x < 0 {
			continue
		}
		cv.SetStringWithStyle(canvas.Point{X: x, Y: axisY + 1}, label, st.Muted)
		cv.SetCell(canvas.Point{X: g.col(hr), Y: axisY}, canvas.NewCellWithStyle('┬', st.Axis))
		lastEnd = x + len(label)
	}

	// Events sit on the axis, one letter each, so they never hide a value.
	for _, e := range in.events {
		if e.Deleted || e.Time.Before(in.from) || e.Time.After(in.to) {
			continue
		}
		cv.SetCell(canvas.Point{X: g.col(e.Time), Y: axisY}, canvas.NewCellWithStyle(eventMark(e.Type), st.Accent))
	}
	p.view = c.View()
}

// eventMark is the letter an event is marked with on the chart.
func eventMark(typ string) rune {
	switch typ {
	case "carbs":
		return 'C'
	case "insulin":
		return 'I'
	case "exercise":
		return 'E'
	}
	return '*'
}

// hourStep picks how many hours apart time labels go so each has about
// eight columns of room.
func hourStep(width int, window time.Duration) int {
	hours := window.Hours()
	for _, s := range []int{1, 2, 3, 4, 6, 12} {
		if float64(width)/hours*float64(s) >= 8 {
			return s
		}
	}
	return 24
}

// chartGeometry maps times and values to canvas cells exactly as ntcharts
// maps them onto its braille grid.
type chartGeometry struct {
	left, width, height int
	minY, maxY          float64
	from, to            time.Time
}

func (g chartGeometry) row(v float64) int {
	dots := g.height*4 - 1
	y := int(math.Round((v - g.minY) / (g.maxY - g.minY) * float64(dots)))
	y = min(max(y, 0), dots)
	return (dots - y) / 4
}

func (g chartGeometry) col(t time.Time) int {
	dots := g.width*2 - 1
	frac := float64(t.Unix()-g.from.Unix()) / float64(g.to.Unix()-g.from.Unix())
	x := min(max(int(math.Round(frac*float64(dots))), 0), dots)
	return g.left + x/2
}

// sparkPane is the compact layouts' history: one bar per slice of the
// window, scaled to the data in view, coloured by band and empty where
// there is no reading; the target band's edges are marked in a gutter.
type sparkPane struct {
	view    string // the bars, height rows
	caption string // the window and the lowest and highest value in it
}

// sparkLevels are the partial blocks a bar's top is drawn with, in
// eighths of a row.
var sparkLevels = [...]string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// sparkCell is one cell of the sparkline before it is styled.
type sparkCell struct {
	s     string
	style int // index into the styles draw builds
}

func (p *sparkPane) draw(in chartInput) {
	w, h := max(in.width, 1), max(in.height, 1)
	p.view, p.caption = "", ""
	if !in.to.After(in.from) {
		return
	}
	// The bars also take in a reading just before the window; the scale
	// and the marks only the readings in it.
	all := plotPoints(in.readings, in.from.Add(-gapAfter), in.to)
	i, _ := slices.BinarySearchFunc(all, in.from, func(pt point, t time.Time) int { return pt.t.Compare(t) })
	pts := all[i:]
	sc := sparkScale(pts, in.thresholds)
	t := in.thresholds
	st := in.theme.Styles

	// The gutter names the rows the target band's edges fall on; with
	// neither in view it names the rows of the highest and lowest value.
	eighths := func(v float64) float64 { return (v - sc.lo) / (sc.hi - sc.lo) * float64(h*8) }
	rowOf := func(v float64) int { return min(max(h-1-int(eighths(v)/8), 0), h-1) }
	marks := map[int]string{}
	markRow := map[int]bool{} // rows a threshold line runs along
	for _, lim := range []int{t.High, t.Low} {
		v := float64(lim)
		if v < sc.lo || v > sc.hi {
			continue
		}
		r := rowOf(v)
		markRow[r] = true
		if _, taken := marks[r]; !taken {
			marks[r] = in.unit.Format(v)
		}
	}
	lo, hi, hasData := valueSpan(pts)
	if len(marks) == 0 && hasData {
		marks[rowOf(hi)] = in.unit.Format(hi)
		if r := rowOf(lo); marks[r] == "" {
			marks[r] = in.unit.Format(lo)
		}
	}
	gutter := 0
	for _, m := range marks {
		gutter = max(gutter, len(m))
	}
	if gutter > 0 {
		gutter++ // the axis
	}
	if w-gutter < 4 {
		gutter = 0 // a few bars say more than a label squeezing them out
	}
	cols := w - gutter

	// Each column shows the newest reading up to its end, unless that
	// reading is older than a gap: columns narrower than the reading
	// interval stay solid, and a real gap stays empty. A reading just
	// before the window fills the first columns.
	level := make([]int, cols) // eighths of a row; 0 is no reading
	bands := make([]theme.Range, cols)
	slice := max(in.to.Sub(in.from)/time.Duration(cols), 1)
	j := -1
	for x := range cols {
		end := in.from.Add(slice * time.Duration(x+1))
		for j+1 < len(all) && !all[j+1].t.After(end) {
			j++
		}
		if j < 0 || end.Sub(all[j].t) > min(gapAfter, max(slice, 10*time.Minute)) {
			continue
		}
		v := all[j].v
		// A reading is never drawn as nothing: the lowest keeps a sliver.
		level[x] = min(max(int(math.Round(eighths(v))), 1), h*8)
		bands[x] = classify(v, t)
	}

	// Styles: 0 plain, 1 gutter label, 2 axis, 3 threshold line, 4+ bands.
	styles := []lipgloss.Style{lipgloss.NewStyle(), st.Muted, st.Axis, st.Band}
	for r := theme.UrgentLow; r <= theme.VeryHigh; r++ {
		styles = append(styles, in.theme.Block(r))
	}
	axis, tee, dash := "│", "┤", "┄"
	if in.ascii {
		axis, tee, dash = "|", "|", "-"
	}
	out := make([]string, h)
	line := make([]sparkCell, 0, w)
	for y := range h {
		line = line[:0]
		if gutter > 0 {
			m := marks[y]
			line = append(line, sparkCell{strings.Repeat(" ", gutter-1-len(m)) + m, 1})
			if m != "" {
				line = append(line, sparkCell{tee, 2})
			} else {
				line = append(line, sparkCell{axis, 2})
			}
		}
		floor := (h - 1 - y) * 8
		for x := range cols {
			fill := min(max(level[x]-floor, 0), 8)
			switch {
			case fill > 0 && in.ascii:
				c := "#"
				if fill < 4 {
					c = "_"
				}
				line = append(line, sparkCell{c, 4 + int(bands[x])})
			case fill > 0:
				line = append(line, sparkCell{sparkLevels[fill], 4 + int(bands[x])})
			case markRow[y]:
				line = append(line, sparkCell{dash, 3})
			default:
				line = append(line, sparkCell{" ", 0})
			}
		}
		out[y] = renderCells(line, styles)
	}
	p.view = strings.Join(out, "\n")
	p.caption = windowCaption(in, pts)
}

// windowCaption names the compact layouts' window and the lowest and
// highest of pts, the points in it, as fully as the width allows.
func windowCaption(in chartInput, pts []point) string {
	window := fmt.Sprintf("%dh", int(in.to.Sub(in.from).Hours()))
	captions := []string{"last " + window + " · no readings", window + " · no readings", window}
	if lo, hi, ok := valueSpan(pts); ok {
		lo, hi := in.unit.Format(lo), in.unit.Format(hi)
		captions = []string{
			"last " + window + " · min " + lo + " · max " + hi,
			window + " · min " + lo + " · max " + hi,
			window + " · " + lo + "–" + hi,
			window,
		}
	}
	for _, c := range captions {
		if utf8.RuneCountInString(c) <= in.width {
			return in.theme.Styles.Muted.Render(c)
		}
	}
	return ""
}

// renderCells styles a row of cells, one style call per run of cells that
// share a style.
func renderCells(cells []sparkCell, styles []lipgloss.Style) string {
	var b, run strings.Builder
	cur := -1
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(styles[cur].Render(run.String()))
			run.Reset()
		}
	}
	for _, c := range cells {
		if c.style != cur {
			flush()
			cur = c.style
		}
		run.WriteString(c.s)
	}
	flush()
	return b.String()
}
