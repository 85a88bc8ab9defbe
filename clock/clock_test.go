package clock

import (
	"testing"
	"time"
)

func TestScaledAdvancesFaster(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewScaled(start, 600)
	<-c.After(60 * time.Second) // 0.1 s of wall time
	if got := c.Now().Sub(start); got < 60*time.Second {
		t.Fatalf("after waiting 60s of clock time, only %v passed", got)
	}
	if got := c.Wall(10 * time.Minute); got != time.Second {
		t.Fatalf("Wall(10m) at 600x = %v, want 1s", got)
	}
	before := c.Now()
	c.Jump(-time.Hour)
	if got := before.Sub(c.Now()); got < 59*time.Minute {
		t.Fatalf("Jump(-1h) moved the clock by %v", -got)
	}
}

func TestManual(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		advance   []time.Duration
		wantNow   time.Time
		after     time.Duration
		wantAfter time.Time
	}{
		{"unmoved", nil, start, 0, start},
		{"forward", []time.Duration{5 * time.Minute}, start.Add(5 * time.Minute), time.Minute, start.Add(6 * time.Minute)},
		{"back and forth", []time.Duration{time.Hour, -90 * time.Minute}, start.Add(-30 * time.Minute), 0, start.Add(-30 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewManual(start)
			var _ Clock = c
			for _, d := range tt.advance {
				c.Advance(d)
			}
			if got := c.Now(); !got.Equal(tt.wantNow) {
				t.Errorf("Now() = %v, want %v", got, tt.wantNow)
			}
			if got := <-c.After(tt.after); !got.Equal(tt.wantAfter) {
				t.Errorf("After(%v) fired with %v, want %v", tt.after, got, tt.wantAfter)
			}
			if got := c.Now(); !got.Equal(tt.wantNow) {
				t.Errorf("After moved the clock to %v", got)
			}
			if got := c.Wall(time.Minute); got != time.Minute {
				t.Errorf("Wall(1m) = %v, want 1m", got)
			}
		})
	}
}
