// Package agp builds the Ambulatory Glucose Profile of a period (the
// percentiles of glucose by time of day, the consensus metrics and the
// daily patterns) from the cache in one streaming pass.
package agp

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/stats"
)

// BinsPerDay splits the day into 15-minute slots: at 14 days each slot
// pools about 42 readings, enough for a steady 5th and 95th percentile.
const BinsPerDay = 96

const (
	binSeconds = 86400 / BinsPerDay
	daySeconds = 86400
)

// Levels are the percentiles of the profile, in the order of
// Percentiles.P: the 5–95 % band, the 25–75 % band and the median.
var Levels = [5]float64{0.05, 0.25, 0.50, 0.75, 0.95}

// Indexes into Percentiles.P.
const (
	P5 = iota
	P25
	P50
	P75
	P95
)

// MinWear is the sensor wear below which the consensus deems a period's
// statistics unreliable (70 % of 14 days).
const MinWear = 0.70

// maxValue bounds the per-slot histograms. Dexcom reports nothing above
// 400 (HIGH counts as 400); a value beyond maxValue counts as maxValue.
const maxValue = 1000

// Store is the part of the cache a profile is read from.
type Store interface {
	EachGlucose(ctx context.Context, from, to time.Time, fn func(cache.Glucose) error) error
}

// Percentiles are the Levels of one time-of-day slot's readings, in
// mg/dL; N is how many readings the slot pooled (0: no data, P is zero).
type Percentiles struct {
	N int
	P [len(Levels)]float64
}

// Profile is the AGP of [From, To): all glucose quantities in mg/dL.
type Profile struct {
	From, To time.Time
	Loc      *time.Location // days and times of readings without a display time
	Summary  stats.Summary  // the consensus metrics of the whole period
	Sums     stats.Sums     // what Summary was made from
	Slots    [BinsPerDay]Percentiles
	Days     []Day // each local calendar day the period touches, oldest first
	Lows     int   // low episodes (see Day.Lows)
}

// Day is one local calendar day of a Profile.
type Day struct {
	Date  time.Time // local midnight, in the Profile's Loc
	Sums  stats.Sums
	Lows  int // low episodes (≥ 15 min below 70 mg/dL) that reached 15 min this day
	slots [BinsPerDay]slotSum
}

type slotSum struct {
	sum int32
	n   int32
}

// Summary is the day's consensus metrics.
func (d Day) Summary() stats.Summary {
	return d.Sums.Summary(d.Date, d.Date.AddDate(0, 0, 1))
}

// Trace is the day's mean glucose in n equal parts of the day, NaN where
// there is no reading: the small per-day curve.
func (d Day) Trace(n int) []float64 {
	out := make([]float64, max(n, 0))
	for i := range out {
		lo, hi := i*BinsPerDay/n, (i+1)*BinsPerDay/n
		hi = max(hi, lo+1)
		var sum, cnt int64
		for b := lo; b < hi && b < BinsPerDay; b++ {
			sum += int64(d.slots[b].sum)
			cnt += int64(d.slots[b].n)
		}
		out[i] = math.NaN()
		if cnt > 0 {
			out[i] = float64(sum) / float64(cnt)
		}
	}
	return out
}

// DaysWithData counts the days with at least one reading.
func (p *Profile) DaysWithData() int {
	n := 0
	for _, d := range p.Days {
		if d.Sums.Count > 0 {
			n++
		}
	}
	return n
}

// LowWear reports whether the sensor was worn less than MinWear of the
// period: the consensus warns its statistics may mislead.
func (p *Profile) LowWear() bool { return p.Summary.Active() < MinWear }

// LastDays returns a period of n local calendar days that ends at now and
// includes today: from local midnight n-1 days ago.
func LastDays(now time.Time, n int, loc *time.Location) (from, to time.Time) {
	l := now.In(loc)
	from = time.Date(l.Year(), l.Month(), l.Day()-(n-1), 0, 0, 0, 0, loc)
	return from, now
}

// Build reads [from, to) from the store in one pass and builds its
// profile. Readings without a display time are placed on the clock of
// loc; the others on the display device's own clock, as a clinic's AGP
// does. Memory is bounded by the slots and days, not the readings.
func Build(ctx context.Context, store Store, from, to time.Time, loc *time.Location) (*Profile, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("the period %s to %s is empty", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	if loc == nil {
		loc = time.Local
	}
	p := &Profile{From: from, To: to, Loc: loc}
	first := localDay(from.Unix(), offsetAt(from, loc))
	last := localDay(to.Add(-time.Second).Unix(), offsetAt(to.Add(-time.Second), loc))
	f := from.In(loc)
	for d := first; d <= last; d++ {
		date := time.Date(f.Year(), f.Month(), f.Day()+int(d-first), 0, 0, 0, 0, loc)
		p.Days = append(p.Days, Day{Date: date})
	}
	hist := make([][maxValue + 1]uint32, BinsPerDay)
	var lows lowTracker
	err := store.EachGlucose(ctx, from, to, func(g cache.Glucose) error {
		off := g.Offset
		if !g.HasOffset {
			off = offsetAt(time.Unix(g.Unix, 0), loc)
		}
		local := g.Unix + off
		slot := int(floorMod(local, daySeconds) / binSeconds)
		day := int(min(max(localDay(g.Unix, off)-first, 0), int64(len(p.Days)-1)))
		v := int64(g.MgDL)
		p.Sums.AddValue(v)
		d := &p.Days[day]
		d.Sums.AddValue(v)
		d.slots[slot].sum += int32(v)
		d.slots[slot].n++
		hist[slot][min(max(v, 0), maxValue)]++
		if lows.add(g.Unix, v) {
			d.Lows++
			p.Lows++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Summary = p.Sums.Summary(from, to)
	for s := range hist {
		p.Slots[s] = percentiles(&hist[s])
	}
	return p, nil
}

// percentiles reads the Levels off a histogram of whole mg/dL values,
// interpolating between order statistics as R's type 7 (and NumPy's
// default) does, so a naive sort-and-index agrees exactly.
func percentiles(h *[maxValue + 1]uint32) Percentiles {
	var out Percentiles
	for _, c := range h {
		out.N += int(c)
	}
	if out.N == 0 {
		return out
	}
	// kth returns the k-th smallest value (0-based); ks ascend, so one
	// walk of the histogram serves every level.
	v, below := 0, 0 // values < v number below
	kth := func(k int) float64 {
		for below+int(h[v]) <= k {
			below += int(h[v])
			v++
		}
		return float64(v)
	}
	for i, q := range Levels {
		pos := q * float64(out.N-1)
		k := int(math.Floor(pos))
		lo := kth(k)
		hi := lo
		if k+1 < out.N {
			// kth only walks forward: look ahead without moving.
			vv, bb := v, below
			hi = kth(k + 1)
			v, below = vv, bb
		}
		out.P[i] = lo + (pos-float64(k))*(hi-lo)
	}
	return out
}

// lowTracker finds low episodes as the consensus defines them: at least
// 15 minutes below 70 mg/dL, ending after 15 minutes at or above it. A
// gap of more than 15 minutes ends an episode too: nothing is known of it.
type lowTracker struct {
	last      int64 // time of the previous reading, 0 before the first
	lowStart  int64 // start of the current run below 70, 0 when none
	counted   bool  // the current episode has been counted
	highStart int64 // start of the run at or above 70 inside an episode
}

const (
	episodeSeconds = 15 * 60
	stepSeconds    = int64(stats.ReadingInterval / time.Second)
)

// add takes the next reading and reports whether a low episode just
// reached 15 minutes; it counts on the day of that reading.
func (l *lowTracker) add(t, v int64) bool {
	if l.last != 0 && t-l.last > episodeSeconds {
		l.lowStart, l.counted, l.highStart = 0, false, 0
	}
	l.last = t
	if v < stats.LowBelow {
		l.highStart = 0
		if l.lowStart == 0 {
			l.lowStart = t
		}
		if !l.counted && t-l.lowStart+stepSeconds >= episodeSeconds {
			l.counted = true
			return true
		}
		return false
	}
	if l.lowStart == 0 {
		return false
	}
	if l.highStart == 0 {
		l.highStart = t
	}
	if !l.counted || t-l.highStart+stepSeconds >= episodeSeconds {
		l.lowStart, l.counted, l.highStart = 0, false, 0
	}
	return false
}

func offsetAt(t time.Time, loc *time.Location) int64 {
	_, off := t.In(loc).Zone()
	return int64(off)
}

func localDay(unix, off int64) int64 { return floorDiv(unix+off, daySeconds) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
