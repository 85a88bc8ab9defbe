package tui

import (
	"math"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// yScale is the band of values a chart or sparkline spans, in mg/dL, and
// the round values worth a label on it.
type yScale struct {
	lo, hi float64
	ticks  []float64 // mg/dL, round in the display unit, ascending
}

// valueSpan is the lowest and highest of pts; ok is false when there are
// none.
func valueSpan(pts []point) (lo, hi float64, ok bool) {
	if len(pts) == 0 {
		return 0, 0, false
	}
	lo, hi = pts[0].v, pts[0].v
	for _, p := range pts[1:] {
		lo, hi = min(lo, p.v), max(hi, p.v)
	}
	return lo, hi, true
}

// tickSteps are the label spacings a chart may use, in the display unit:
// steps people count in (mmol/L in halves and wholes, mg/dL in tens).
var tickSteps = [...][]float64{
	client.MgDL:  {10, 20, 25, 50, 100, 200},
	client.MmolL: {0.5, 1, 2, 5, 10},
}

// Y axis ticks fall at least minTickGap rows apart and number at most
// maxTicks: labels on every other row, or a dozen of them, read as a
// column of numbers rather than a scale.
const (
	minTickGap = 2.2
	maxTicks   = 8
)

// chartScale fits the full chart's Y axis to the data in view and the
// target band (always both threshold lines, so the user sees where the
// data sits against them), with a small margin so no line runs along the
// frame. The ticks are the round values in the display unit inside that
// range, spaced by the rule above.
func chartScale(pts []point, t config.Thresholds, u client.Unit, rows int) yScale {
	lo, hi := float64(t.Low), float64(t.High)
	if dlo, dhi, ok := valueSpan(pts); ok {
		lo, hi = min(lo, dlo), max(hi, dhi)
	}
	pad := max((hi-lo)*0.06, 4)
	s := yScale{lo: max(lo-pad, 0), hi: hi + pad}

	ulo, uhi := u.Convert(s.lo), u.Convert(s.hi)
	steps := tickSteps[u]
	step := steps[len(steps)-1]
	most := min(max(float64(rows)/minTickGap, 1), maxTicks)
	for _, st := range steps {
		if (uhi-ulo)/st <= most {
			step = st
			break
		}
	}
	toMgdl := func(v float64) float64 { return v }
	if u == client.MmolL {
		toMgdl = func(v float64) float64 { return v * client.MgdlPerMmol }
	}
	for v := math.Ceil(ulo/step) * step; v <= uhi; v += step {
		s.ticks = append(s.ticks, toMgdl(v))
	}
	return s
}

// Sparkline scale limits, in mg/dL: a threshold within half the data's
// span (at least nearBand) of it is taken into the scale, and the scale
// is never narrower than minSparkSpan, so sensor noise on a flat night
// is not blown up into waves.
const (
	nearBand     = 20
	minSparkSpan = 40
)

// sparkScale fits the sparkline to the data in view with a small margin,
// so its variation fills the rows. A low or high threshold near the data
// is taken in too, so the target band's edge can be marked; a far one is
// left out rather than flatten the curve. With no data the scale is the
// target band.
func sparkScale(pts []point, t config.Thresholds) yScale {
	lo, hi, ok := valueSpan(pts)
	if !ok {
		lo, hi = float64(t.Low), float64(t.High)
	}
	near := max((hi-lo)/2, nearBand)
	for _, lim := range []float64{float64(t.Low), float64(t.High)} {
		if lim < lo && lo-lim <= near {
			lo = lim
		}
		if lim > hi && lim-hi <= near {
			hi = lim
		}
	}
	if grow := minSparkSpan - (hi - lo); grow > 0 {
		lo, hi = lo-grow/2, hi+grow/2
	}
	pad := max((hi-lo)*0.08, 4)
	return yScale{lo: max(lo-pad, 0), hi: hi + pad}
}
