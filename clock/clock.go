// Package clock lets the demo and tests run cgmtop's time faster than the
// wall clock, so a day of sensor readings can pass in minutes.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time and waits. Everything that schedules by sensor time
// (the emulator, the sync engine, the monitor's age display) takes one.
type Clock interface {
	Now() time.Time
	// After fires once d of this clock's time has passed.
	After(d time.Duration) <-chan time.Time
	// Wall converts a duration of this clock's time into wall-clock time,
	// for timers that only know real time (tea.Tick).
	Wall(d time.Duration) time.Duration
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (Real) Wall(d time.Duration) time.Duration     { return d }

// Scaled runs Factor times faster than the wall clock, starting at Start.
type Scaled struct {
	start  time.Time
	wall0  time.Time
	factor float64

	mu     sync.Mutex
	offset time.Duration // added by Jump, for clock-change tests
}

// NewScaled returns a clock that reads start now and advances factor times
// faster than real time. A factor ≤ 0 is taken as 1.
func NewScaled(start time.Time, factor float64) *Scaled {
	if factor <= 0 {
		factor = 1
	}
	return &Scaled{start: start, wall0: time.Now(), factor: factor}
}

func (c *Scaled) Now() time.Time {
	c.mu.Lock()
	off := c.offset
	c.mu.Unlock()
	elapsed := time.Duration(float64(time.Since(c.wall0)) * c.factor)
	return c.start.Add(elapsed + off)
}

func (c *Scaled) After(d time.Duration) <-chan time.Time {
	out := make(chan time.Time, 1)
	go func() {
		<-time.After(c.Wall(d))
		out <- c.Now()
	}()
	return out
}

func (c *Scaled) Wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.factor)
}

// Factor is how many seconds of clock time pass per wall-clock second.
func (c *Scaled) Factor() float64 { return c.factor }

// Jump moves the clock by d at once (negative goes back), as a user
// changing the system time would.
func (c *Scaled) Jump(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
