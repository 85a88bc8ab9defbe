package syncer

import (
	"time"
)

// Timing constants of the polling policy. They are variables of the engine,
// not settings: the sensor's cadence is fixed, and the rest only trades a
// few seconds of freshness against a few requests.
const (
	// Cadence is how often the sensor records a reading.
	Cadence = 5 * time.Minute
	// Margin is added after the moment a reading is expected to be
	// available, to absorb clock and scheduling jitter.
	Margin = 2 * time.Second
	// MinWait keeps the loop from ever spinning, whatever the clock does.
	MinWait = time.Second
	// RetryBase is the first wait after a poll that found the expected
	// reading missing; each further miss doubles it.
	RetryBase = 2 * time.Second
	// RetrySpan is how long after its due time a reading is retried for.
	// Past it the sensor most likely skipped that reading (a signal gap),
	// and the next one is waited for on the cadence.
	RetrySpan = 2 * time.Minute
	// MaxRetries bounds the retries for one reading (and the one after it,
	// when the sensor skipped one): past them the reading is taken as
	// skipped and the next awaited on the cadence, so a signal gap while
	// the lag is still being learned costs a dozen requests, not dozens.
	MaxRetries = 12
	// BackoffBase is the first wait after a failed pass; it doubles with
	// each further failure, up to BackoffCap.
	BackoffBase = 10 * time.Second
	// BackoffCap bounds the wait after failures.
	BackoffCap = 5 * time.Minute
	// MaxRetryAfter bounds how long a server's Retry-After can park us, so
	// a garbled header cannot stop syncing for a day.
	MaxRetryAfter = time.Hour
	// MaxLag bounds the learned upload lag (Dexcom's is about an hour in
	// the US, more elsewhere).
	MaxLag = 6 * time.Hour
)

// PollState is everything the scheduling rule looks at. It holds no
// glucose values.
type PollState struct {
	Now    time.Time     // the clock's time at the end of the pass
	Newest time.Time     // newest reading in the cache; zero when none
	Lag    time.Duration // learned upload lag: reading time → available from the source
	// Ceiling is the longest the lag was recently proven to be (LagModel.Ceil):
	// after a miss the reading is surely there by then, so retries halve
	// the time left until it rather than wait at it.
	Ceiling time.Duration
	// Misses counts polls since Newest that came at or after the next
	// reading was due and found nothing newer.
	Misses int
	// Failures counts consecutive failed passes; zero after a success.
	Failures int
	// RetryAfter is what the server asked for on the last failure, if any.
	RetryAfter time.Duration
	// Jitter is a random draw in [0, 1) spreading error retries so that
	// many clients do not retry in step; tests pass fixed values.
	Jitter float64
}

// NextPoll is the scheduling rule: when to ask the source again.
//
//   - After a failure: exponential backoff from BackoffBase to BackoffCap,
//     with up to half of it randomised, and never sooner than Retry-After.
//   - With no readings at all: once per Cadence.
//   - Otherwise at Newest + Cadence + Lag + Margin, when the next reading
//     should have reached the source.
//   - When that moment has passed and polls found nothing: retries that
//     double the time overdue, from RetryBase, never passing the Ceiling
//     (the reading should be there by then), for up to RetrySpan. A late
//     reading is picked up within about as long again as it was late,
//     whether the lag is still being learned (it starts from the low end of
//     what is known) or grew; then on the cadence again, so a sensor gap
//     costs a handful of requests, and a long outage one per Cadence.
//
// The result always lies between Now+MinWait and Now plus the longest
// sane wait, so a clock that jumps back or forward cannot stall the loop
// or make it spin.
func NextPoll(s PollState) time.Time {
	lag := min(max(s.Lag, 0), MaxLag)
	longest := Cadence + lag + Margin

	var wait time.Duration
	switch {
	case s.Failures > 0:
		wait = backoff(s.Failures, s.Jitter)
		if ra := min(s.RetryAfter, MaxRetryAfter); ra > wait {
			wait = ra
		}
		longest = max(BackoffCap, min(s.RetryAfter, MaxRetryAfter))
	case s.Newest.IsZero():
		wait = Cadence
	case s.Misses == 0 || s.Now.Before(s.Newest.Add(Cadence+lag)):
		// Nothing missed yet, or the misses were before the reading was
		// due (the clock went back): aim at the due time.
		wait = s.Newest.Add(Cadence + lag + Margin).Sub(s.Now)
	default:
		// Retries double the time overdue: a reading found k seconds
		// late was due at most k/2 seconds earlier than that, so the wait
		// for it stays within twice the estimate's error, at a request
		// per doubling.
		due := s.Newest.Add(Cadence + lag)
		ceil := s.Newest.Add(Cadence + s.Ceiling + Margin)
		if s.Now.Sub(due)/Cadence == 1 {
			// The sensor skipped one reading: the next one is awaited
			// the same way. Past that it is an outage, polled on the
			// cadence below.
			due, ceil = due.Add(Cadence), ceil.Add(Cadence)
		}
		wait = min(max(s.Now.Sub(due), RetryBase), Cadence)
		// Retries go on for RetrySpan past the due time, or past the
		// proven ceiling while the lag is still being learned (a ceiling
		// learned across a clock change can fall short), and one of them
		// comes at the ceiling, by which the reading should be there.
		last := due.Add(RetrySpan)
		if s.Ceiling > lag && s.Ceiling <= MaxLag {
			switch left := ceil.Sub(s.Now); {
			case left <= 0:
			case left <= lagFine+Margin:
				// Learned: the ceiling is seconds away, and one retry
				// there costs less than a ladder up to it.
				wait = left
			default:
				// Still learning: never past the ceiling, nor further
				// than halfway to it, so a wide bracket is halved, not
				// overshot by a doubling.
				wait = min(wait, left/2)
			}
			// ... but not into the next reading's due time, which the
			// give-up below aims at.
			last = later(last, earlier(ceil.Add(RetrySpan), due.Add(Cadence-RetryBase)))
		}
		if s.Now.Before(last) && s.Misses < MaxRetries {
			wait = min(wait, last.Sub(s.Now)) // the last retry comes at the end of the span
		} else {
			// Give up on this one; aim at the next slot still ahead.
			k := s.Now.Sub(due)/Cadence + 1
			wait = due.Add(k*Cadence + Margin).Sub(s.Now)
		}
	}
	return s.Now.Add(min(max(wait, MinWait), longest))
}

// backoff is the wait after n consecutive failures: "equal jitter", so the
// wait is at least half the exponential step and never zero.
func backoff(n int, jitter float64) time.Duration {
	d := BackoffBase
	for i := 1; i < n && d < BackoffCap; i++ {
		d *= 2
	}
	d = min(d, BackoffCap)
	jitter = min(max(jitter, 0), 1)
	return d/2 + time.Duration(float64(d/2)*jitter)
}
