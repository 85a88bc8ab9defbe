package tui

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

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

// chartPane is the time-series chart and its caption. It draws when its
// key changes (the data, the size, the window, the unit or the minute,
// which slides the window) and keeps the result, so View only returns a
// string: a units toggle or a period change that leaves the chart's key
// alone costs nothing here.
type chartPane struct {
	key     chartKey
	ok      bool
	view    string
	caption string // the caption row above the chart (medium and full layouts)
	n       int    // drawings so far
	plot    chartPlot
	runs    runRenders
}

// chartKey is what a chart or sparkline is drawn from, with the data (a
// slice) stood for by its generation: it changes with every load.
type chartKey struct {
	w, h     int
	from, to time.Time
	unit     client.Unit
	loc      *time.Location
	dataGen  int
	window   int
	events   bool
	compact  bool // the compact layout's chart: its caption goes under it
}

func keyOf(in chartInput, gen, window int, compact bool) chartKey {
	return chartKey{in.width, in.height, in.from, in.to, in.unit, in.loc, gen, window, len(in.events) > 0, compact}
}

// Update draws the chart again if its key moved.
func (p *chartPane) Update(in chartInput, gen, window int, compact bool) {
	k := keyOf(in, gen, window, compact)
	if p.ok && p.key == k {
		return
	}
	p.key, p.ok = k, true
	p.n++
	p.draw(in)
	if compact {
		p.caption = windowCaption(in, plotPoints(in.readings, in.from, in.to))
	} else {
		p.caption = chartCaption(in, chartWindows[window])
	}
}

// View is the chart as last drawn.
func (p *chartPane) View() string { return p.view }

// chartCaption says what the chart shows.
func chartCaption(in chartInput, win time.Duration) string {
	st := in.theme.Styles
	u := in.unit
	s := st.Bold.Render(fmt.Sprintf("last %dh", int(win.Hours()))) +
		st.Muted.Render(fmt.Sprintf(" · target %s–%s %s",
			u.Format(float64(in.thresholds.Low)), u.Format(float64(in.thresholds.High)), u))
	if len(in.events) > 0 && in.width >= 70 {
		s += st.Muted.Render(" · C carbs  I insulin  E exercise")
	}
	return s
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
	st := in.theme.Styles
	c := p.plot.reset(w, h, labelWidth, st.Axis, in.from, in.to, minY, maxY)

	p.plot.drawLine(pts, in.thresholds, in.theme)

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
	p.view = p.runs.canvasView(cv)
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

// canvasView is the canvas as text, as its View writes it but with one
// Render per run of cells in the same style rather than one per cell:
// the same screen in a fraction of the time and of the escapes, which
// is most of a redraw at 120x40.
func (rr *runRenders) canvasView(cv *canvas.Model) string {
	rr.begin()
	w, h := cv.Width(), cv.Height()
	var b strings.Builder
	b.Grow(w * h * 4)
	run := rr.run[:0]
	for y := range h {
		if y > 0 {
			b.WriteByte('\n')
		}
		var cur lipgloss.Style
		var curKey styleKey
		for x := range w {
			c := cv.Cell(canvas.Point{X: x, Y: y})
			if k := keyOfStyle(c.Style); x == 0 || k != curKey {
				if len(run) > 0 {
					b.WriteString(rr.render(cur, curKey, run))
					run = run[:0]
				}
				cur, curKey = c.Style, k
			}
			if c.Rune == 0 {
				run = append(run, ' ')
			} else {
				run = utf8.AppendRune(run, c.Rune)
			}
		}
		if len(run) > 0 {
			b.WriteString(rr.render(cur, curKey, run))
			run = run[:0]
		}
	}
	rr.run = run
	rr.end()
	return b.String()
}

// runRenders keeps the runs of the chart as rendered at its last drawing,
// by style and text. The minute's tick slides the line by a column or so
// but leaves nine runs in ten as they were (the blank stretches, axes,
// labels and much of the braille), and a lipgloss Render per run was the
// dearest part of a redraw left once the canvas was kept.
type runRenders struct {
	profile    termenv.Profile // the colour profile they were rendered for
	last, this map[styleKey]map[string]string
	run        []byte // the run being read, kept for its room
}

func (rr *runRenders) begin() {
	// A run renders differently under another profile (only tests switch).
	if p := lipgloss.ColorProfile(); rr.this == nil || p != rr.profile {
		rr.profile, rr.last, rr.this = p, map[styleKey]map[string]string{}, map[styleKey]map[string]string{}
	}
}

// render is the run in its style, from this drawing's or the last's
// runs or else rendered. The text is looked up as bytes, which costs no
// string, and made a string only to be kept.
func (rr *runRenders) render(s lipgloss.Style, k styleKey, text []byte) string {
	if out, ok := rr.this[k][string(text)]; ok {
		return out
	}
	out, ok := rr.last[k][string(text)]
	if !ok {
		out = s.Render(string(text))
	}
	byText := rr.this[k]
	if byText == nil {
		byText = map[string]string{}
		rr.this[k] = byText
	}
	byText[string(text)] = out
	return out
}

// end keeps only this drawing's runs for the next: what the chart no
// longer shows is dropped, so the cache never outgrows one screen. The
// emptied maps (one per style: a handful) keep their room for the next.
func (rr *runRenders) end() {
	rr.last, rr.this = rr.this, rr.last
	for _, byText := range rr.this {
		clear(byText)
	}
}

// styleKey tells apart the styles a chart's cells carry: colours and
// text attributes (the chart's styles set nothing else).
type styleKey struct {
	fg, bg                                  lipgloss.TerminalColor
	bold, faint, italic, underline, reverse bool
}

func keyOfStyle(s lipgloss.Style) styleKey {
	return styleKey{s.GetForeground(), s.GetBackground(), s.GetBold(), s.GetFaint(), s.GetItalic(), s.GetUnderline(), s.GetReverse()}
}
