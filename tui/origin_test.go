package tui

import (
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func TestOrigin(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		r    client.Reading
		want string
	}{
		{client.Reading{Time: at}, ""},
		{client.Reading{Time: at, Source: "share", Arrived: at.Add(6 * time.Second)}, "via Dexcom Share, 6 s after the sensor"},
		{client.Reading{Time: at, Source: "dexcom", Arrived: at.Add(65 * time.Minute)}, "via official API, 1h05 after the sensor"},
		{client.Reading{Time: at, Source: "nightscout", Arrived: at.Add(3 * time.Minute)}, "via Nightscout, 3 min after the sensor"},
		{client.Reading{Time: at, Source: "share"}, "via Dexcom Share"},
		{client.Reading{Time: at, Source: "share", Arrived: at.Add(-time.Second)}, "via Dexcom Share, 0 s after the sensor"},
	} {
		if got := origin(tc.r); got != tc.want {
			t.Errorf("origin(%s, %v) = %q, want %q", tc.r.Source, tc.r.Arrived.Sub(tc.r.Time), got, tc.want)
		}
	}
}
