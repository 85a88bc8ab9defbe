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
