package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// ntchartsPlot draws the line the way ntcharts' time-series chart does,
// a new chart per drawing with a data set per run and DrawBrailleAll: the
// reference chartPlot must match cell for cell. The goldens cannot tell,
// as they are written without colour.
func ntchartsPlot(pts []point, w, h, labelWidth int, th theme.Theme, t config.Thresholds, from, to time.Time, minY, maxY float64) canvas.Model {
	blank := strings.Repeat(" ", labelWidth)
	c := timeserieslinechart.New(w, h,
		timeserieslinechart.WithXYSteps(1, 1),
		timeserieslinechart.WithYLabelFormatter(func(int, float64) string { return blank }),
		timeserieslinechart.WithXLabelFormatter(func(int, float64) string { return "" }),
		timeserieslinechart.WithAxesStyles(th.Styles.Axis, th.Styles.Axis),
	)
	c.AutoMinX, c.AutoMaxX, c.AutoMinY, c.AutoMaxY = false, false, false, false
	c.SetTimeRange(from, to)
	c.SetYRange(minY, maxY)
	c.SetViewTimeAndYRange(from, to, minY, maxY)
	run := -1
	name := ""
	var prev point
	var prevBand theme.Range
	for i, pt := range pts {
		band := classify(pt.v, t)
		gap := i > 0 && pt.t.Sub(prev.t) > gapAfter
		if i == 0 || gap || band != prevBand {
			run++
			name = fmt.Sprintf("%06d", run) // DrawBrailleAll draws in name order
			c.SetDataSetStyle(name, th.Block(band))
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
	return c.Canvas
}

// TestChartPlotMatchesNtcharts draws one chartPlot through sizes and data
// that change and come back (so it is reused, resized and blanked in
// place) and checks every cell, rune and style, against ntcharts.
func TestChartPlotMatchesNtcharts(t *testing.T) {
	th := theme.Dark()
	thr := config.Default().Thresholds
	to := testNow
	from := to.Add(-24 * time.Hour)
	smooth := plotPoints(generate(from.Add(-time.Hour), to,
		gap{to.Add(-150 * time.Minute), to.Add(-105 * time.Minute)}), from, to)
	// Swings through every band every few readings: many short runs,
	// many cells two runs share.
	var spiky []point
	for i, tm := 0, from; !tm.After(to); i, tm = i+1, tm.Add(5*time.Minute) {
		spiky = append(spiky, point{tm, float64([]int{45, 62, 120, 240, 330, 190, 75, 58}[i%8])})
	}
	lone := []point{{to.Add(-12 * time.Hour), 150}, {to.Add(-2 * time.Hour), 260}} // a gap between: two dots
	edges := []point{{from, 40}, {to, 400}}
	cases := []struct {
		name  string
		pts   []point
		w, h  int
		label int
		unit  client.Unit
	}{
		{"smooth 120x30", smooth, 120, 30, 3, client.MgDL},
		{"spiky 120x30", spiky, 120, 30, 3, client.MgDL},
		{"smooth 78x17", smooth, 78, 17, 3, client.MgDL},
		{"spiky mmol 78x17", spiky, 78, 17, 4, client.MmolL},
		{"lone 120x30", lone, 120, 30, 3, client.MgDL},
		{"none 120x30", nil, 120, 30, 3, client.MgDL},
		{"edges 12x4", edges, 12, 4, 3, client.MgDL},
		{"spiky 200x50", spiky, 200, 50, 3, client.MgDL},
		{"smooth 120x30 again", smooth, 120, 30, 3, client.MgDL},
	}
	var pl chartPlot
	for _, c := range cases {
		sc := chartScale(c.pts, thr, c.unit, c.h-2)
		want := ntchartsPlot(c.pts, c.w, c.h, c.label, th, thr, from, to, sc.lo, sc.hi)
		lc := pl.reset(c.w, c.h, c.label, th.Styles.Axis, from, to, sc.lo, sc.hi)
		pl.drawLine(c.pts, thr, th)
		got := &lc.Canvas
		if got.Width() != want.Width() || got.Height() != want.Height() {
			t.Fatalf("%s: canvas %dx%d, ntcharts %dx%d", c.name, got.Width(), got.Height(), want.Width(), want.Height())
		}
		braille := 0
		for y := range want.Height() {
			for x := range want.Width() {
				p := canvas.Point{X: x, Y: y}
				g, w := got.Cell(p), want.Cell(p)
				if g.Rune != w.Rune || keyOfStyle(g.Style) != keyOfStyle(w.Style) {
					t.Fatalf("%s: cell %v is %q %+v, ntcharts draws %q %+v", c.name, p, g.Rune, keyOfStyle(g.Style), w.Rune, keyOfStyle(w.Style))
				}
				if w.Rune >= 0x2800 && w.Rune <= 0x28ff {
					braille++
				}
			}
		}
		if braille == 0 && len(c.pts) > 0 {
			t.Errorf("%s: no braille drawn, the comparison shows nothing", c.name)
		}
	}
}

// TestChartPaneReuseDrawsAsNew slides a kept chart pane through minutes,
// sizes and colour profiles and checks each drawing, escapes and all,
// against a new pane's: what the pane keeps between drawings (its
// linechart, its rendered runs) never shows.
func TestChartPaneReuseDrawsAsNew(t *testing.T) {
	defer lipgloss.SetColorProfile(termenv.Ascii)
	m := load(t, normalStore(), config.Default(), 120, 40)
	var kept chartPane
	for i, c := range []struct {
		w, h    int
		profile termenv.Profile
	}{
		{120, 30, termenv.TrueColor}, {120, 30, termenv.TrueColor}, {80, 17, termenv.TrueColor},
		{120, 30, termenv.ANSI256}, {120, 30, termenv.Ascii}, {120, 30, termenv.TrueColor},
	} {
		lipgloss.SetColorProfile(c.profile)
		in := m.chartInputFor(c.w, c.h)
		in.to = testNow.Add(time.Duration(i) * time.Minute)
		in.from = in.to.Add(-24 * time.Hour)
		kept.Update(in, m.dataGen, 3, false)
		var fresh chartPane
		fresh.Update(in, m.dataGen, 3, false)
		if kept.View() != fresh.View() {
			t.Fatalf("drawing %d (%dx%d, profile %v): the kept pane draws\n%s\na new one\n%s", i, c.w, c.h, c.profile, kept.View(), fresh.View())
		}
		if c.profile == termenv.TrueColor && !strings.Contains(kept.View(), "\x1b[38;2;") {
			t.Fatalf("drawing %d: no colour under TrueColor, the comparison shows nothing", i)
		}
	}
}
