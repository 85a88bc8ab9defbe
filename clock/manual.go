package clock

import (
	"sync"
	"time"
)

// Manual is a clock that moves only when told to, for tests and
// simulations that must step sensor time deterministically. After fires
// at once with the time d from now, so code that waits on it runs
// without delay; code that loops on After (a scheduler's Run) spins and
// should be driven one step at a time instead.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a clock that reads t until Advance moves it.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d (negative goes back).
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// After fires at once with Now()+d; it does not move the clock.
func (c *Manual) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.Now().Add(d)
	return ch
}

// Wall is the identity: a manual clock has no relation to real time.
func (c *Manual) Wall(d time.Duration) time.Duration { return d }
