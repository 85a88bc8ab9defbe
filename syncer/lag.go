package syncer

import "time"

const (
	// lagFine is how close the estimate must be to the proven floor for
	// the engine to stop searching and only probe slowly.
	lagFine = 2 * Margin
	// probeBase is the first step by which the floor is lowered after a
	// reading arrived on the first try; steps double every two such
	// readings, so a lag that shrank is found within a few hours while a
	// steady lag costs about one extra request per ten readings.
	probeBase = 100 * time.Millisecond
)

// LagModel learns the source's upload lag — how long after its sensor
// time a reading can be fetched — from when readings actually appear.
//
// Each new reading gives an upper bound (it was there when the request
// ended) and, when an earlier poll missed it, a lower bound. The estimate
// Est is kept at the upper end of that bracket, so polls aimed at
// reading time + Est find the reading; while the bracket is wide the
// estimate is bisected towards the floor, one reading at a time. With no
// fresh lower bound, the floor sinks slowly so that a lag that got
// shorter is noticed.
type LagModel struct {
	Est   time.Duration // polls aim at reading time + Est (+ Margin)
	Floor time.Duration // the lag was recently proven longer than this
	Ceil  time.Duration // ... and no longer than this: a miss retries here first
	Known bool          // false until the first reading was seen
	hits  int           // readings found on the first try since the last miss
}

// Seen records the newest reading of a poll: its sensor time t, the time
// end the request that returned it ended, and lastMiss, the start of the
// latest poll since the previous new reading that found nothing newer
// (zero when there was none).
func (m *LagModel) Seen(t, end, lastMiss time.Time) {
	hi := end.Sub(t)
	if hi < 0 || hi > MaxLag {
		return // a clock change, or a reading too old to say anything
	}
	lo := lastMiss.Sub(t)
	// A miss proves the lag longer than lo. Ignore brackets wider than the
	// retry ladder can produce: they come from clock jumps, not the source.
	bracketed := !lastMiss.IsZero() && lo > 0 && hi-lo <= Cadence+time.Minute

	switch {
	case !m.Known:
		m.Known, m.Ceil, m.hits = true, hi, 0
		if bracketed {
			m.Floor = lo
		} else {
			// The reading after this one was not there yet: unless the
			// sensor skipped it, the lag is at least this long.
			m.Floor = max(hi-Cadence, 0)
		}
		// Aim low: a miss costs a request and a retry halfway to the
		// ceiling (NextPoll), while aiming high would cost minutes of
		// freshness on every reading until the estimate came down.
		m.Est = m.Floor
		return
	case bracketed:
		// A miss long before the reading came (a skipped reading, a late
		// batch) proves less than the floor already known; keep the
		// floor unless the reading came in under it, i.e. the lag shrank.
		if m.Floor < hi {
			lo = max(lo, m.Floor)
		}
		m.Est, m.Ceil, m.Floor, m.hits = hi, hi, lo, 0
	default:
		m.hits++
		m.Est, m.Ceil = min(m.Est, hi), min(max(m.Ceil, m.Est), hi)
		m.Floor = max(m.Floor-probe(m.hits), 0)
	}
	m.Floor = min(m.Floor, m.Est)
	if m.Est-m.Floor > lagFine {
		m.Est = m.Floor + (m.Est-m.Floor)/2
	}
}

// probe is the step the floor sinks by after the nth first-try reading.
func probe(n int) time.Duration {
	d := probeBase
	for i := 2; i < n && d < Cadence; i += 2 {
		d *= 2
	}
	return d
}
