package agp

import (
	"math"

	"github.com/cgmtop/cgmtop/stats"
)

// Cell is what one character cell of a plotted profile shows.
type Cell uint8

const (
	Empty  Cell = iota
	Target      // on a target line (70 or 180 mg/dL), outside the bands
	Outer       // inside the 5–95 % band
	Inner       // inside the 25–75 % band
	Median      // the median passes through the cell
)

// The plot's glucose scale, in mg/dL, as on the clinic's AGP: values
// above PlotMax (HIGH counts as 400) draw at the top row.
const (
	PlotMin = 40
	PlotMax = 350
)

// RowRange is the glucose [lo, hi) that row r (0 at the top) of an
// h-row plot covers.
func RowRange(r, h int) (lo, hi float64) {
	step := float64(PlotMax-PlotMin) / float64(h)
	lo = PlotMin + float64(h-1-r)*step
	return lo, lo + step
}

// RowOf is the row of an h-row plot that holds a glucose value.
func RowOf(mgdl float64, h int) int {
	step := float64(PlotMax-PlotMin) / float64(h)
	r := h - 1 - int(math.Floor((mgdl-PlotMin)/step))
	return min(max(r, 0), h-1)
}

// Column returns the percentiles at column c of a w-column plot, from
// midnight at the left to midnight at the right, interpolated between
// the slots around it. ok is false when neither slot has data.
func (p *Profile) Column(c, w int) (Percentiles, bool) {
	x := (float64(c)+0.5)/float64(w)*BinsPerDay - 0.5
	i0 := int(math.Floor(x))
	frac := x - float64(i0)
	a := p.Slots[(i0+BinsPerDay)%BinsPerDay]
	b := p.Slots[(i0+1)%BinsPerDay]
	switch {
	case a.N == 0 && b.N == 0:
		return Percentiles{}, false
	case a.N == 0:
		return b, true
	case b.N == 0:
		return a, true
	}
	out := Percentiles{N: a.N + b.N}
	for i := range out.P {
		out.P[i] = a.P[i] + frac*(b.P[i]-a.P[i])
	}
	return out, true
}

// Plot rasterises the profile onto w×h cells, rows from the top.
func (p *Profile) Plot(w, h int) [][]Cell {
	w, h = max(w, 1), max(h, 1)
	grid := make([][]Cell, h)
	for r := range grid {
		grid[r] = make([]Cell, w)
	}
	targets := []int{RowOf(stats.LowBelow, h), RowOf(stats.HighAbove, h)}
	cols := make([]Percentiles, w)
	has := make([]bool, w)
	med := make([]int, w)
	for c := range cols {
		cols[c], has[c] = p.Column(c, w)
		med[c] = RowOf(cols[c].P[P50], h)
	}
	for c := 0; c < w; c++ {
		if !has[c] {
			continue
		}
		col := cols[c]
		for r := 0; r < h; r++ {
			lo, hi := RowRange(r, h)
			switch {
			case r == med[c]:
				grid[r][c] = Median
			case overlaps(lo, hi, col.P[P25], col.P[P75], r, h):
				grid[r][c] = Inner
			case overlaps(lo, hi, col.P[P5], col.P[P95], r, h):
				grid[r][c] = Outer
			}
		}
		// A steep median would be dots a few rows apart: each column
		// draws its half of the step to its neighbours, so it reads as a
		// line.
		for _, n := range []int{c - 1, c + 1} {
			if n < 0 || n >= w || !has[n] {
				continue
			}
			mid := (med[c] + med[n]) / 2
			for r := min(med[c], mid); r <= max(med[c], mid); r++ {
				grid[r][c] = Median
			}
		}
	}
	for c := 0; c < w; c++ {
		for _, r := range targets {
			if grid[r][c] == Empty {
				grid[r][c] = Target
			}
		}
	}
	return grid
}

// overlaps reports whether the band [a, b] reaches into row r's [lo, hi),
// with values off the scale drawn at its edge rows.
func overlaps(lo, hi, a, b float64, r, h int) bool {
	if r == 0 {
		return b >= lo
	}
	if r == h-1 {
		return a < hi
	}
	return a < hi && b >= lo
}
