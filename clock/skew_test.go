package clock

import (
	"testing"
	"time"
)

func TestSkew(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration
		want   string
	}{
		{0, ""},
		{WarnOffset - time.Second, ""},
		{-WarnOffset + time.Second, ""},
		{WarnOffset, "2 min behind"},
		{time.Hour, "1 h behind"},
		{-2 * time.Hour, "2 h ahead"},
		{-(65*time.Minute + 20*time.Second), "1 h 5 min ahead"},
		{3*time.Minute + 31*time.Second, "4 min behind"},
	} {
		if got := Skew(c.offset); got != c.want {
			t.Errorf("Skew(%v) = %q, want %q", c.offset, got, c.want)
		}
	}
}
