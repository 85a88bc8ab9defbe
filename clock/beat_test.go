package clock

import (
	"sync"
	"testing"
	"time"
)

func TestBeatWakesEveryWaiterTogether(t *testing.T) {
	b := NewBeat(20 * time.Millisecond)
	const waiters = 8
	var wg sync.WaitGroup
	chans := make(chan (<-chan struct{}), waiters)
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := b.C()
			chans <- c
			<-c
		}()
	}
	wg.Wait()
	close(chans)
	// Eight waiters that came within one period waited on one channel:
	// one timer, one wake-up. (A period boundary may fall between them,
	// so two channels are possible; never eight.)
	seen := map[<-chan struct{}]bool{}
	for c := range chans {
		seen[c] = true
	}
	if len(seen) > 2 {
		t.Fatalf("%d waiters in one period were given %d channels", waiters, len(seen))
	}

	// Once the instant has passed, the next waiter waits for the next one.
	next := b.C()
	for c := range seen {
		if c == next {
			t.Fatal("a closed beat was handed out again")
		}
	}
	select {
	case <-next:
		t.Fatal("the next beat fired before anyone could wait for it")
	default:
	}
	<-next
}

func TestBeatInstantsAreMultiplesOfItsPeriod(t *testing.T) {
	const every = 2 * time.Second
	tests := []struct{ elapsed, want time.Duration }{
		{0, every}, // at an instant: the next one, not now
		{time.Millisecond, every - time.Millisecond},
		{every - time.Nanosecond, time.Nanosecond},
		{every, every},
		{7*every + 300*time.Millisecond, every - 300*time.Millisecond},
	}
	for _, tt := range tests {
		if got := untilInstant(tt.elapsed, every); got != tt.want {
			t.Errorf("untilInstant(%v, %v) = %v, want %v", tt.elapsed, every, got, tt.want)
		}
	}
}

func TestEveryIsOneBeatPerPeriod(t *testing.T) {
	if Every(2*time.Second) != Every(2*time.Second) {
		t.Fatal("two callers of Every(2s) got different beats: they would wake apart")
	}
	if Every(2*time.Second) == Every(3*time.Second) {
		t.Fatal("different periods share a beat")
	}
}
