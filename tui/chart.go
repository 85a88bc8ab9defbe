package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/NimbleMarkets/ntcharts/sparkline"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// gapAfter is the longest pause between readings that the chart still
// joins with a line; a longer one is a gap (two missed readings or more).
const gapAfter = 15 * time.Minute

// The chart's fixed Y range in mg/dL, so a spike does not rescale the
// picture; it grows only to fit a value beyond it.
const (
	chartMinY = 40
	chartMaxY = 300
)

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
	minY, maxY := float64(chartMinY), float64(chartMaxY)
	for _, pt := range pts {
		if pt.v > maxY {
			maxY = math.Ceil(pt.v/50) * 50
		}
	}

	labelWidth := len(in.unit.Format(maxY))
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
	t := in.thresholds
	used := map[int]bool{}
	for _, lim := range []int{t.Low, t.High} {
		row := g.row(float64(lim))
		dash := '┄'
		if in.ascii {
			dash = '-'
		}
		for x := g.left; x < g.left+g.width; x++ {
			pt := canvas.Point{X: x, Y: row}
			if cv.Cell(pt).Rune == 0 {
				cv.SetCell(pt, canvas.NewCellWithStyle(dash, st.Band))
			}
		}
	}
	for _, lim := range []int{t.High, t.Low, t.VeryHigh, t.UrgentLow} {
		row := g.row(float64(lim))
		if used[row] || used[row-1] || used[row+1] {
			continue
		}
		used[row] = true
		s := in.unit.Format(float64(lim))
		cv.SetStringWithStyle(canvas.Point{X: g.left - 1 - len(s), Y: row}, s, st.Muted)
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
		x := g.col(hr) - len(label)/2
		if x <= lastEnd || x < 0 || x+len(label) > w {
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

// sparkPane is the compact layouts' history: one column per slice of the
// window, coloured by band, empty where there is no reading.
type sparkPane struct {
	view string
}

func (p *sparkPane) draw(in chartInput) {
	w, h := max(in.width, 1), max(in.height, 1)
	if !in.to.After(in.from) {
		p.view = ""
		return
	}
	cols := make([]float64, w)
	bands := make([]theme.Range, w)
	maxY := float64(chartMaxY)
	slice := max(in.to.Sub(in.from)/time.Duration(w), 1)
	// Each column shows the newest reading up to its end, unless that
	// reading is older than a gap: columns narrower than the reading
	// interval stay solid, and a real gap stays empty.
	pts := plotPoints(in.readings, in.from, in.to)
	j := -1
	for x := range w {
		end := in.from.Add(slice * time.Duration(x+1))
		for j+1 < len(pts) && !pts[j+1].t.After(end) {
			j++
		}
		if j < 0 || end.Sub(pts[j].t) > min(gapAfter, max(slice, 10*time.Minute)) {
			continue
		}
		cols[x] = pts[j].v
		bands[x] = classify(pts[j].v, in.thresholds)
		maxY = max(maxY, pts[j].v)
	}
	s := sparkline.New(w, h, sparkline.WithMaxValue(maxY), sparkline.WithNoAutoMaxValue())
	s.PushAll(cols)
	s.DrawColumnsOnly()
	for x := range w {
		if cols[x] == 0 {
			continue
		}
		for y := range h {
			pt := canvas.Point{X: x, Y: y}
			if s.Canvas.Cell(pt).Rune != 0 {
				s.Canvas.SetCellStyle(pt, in.theme.Block(bands[x]))
			}
		}
	}
	p.view = s.View()
}
