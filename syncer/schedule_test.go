package syncer

import (
	"slices"
	"testing"
	"time"
)

func TestNextPoll(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lag := 3 * time.Minute
	tests := []struct {
		name string
		s    PollState
		want time.Duration // after now
	}{
		{"cadence: next reading due later",
			PollState{Now: now, Newest: now.Add(-4 * time.Minute), Lag: lag},
			time.Minute + lag + Margin},
		{"cadence: just after a reading arrived",
			PollState{Now: now, Newest: now.Add(-lag - 3*time.Second), Lag: lag},
			Cadence + Margin - 3*time.Second},
		{"no lag learned yet",
			PollState{Now: now, Newest: now.Add(-2 * time.Minute)},
			3*time.Minute + Margin},
		{"a longer learned lag moves the poll later",
			PollState{Now: now, Newest: now.Add(-50 * time.Minute), Lag: time.Hour},
			15*time.Minute + Margin},
		{"no readings at all: once per cadence",
			PollState{Now: now}, Cadence},
		{"overdue but not yet polled: soon, not in the past",
			PollState{Now: now, Newest: now.Add(-20 * time.Minute), Lag: lag}, MinWait},
		{"narrowing the lag down: the first retry is soon, not at the ceiling",
			PollState{Now: now, Newest: now.Add(-8 * time.Minute), Lag: lag, Ceiling: lag + time.Minute, Misses: 1},
			RetryBase},
		{"narrowing the lag down: retries double the time overdue",
			PollState{Now: now, Newest: now.Add(-8*time.Minute - 20*time.Second), Lag: lag, Ceiling: lag + time.Minute, Misses: 4},
			20 * time.Second},
		{"narrowing the lag down: no retry passes the proven ceiling",
			PollState{Now: now, Newest: now.Add(-9 * time.Minute), Lag: lag, Ceiling: lag + time.Minute, Misses: 6},
			Margin},
		{"narrowing the lag down: retries go on towards the ceiling past RetrySpan, halving the way",
			PollState{Now: now, Newest: now.Add(-10*time.Minute - 30*time.Second), Lag: lag, Ceiling: lag + 3*time.Minute, Misses: 8},
			(30*time.Second + Margin) / 2},
		{"one reading skipped: the next one gets the short retries too",
			PollState{Now: now, Newest: now.Add(-13*time.Minute - 2*time.Second), Lag: lag, Misses: 8},
			RetryBase},
		{"not there yet: first retry", PollState{Now: now, Newest: now.Add(-8 * time.Minute), Lag: lag, Misses: 1}, RetryBase},
		{"not there yet: 4 s overdue, retry in 4 s", PollState{Now: now, Newest: now.Add(-8*time.Minute - 4*time.Second), Lag: lag, Misses: 2}, 4 * time.Second},
		{"not there yet: 32 s overdue, retry in 32 s", PollState{Now: now, Newest: now.Add(-8*time.Minute - 32*time.Second), Lag: lag, Misses: 5}, 32 * time.Second},
		{"the last retry comes at the end of RetrySpan",
			PollState{Now: now, Newest: now.Add(-9*time.Minute - 2*time.Second), Lag: lag, Misses: 6},
			58 * time.Second},
		{"retries end after RetrySpan: wait for the next slot",
			PollState{Now: now, Newest: now.Add(-10 * time.Minute), Lag: lag, Misses: 7},
			3*time.Minute + Margin},
		{"not there for long: on the cadence", PollState{Now: now, Newest: now.Add(-time.Hour), Lag: lag, Misses: 40}, 3*time.Minute + Margin},
		{"sensor off for a week: on the cadence", PollState{Now: now, Newest: now.Add(-7*24*time.Hour - 8*time.Minute), Lag: lag, Misses: 3}, Cadence + Margin},
		{"first failure, no jitter", PollState{Now: now, Newest: now, Lag: lag, Failures: 1}, BackoffBase / 2},
		{"first failure, full jitter", PollState{Now: now, Newest: now, Lag: lag, Failures: 1, Jitter: 0.999999999}, BackoffBase - time.Nanosecond*5},
		{"third failure", PollState{Now: now, Newest: now, Lag: lag, Failures: 3, Jitter: 0.5}, 30 * time.Second},
		{"many failures hit the cap", PollState{Now: now, Newest: now, Lag: lag, Failures: 50, Jitter: 1}, BackoffCap},
		{"429 Retry-After longer than backoff", PollState{Now: now, Newest: now, Failures: 1, RetryAfter: 90 * time.Second}, 90 * time.Second},
		{"429 Retry-After shorter than backoff", PollState{Now: now, Newest: now, Failures: 4, RetryAfter: time.Second}, 40 * time.Second},
		{"429 Retry-After beyond the backoff cap", PollState{Now: now, Newest: now, Failures: 1, RetryAfter: 20 * time.Minute}, 20 * time.Minute},
		{"absurd Retry-After is bounded", PollState{Now: now, Newest: now, Failures: 1, RetryAfter: 48 * time.Hour}, MaxRetryAfter},
		{"clock jumped back a day: wait no longer than one cycle",
			PollState{Now: now, Newest: now.Add(24 * time.Hour), Lag: lag}, Cadence + lag + Margin},
		{"clock jumped back while retrying: wait for the due time, not the ladder",
			PollState{Now: now, Newest: now.Add(50 * time.Minute), Lag: lag, Misses: 3}, Cadence + lag + Margin},
		{"clock jumped forward a day: soon, then the retry ladder",
			PollState{Now: now, Newest: now.Add(-24 * time.Hour), Lag: lag}, MinWait},
		{"negative lag read from a damaged meta is ignored",
			PollState{Now: now, Newest: now.Add(-4 * time.Minute), Lag: -time.Hour}, time.Minute + Margin},
		{"huge lag is bounded",
			PollState{Now: now, Newest: now.Add(24 * time.Hour), Lag: 100 * time.Hour}, Cadence + MaxLag + Margin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextPoll(tt.s).Sub(now)
			// Jittered cases compute with float64; allow a few ns.
			if d := got - tt.want; d < -10 || d > 10 {
				t.Errorf("NextPoll = now+%v, want now+%v", got, tt.want)
			}
		})
	}
}

// TestNextPollBounds checks the promise that holds whatever the inputs:
// never before now+MinWait, never after the longest sane wait.
func TestNextPollBounds(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, newest := range []time.Duration{-1000 * time.Hour, -time.Hour, -5 * time.Minute, 0, time.Hour, 1000 * time.Hour} {
		for _, lag := range []time.Duration{-time.Hour, 0, time.Minute, time.Hour, 1000 * time.Hour} {
			for misses := range 12 {
				for failures := range 12 {
					s := PollState{Now: now, Newest: now.Add(newest), Lag: lag, Misses: misses, Failures: failures, Jitter: 0.7}
					wait := NextPoll(s).Sub(now)
					longest := max(Cadence+MaxLag+Margin, BackoffCap)
					if wait < MinWait || wait > longest {
						t.Fatalf("%+v: wait %v outside [%v, %v]", s, wait, MinWait, longest)
					}
					if failures > 0 && wait > BackoffCap {
						t.Fatalf("%+v: backoff %v beyond the cap", s, wait)
					}
				}
			}
		}
	}
}

func TestLagModel(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sec := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	type obs struct {
		hi   time.Duration // request end - reading time
		miss time.Duration // last miss start - reading time; 0 for none
	}
	tests := []struct {
		name      string
		start     LagModel
		seen      []obs
		est, flor time.Duration
	}{
		{"first reading: bound by the cadence, aim at the floor",
			LagModel{}, []obs{{hi: sec(400)}}, sec(100), sec(100)},
		{"first reading fresh: floor at zero",
			LagModel{}, []obs{{hi: sec(3)}}, 0, 0},
		{"first reading after a miss: aim at the floor of the bracket",
			LagModel{}, []obs{{hi: sec(183), miss: sec(180)}}, sec(180), sec(180)},
		{"wide bracket is bisected",
			LagModel{Known: true, Est: sec(250), Floor: sec(100)}, []obs{{hi: sec(260), miss: sec(200)}}, sec(230), sec(200)},
		{"converged: a first-try hit only lowers the floor a little",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)}, []obs{{hi: sec(185)}}, sec(183), sec(179.9)},
		{"converged: after a few first-try hits the estimate probes lower",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)},
			[]obs{{hi: sec(185)}, {hi: sec(185)}, {hi: sec(185)}, {hi: sec(185)}, {hi: sec(185)}, {hi: sec(185)}},
			sec(180.8), sec(178.6)},
		{"lag grew: the miss bracket resets both ends",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)}, []obs{{hi: sec(243), miss: sec(241)}}, sec(243), sec(241)},
		{"lag shrank: an early hit caps the estimate",
			LagModel{Known: true, Est: sec(183), Floor: sec(100)}, []obs{{hi: sec(60)}}, sec(60), sec(60)},
		{"clock jumped back: ignored",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)}, []obs{{hi: -time.Hour}}, sec(183), sec(180)},
		{"clock jumped forward between miss and hit: not a bracket",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)}, []obs{{hi: time.Hour + sec(183), miss: sec(180)}}, sec(183), sec(179.9)},
		{"ancient reading says nothing",
			LagModel{Known: true, Est: sec(183), Floor: sec(180)}, []obs{{hi: 30 * 24 * time.Hour}}, sec(183), sec(180)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.start
			for i, o := range tt.seen {
				reading := t0.Add(time.Duration(i) * Cadence)
				var miss time.Time
				if o.miss != 0 {
					miss = reading.Add(o.miss)
				}
				m.Seen(reading, reading.Add(o.hi), miss)
			}
			if m.Est != tt.est || m.Floor != tt.flor {
				t.Errorf("Est, Floor = %v, %v; want %v, %v", m.Est, m.Floor, tt.est, tt.flor)
			}
		})
	}
}

// TestLagModelConverges plays a source with a fixed lag against the model
// and the schedule, counting the polls the way the engine would.
func TestLagModelConverges(t *testing.T) {
	for _, c := range []struct{ lag, phase time.Duration }{
		{0, 90 * time.Second}, {37 * time.Second, 90 * time.Second}, {3 * time.Minute, 90 * time.Second},
		{58 * time.Minute, 90 * time.Second},
		// The first pass late in the cadence: the widest first bracket.
		{2 * time.Minute, 10 * time.Second}, {2 * time.Minute, 4*time.Minute + 30*time.Second},
	} {
		lag := c.lag
		var m LagModel
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		now := t0.Add(lag + c.phase) // the first pass
		newest := t0
		m.Seen(newest, now, time.Time{})
		polls, readings := 0, 0
		var lastMiss time.Time
		misses, firstPolls := 0, 0
		var delays []time.Duration
		for readings < 200 {
			now = NextPoll(PollState{Now: now, Newest: newest, Lag: m.Est, Ceiling: m.Ceil, Misses: misses})
			polls++
			next := newest.Add(Cadence)
			if slot := next.Sub(t0) / Cadence; slot%80 == 0 { // about the emulator's 1.25%
				next = next.Add(Cadence) // the sensor skipped a reading
			}
			if now.Sub(next) >= lag { // available
				delays = append(delays, now.Sub(next)-lag)
				if len(delays) == 12 {
					firstPolls = polls
				}
				m.Seen(next, now, lastMiss)
				newest, lastMiss, misses, readings = next, time.Time{}, 0, readings+1
				continue
			}
			lastMiss = now
			if now.Sub(newest.Add(Cadence)) >= m.Est {
				misses++
			}
		}
		var sum time.Duration
		for _, d := range delays[100:] {
			sum += d
		}
		mean := sum / time.Duration(len(delays[100:]))
		ratio := float64(polls) / float64(readings)
		var first, second time.Duration
		for i := range 12 {
			first += delays[i] / 12
			second += delays[12+i] / 12
		}
		t.Logf("delays 100-200 over 5s: %v", func() (o []time.Duration) {
			for i, d := range delays[100:] {
				if d > 5*time.Second {
					o = append(o, time.Duration(i+100), d)
				}
			}
			return
		}())
		t.Logf("lag %v, first pass %v after: est %v, polls/reading %.2f, mean delay after warm-up %v; 1st hour %v (max %v), 2nd hour %v; 1st hour polls/reading %.2f",
			lag, c.phase, m.Est, ratio, mean, first.Round(time.Second/10), slices.Max(delays[:12]).Round(time.Second/10), second.Round(time.Second/10), float64(firstPolls)/12)
		if second > 10*time.Second {
			t.Errorf("lag %v, first pass %v after: mean delay %v in the second hour, want ≤ 10s", lag, c.phase, second)
		}
		if mean > 10*time.Second || ratio > 1.3 {
			t.Errorf("lag %v: mean delay %v, polls/reading %.2f; want ≤ 10s and ≤ 1.3", lag, mean, ratio)
		}
	}
}
