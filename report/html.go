package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

//go:embed page.html.tmpl
var pageSource string

// page is parsed once, on first use rather than at start-up: every
// cgmtop process links this package, `cgmtop status` too, and parsing
// the page cost each start about 0.15 ms. It has no scripts, links or
// external resources, so the file opens anywhere, offline, and prints on
// one page.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(pageSource))
})

// The AGP chart's drawing area in SVG user units.
const (
	svgW, svgH      = 720.0, 260.0
	svgLeft, svgTop = 44.0, 10.0
	plotW, plotH    = svgW - svgLeft - 10, svgH - svgTop - 26
)

type htmlPage struct {
	Title, Period, Zone, Generated, Unit string
	Warning                              string
	Empty                                bool
	Bands                                []htmlBand
	Metrics                              [][2]string
	// The AGP chart.
	W, H, Left, Top, PW, PH, Right float64
	Outer, Inner                   []string // band polygons, one per run of slots with data
	Median                         []string // polylines
	TargetTop, TargetH             float64
	Lines                          []htmlLine
	Hours                          []htmlTick
	// The daily chart.
	DayW      float64
	DayBars   []htmlDayBar
	DayLabels []htmlTick
}

type htmlBand struct {
	Name, Limits, Goal, Class string
	Percent                   int
	Height                    float64 // of the stacked column, in px
}

type htmlLine struct {
	Y     float64
	Label string
	Class string
}

type htmlTick struct {
	X      float64
	Label  string
	Anchor string // text-anchor; "" is middle
}

type htmlDayBar struct {
	X     float64
	Segs  []htmlSeg
	Title string
}

type htmlSeg struct {
	Y, H  float64
	Class string
}

var bandClass = [stats.NumBands]string{"vlow", "low", "inr", "high", "vhigh"}

// HTML writes the report as one self-contained page: inline CSS and SVG,
// no scripts and no external requests, laid out for one printed page.
func HTML(w io.Writer, p *agp.Profile, u client.Unit, generated time.Time) error {
	s := p.Summary
	pg := htmlPage{
		Title:     "Ambulatory Glucose Profile",
		Period:    PeriodLabel(p),
		Zone:      zoneName(p.To.In(p.Loc)),
		Generated: generated.In(p.Loc).Format("2006-01-02 15:04 -07:00"),
		Unit:      u.String(),
		Warning:   WearWarning(p),
		Empty:     s.Count == 0,
		Metrics:   MetricLines(p, u),
		W:         svgW, H: svgH, Left: svgLeft, Top: svgTop, PW: plotW, PH: plotH, Right: svgLeft + plotW,
	}
	pct, limits := bandPercents(s), BandLimits(u)
	for b := stats.NumBands - 1; b >= 0; b-- {
		pg.Bands = append(pg.Bands, htmlBand{Name: BandNames[b], Limits: limits[b], Goal: BandGoals[b],
			Class: bandClass[b], Percent: pct[b], Height: 2 * float64(pct[b])})
		if b == 0 {
			break
		}
	}

	y := func(mgdl float64) float64 {
		v := min(max(mgdl, agp.PlotMin), agp.PlotMax)
		return svgTop + (1-(v-agp.PlotMin)/(agp.PlotMax-agp.PlotMin))*plotH
	}
	x := func(slot float64) float64 { return svgLeft + (slot+0.5)/agp.BinsPerDay*plotW }
	for _, run := range runs(p) {
		pg.Outer = append(pg.Outer, band(p, run, agp.P5, agp.P95, x, y))
		pg.Inner = append(pg.Inner, band(p, run, agp.P25, agp.P75, x, y))
		var pts []string
		for i := run[0]; i < run[1]; i++ {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(i)), y(p.Slots[i].P[agp.P50])))
		}
		pg.Median = append(pg.Median, strings.Join(pts, " "))
	}
	pg.TargetTop, pg.TargetH = y(stats.HighAbove), y(stats.LowBelow)-y(stats.HighAbove)
	for _, v := range []float64{stats.VeryLowBelow, stats.LowBelow, stats.HighAbove, stats.VeryHighAbove, agp.PlotMax} {
		class := "grid"
		if v == stats.LowBelow || v == stats.HighAbove {
			class = "target"
		}
		pg.Lines = append(pg.Lines, htmlLine{Y: y(v), Label: u.Format(v), Class: class})
	}
	for h := 0; h <= 24; h += 3 {
		anchor := "middle"
		switch h {
		case 0:
			anchor = "start"
		case 24:
			anchor = "end"
		}
		pg.Hours = append(pg.Hours, htmlTick{X: svgLeft + float64(h)/24*plotW, Label: fmt.Sprintf("%02d:00", h), Anchor: anchor})
	}

	// Daily time in ranges: one stacked column per day, at most 90.
	n := len(p.Days)
	pg.DayW = plotW / float64(max(n, 1))
	every := max(1, (n+13)/14)
	for i, d := range p.Days {
		bx := svgLeft + float64(i)*pg.DayW
		bar := htmlDayBar{X: bx, Title: d.Date.Format("Mon 2 Jan") + ": no readings"}
		if d.Sums.Count > 0 {
			ds := d.Summary()
			dp := stats.Percentages(ds.Bands)
			bar.Title = fmt.Sprintf("%s: %d%% in range, mean %s %s", d.Date.Format("Mon 2 Jan"), dp[stats.InRange], u.Format(ds.Mean), u)
			top := 0.0
			for b := stats.NumBands - 1; b >= 0; b-- {
				h := float64(dp[b]) / 100 * 80
				if h > 0 {
					bar.Segs = append(bar.Segs, htmlSeg{Y: 6 + top, H: h, Class: bandClass[b]})
				}
				top += h
				if b == 0 {
					break
				}
			}
		}
		pg.DayBars = append(pg.DayBars, bar)
		if i%every == 0 {
			pg.DayLabels = append(pg.DayLabels, htmlTick{X: bx + pg.DayW/2, Label: d.Date.Format("2 Jan")})
		}
	}
	return page().Execute(w, pg)
}

// runs are the stretches [start, end) of slots with data: a band is not
// drawn across a time of day with no readings.
func runs(p *agp.Profile) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= agp.BinsPerDay; i++ {
		has := i < agp.BinsPerDay && p.Slots[i].N > 0
		switch {
		case has && start < 0:
			start = i
		case !has && start >= 0:
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	return out
}

// band is the polygon between two percentiles over a run of slots.
func band(p *agp.Profile, run [2]int, lo, hi int, x, y func(float64) float64) string {
	var pts []string
	for i := run[0]; i < run[1]; i++ {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(i)), y(p.Slots[i].P[hi])))
	}
	for i := run[1] - 1; i >= run[0]; i-- {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(i)), y(p.Slots[i].P[lo])))
	}
	return strings.Join(pts, " ")
}
