package tui

import (
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/canvas/graph"
	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// chartPlot is the chart's ntcharts linechart and braille grid, kept
// between drawings. ntcharts' time-series chart is cheap to fill but dear
// to draw: its New makes a cell grid (a lipgloss.Style per cell, about
// 2 MB at 120x40), every DrawBraille… makes it anew (Canvas.Clear
// allocates each row) and makes and scans a whole braille grid per data
// set, and the chart has a data set per colour run (dozens a day). So
// the chart keeps one linechart for its size, blanks it in place, and
// plots every run into one braille grid, drawing each cell in the style
// of the last run that touched it: the cells DrawBrailleAll would draw.
type chartPlot struct {
	lc         linechart.Model
	made       bool
	w, h       int // the size lc was made for
	labelWidth int // the room lc keeps for the value labels

	// One drawing's runs, filled by startRun and plot.
	grid    *graph.BrailleGrid
	scale   canvas.Float64Point
	offset  canvas.Float64Point
	styles  []lipgloss.Style // per run
	owner   []int            // per graph cell: the last run that set a dot in it
	last    canvas.Point     // the run's last grid point
	hasLast bool             // the run has a point: last
}

// reset readies the linechart for a new drawing of the window from–to
// and minY–maxY: axes and label room drawn, plot area blank, no runs.
func (pl *chartPlot) reset(w, h, labelWidth int, axis lipgloss.Style, from, to time.Time, minY, maxY float64) *linechart.Model {
	if !pl.made || pl.w != w || pl.h != h || pl.labelWidth != labelWidth {
		// Labels are drawn by the chart pane, at the thresholds and on
		// round hours; the formatters only reserve their room.
		blank := strings.Repeat(" ", labelWidth)
		pl.lc = linechart.New(w, h, 0, 1, 0, 1,
			linechart.WithXYSteps(1, 1),
			linechart.WithYLabelFormatter(func(int, float64) string { return blank }),
			linechart.WithXLabelFormatter(func(int, float64) string { return "" }),
		)
		pl.made, pl.w, pl.h, pl.labelWidth = true, w, h, labelWidth
		pl.grid = nil // made below, for the new graph size
	} else {
		// Fill leaves the rows where they are; Clear would allocate them again.
		pl.lc.Canvas.Fill(canvas.Cell{})
	}
	lc := &pl.lc
	lc.AxisStyle, lc.LabelStyle = axis, axis
	lc.SetXRange(float64(from.Unix()), float64(to.Unix()))
	lc.SetYRange(minY, maxY)
	lc.SetViewXRange(float64(from.Unix()), float64(to.Unix()))
	lc.SetViewYRange(minY, maxY)
	lc.DrawXYAxisAndLabel()

	gw, gh := lc.GraphWidth(), lc.GraphHeight()
	// The scaling a time-series data set applies to its points, and the
	// grid DrawBrailleDataSets plots them on.
	pl.offset = canvas.Float64Point{X: lc.ViewMinX(), Y: lc.ViewMinY()}
	pl.scale = canvas.Float64Point{
		X: float64(gw) / (lc.ViewMaxX() - lc.ViewMinX()),
		Y: float64(lc.Origin().Y) / (lc.ViewMaxY() - lc.ViewMinY()),
	}
	// The graph's size follows from the linechart's, so a grid made
	// with the linechart fits until the next is made.
	if pl.grid == nil {
		pl.grid = graph.NewBrailleGrid(gw, gh, 0, float64(gw), 0, float64(gh))
	} else {
		pl.grid.Clear()
	}
	// owner is not cleared: a cell is drawn only if a dot was set in it,
	// and that set its owner.
	if n := gw * gh; cap(pl.owner) < n {
		pl.owner = make([]int, n)
	} else {
		pl.owner = pl.owner[:n]
	}
	pl.styles = pl.styles[:0]
	pl.hasLast = false
	return lc
}

// drawLine plots the readings as a line coloured by range, one run per
// unbroken stretch of one band: a gap ends a run (no line across it) and
// so does a change of band (the new run starts at the last point of the
// old, so the line stays joined).
func (pl *chartPlot) drawLine(pts []point, t config.Thresholds, th theme.Theme) {
	var prev point
	var prevBand theme.Range
	for i, pt := range pts {
		band := classify(pt.v, t)
		gap := i > 0 && pt.t.Sub(prev.t) > gapAfter
		if i == 0 || gap || band != prevBand {
			pl.startRun(th.Block(band))
			if i > 0 && !gap {
				pl.plot(prev.t, prev.v)
			}
		}
		pl.plot(pt.t, pt.v)
		prev, prevBand = pt, band
	}
	pl.endRun()
	pl.draw()
}

// startRun begins a run of points drawn in style s, after the last run.
func (pl *chartPlot) startRun(s lipgloss.Style) {
	pl.endRun()
	pl.styles = append(pl.styles, s)
}

// plot adds a point to the run: a line from the run's last point.
func (pl *chartPlot) plot(t time.Time, v float64) {
	f := canvas.Float64Point{X: float64(t.Unix()), Y: v}
	p := pl.grid.GridPoint(f.Sub(pl.offset).Mul(pl.scale))
	if pl.hasLast {
		pl.line(pl.last, p)
	}
	pl.last, pl.hasLast = p, true
}

// endRun ends the run as ntcharts ends a data set: with a line from its
// last point to itself, which is what marks a lone reading.
func (pl *chartPlot) endRun() {
	if pl.hasLast {
		pl.line(pl.last, pl.last)
	}
	pl.hasLast = false
}

func (pl *chartPlot) line(a, b canvas.Point) {
	run := len(pl.styles) - 1
	gw, gh := pl.lc.GraphWidth(), pl.lc.GraphHeight()
	for _, p := range graph.GetLinePoints(a, b) {
		pl.grid.Set(p)
		if p.X >= 0 && p.X < gw*2 && p.Y >= 0 && p.Y < gh*4 {
			pl.owner[p.Y/4*gw+p.X/2] = run
		}
	}
}

// draw puts the runs on the canvas, right of the Y axis.
func (pl *chartPlot) draw() {
	if len(pl.styles) == 0 {
		return
	}
	gw := pl.lc.GraphWidth()
	left := pl.lc.Origin().X + 1
	for y, row := range pl.grid.BraillePatterns() {
		for x, r := range row {
			if r != runes.BrailleBlockOffset {
				graph.DrawBrailleRune(&pl.lc.Canvas, canvas.Point{X: left + x, Y: y}, r, pl.styles[pl.owner[y*gw+x]])
			}
		}
	}
}
