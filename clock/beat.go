package clock

import (
	"sync"
	"time"
)

// Beat wakes everyone who waits on it at the same instants: multiples of
// its period since it was made. An idle cgmtop looks at a few small
// things every couple of seconds (each person's cache, each login); on a
// quiet process the scheduler's wake-ups cost more than the looks, so one
// wake-up serves them all. Nobody waiting costs nothing: the timer is
// armed by the first waiter of each period.
type Beat struct {
	every time.Duration
	start time.Time // monotonic: instants do not move with the wall clock

	mu   sync.Mutex
	next chan struct{} // closed at the next instant; nil while nobody waits
}

// NewBeat returns a Beat of period every (at least a millisecond).
func NewBeat(every time.Duration) *Beat {
	return &Beat{every: max(every, time.Millisecond), start: time.Now()}
}

// C returns a channel closed at the Beat's next instant.
func (b *Beat) C() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == nil {
		b.next = make(chan struct{})
		time.AfterFunc(untilInstant(time.Since(b.start), b.every), b.fire)
	}
	return b.next
}

// untilInstant is how long after elapsed (since the start) the next
// instant of period every comes: never zero, so a waiter who comes just
// as a beat fires waits for the next one rather than spinning.
func untilInstant(elapsed, every time.Duration) time.Duration {
	return every - elapsed%every
}

func (b *Beat) fire() {
	b.mu.Lock()
	close(b.next)
	b.next = nil
	b.mu.Unlock()
}

var (
	beatsMu sync.Mutex
	beats   = map[time.Duration]*Beat{}
)

// Every returns the process's Beat of period every, the same one to every
// caller: two loops that look every two seconds wake together.
func Every(every time.Duration) *Beat {
	beatsMu.Lock()
	defer beatsMu.Unlock()
	b, ok := beats[every]
	if !ok {
		b = NewBeat(every)
		beats[every] = b
	}
	return b
}
