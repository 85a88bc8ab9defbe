// Package stats computes the consensus glucose statistics (time in ranges,
// mean, SD, CV, GMI, sensor wear) from a run of CGM readings.
package stats

import (
	"math"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// The international consensus bands (Battelino et al., Diabetes Care 2019),
// in mg/dL. They are fixed: the user's alert thresholds do not move them.
const (
	VeryLowBelow  = 54  // < 54: level 2 hypoglycaemia
	LowBelow      = 70  // 54–69: level 1
	HighAbove     = 180 // 181–250: level 1 hyperglycaemia
	VeryHighAbove = 250 // > 250: level 2
)

// CVTarget is the coefficient of variation at or below which glucose is
// considered stable (36 %).
const CVTarget = 0.36

// ReadingInterval is how often a CGM reports: the basis of sensor wear.
const ReadingInterval = 5 * time.Minute

// Band is one of the five consensus bands.
type Band uint8

const (
	VeryLow Band = iota
	Low
	InRange
	High
	VeryHigh
	NumBands
)

// BandOf puts a mg/dL value in its consensus band.
func BandOf(mgdl float64) Band {
	switch {
	case mgdl < VeryLowBelow:
		return VeryLow
	case mgdl < LowBelow:
		return Low
	case mgdl <= HighAbove:
		return InRange
	case mgdl <= VeryHighAbove:
		return High
	}
	return VeryHigh
}

// Summary is the statistics of one period. Glucose quantities are mg/dL;
// fractions are 0–1. A Summary with Count 0 has nothing to show.
type Summary struct {
	From, To time.Time
	Count    int               // readings used
	Expected int               // readings a sensor worn all the time would give
	Bands    [NumBands]float64 // fraction of readings in each band
	Mean     float64
	SD       float64 // population standard deviation
	CV       float64 // SD / Mean
	GMI      float64 // glucose management indicator, in %
}

// Active is sensor wear: the fraction of expected readings present.
func (s Summary) Active() float64 {
	if s.Expected == 0 {
		return 0
	}
	return math.Min(1, float64(s.Count)/float64(s.Expected))
}

// StableCV reports whether the CV meets the consensus target.
func (s Summary) StableCV() bool { return s.Count > 0 && s.CV <= CVTarget }

// GMI is the glucose management indicator (Bergenstal et al. 2018) for a
// mean glucose in mg/dL, in %.
func GMI(meanMgdl float64) float64 { return 3.31 + 0.02392*meanMgdl }

// HIGH and LOW readings count as the sensor's bounds, in mg/dL, as Dexcom
// Clarity counts them.
const (
	HighValue = 400
	LowValue  = 40
)

// Value is the number a reading counts as: HIGH and LOW count as
// HighValue and LowValue. ok is false for readings without a usable value.
func Value(r client.Reading) (mgdl float64, ok bool) {
	v, ok := level(r)
	return float64(v), ok
}

// level is Value as the whole mg/dL a sensor reports.
func level(r client.Reading) (mgdl int64, ok bool) {
	switch {
	case r.Status == client.StatusHigh:
		return HighValue, true
	case r.Status == client.StatusLow:
		return LowValue, true
	case r.Known():
		return int64(r.Value), true
	}
	return 0, false
}

// Compute summarises the readings whose Time is in [from, to). The
// readings need not be sorted; readings outside the period are ignored.
func Compute(readings []client.Reading, from, to time.Time) Summary {
	s := Summary{From: from, To: to}
	if to.After(from) {
		s.Expected = int(to.Sub(from) / ReadingInterval)
	}
	var counts [NumBands]int
	// Welford's online algorithm: stable for 90 days of readings.
	var mean, m2 float64
	for _, r := range readings {
		if r.Time.Before(from) || !r.Time.Before(to) {
			continue
		}
		v, ok := Value(r)
		if !ok {
			continue
		}
		s.Count++
		counts[BandOf(v)]++
		d := v - mean
		mean += d / float64(s.Count)
		m2 += d * (v - mean)
	}
	if s.Count == 0 {
		return s
	}
	for b := range counts {
		s.Bands[b] = float64(counts[b]) / float64(s.Count)
	}
	s.Mean = mean
	s.SD = math.Sqrt(m2 / float64(s.Count))
	s.CV = s.SD / s.Mean
	s.GMI = GMI(s.Mean)
	return s
}

// Sums are the running totals a Summary is made from. They are whole
// numbers, so a database can add them up in one pass over its rows and
// hand over a few integers instead of every reading; Compute and
// Sums.Summary then agree to rounding.
type Sums struct {
	Count      int           // readings with a usable Value
	Sum        int64         // of their Values, mg/dL
	SumSquares int64         // of their Values squared
	Bands      [NumBands]int // readings in each band
}

// Add counts one reading; a reading without a usable Value is skipped.
// The caller picks the readings of the period.
func (s *Sums) Add(r client.Reading) {
	if v, ok := level(r); ok {
		s.AddValue(v)
	}
}

// AddValue counts one value in mg/dL, as Value gives it (whole: a sensor
// reports whole mg/dL).
func (s *Sums) AddValue(v int64) {
	s.Count++
	s.Sum += v
	s.SumSquares += v * v
	s.Bands[BandOf(float64(v))]++
}

// Merge adds the sums of another stretch of readings, which must not
// overlap this one's.
func (s *Sums) Merge(o Sums) {
	s.Count += o.Count
	s.Sum += o.Sum
	s.SumSquares += o.SumSquares
	for b := range s.Bands {
		s.Bands[b] += o.Bands[b]
	}
}

// Summary is the statistics of the period [from, to) whose readings were
// summed.
func (s Sums) Summary(from, to time.Time) Summary {
	out := Summary{From: from, To: to, Count: s.Count}
	if to.After(from) {
		out.Expected = int(to.Sub(from) / ReadingInterval)
	}
	if s.Count == 0 {
		return out
	}
	n := float64(s.Count)
	for b, c := range s.Bands {
		out.Bands[b] = float64(c) / n
	}
	out.Mean = float64(s.Sum) / n
	// n²·variance = n·Σv² − (Σv)², exact in integers (90 days of 400s is
	// ~1e14, far from overflow), so the naive formula's cancellation
	// cannot make it negative or imprecise.
	out.SD = math.Sqrt(float64(int64(s.Count)*s.SumSquares-s.Sum*s.Sum)) / n
	out.CV = out.SD / out.Mean
	out.GMI = GMI(out.Mean)
	return out
}

// Percentages rounds band fractions to whole percents that add up to
// exactly 100 (largest-remainder method), so a stacked bar and its labels
// never disagree. All zeros when there is no data.
func Percentages(bands [NumBands]float64) [NumBands]int {
	var out [NumBands]int
	var total float64
	for _, f := range bands {
		total += f
	}
	if total <= 0 {
		return out
	}
	sum := 0
	var rem [NumBands]float64
	for i, f := range bands {
		p := f / total * 100
		out[i] = int(math.Floor(p))
		rem[i] = p - math.Floor(p)
		sum += out[i]
	}
	for sum < 100 {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
		sum++
	}
	return out
}
