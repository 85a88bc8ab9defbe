package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

var digitRun = regexp.MustCompile(`\d+(\.\d+)?`)

// TestNarrowNeverCutsANumber is issue 11's narrow panes: at every width
// from 1 to 30 columns (and several heights) with three-digit readings, the
// reading is shown whole or not at all; a part of the screen gives way
// before a digit does (a 20-column pane once read "last 12" for 129).
func TestNarrowNeverCutsANumber(t *testing.T) {
	for _, tc := range []struct {
		v     int
		stale bool
	}{{129, false}, {135, false}, {246, false}, {387, false}, {129, true}, {246, true}} {
		v := tc.v
		store := withLatest(func(r *client.Reading) { r.Value = v })
		if tc.stale {
			store = func() *memStore {
				s := normalStore()
				s.readings = s.readings[:len(s.readings)-5] // newest is 27 min old
				s.readings[len(s.readings)-1].Value = v
				return s
			}
		}
		value := fmt.Sprint(v)
		for w := 1; w <= 30; w++ {
			for h := 1; h <= 16; h++ {
				m := load(t, store(), config.Default(), w, h)
				view := m.View()
				for i, line := range strings.Split(view, "\n") {
					for _, n := range digitRun.FindAllString(line, -1) {
						if n != value && strings.HasPrefix(value, n) && len(n) >= 2 {
							t.Errorf("%dx%d, reading %s: line %d shows %q, a cut-off reading: %q", w, h, value, i, n, line)
						}
					}
					// A line cut at the pane's edge must not end inside a
					// number: its last run of digits is whole.
					trimmed := strings.TrimRight(line, " ")
					if lipgloss.Width(trimmed) == w && endsWithDigit(trimmed) {
						last := digitRun.FindAllString(trimmed, -1)
						n := last[len(last)-1]
						signed := strings.HasSuffix(strings.TrimSuffix(trimmed, n), "+") || strings.HasSuffix(strings.TrimSuffix(trimmed, n), "-")
						if n != value && strings.HasPrefix(value, n) && !signed {
							t.Errorf("%dx%d, reading %s: line %d ends in %q, the start of the reading: %q", w, h, value, i, n, line)
						}
					}
				}
			}
		}
	}
}

func endsWithDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

// TestAboveRangeWords: a reading above the target range (181–250 with the
// default thresholds) is "above range", not "HIGH", which is the sensor's
// word for a reading above 400 mg/dL; below range likewise is not "LOW".
func TestAboveRangeWords(t *testing.T) {
	for _, tc := range []struct {
		name      string
		set       func(*client.Reading)
		want, not string
	}{
		{"200 mg/dL", func(r *client.Reading) { r.Value = 200 }, "above range", "HIGH"},
		{"65 mg/dL", func(r *client.Reading) { r.Value = 65 }, "below range", "LOW"},
		{"sensor HIGH", func(r *client.Reading) { r.Status, r.Value = client.StatusHigh, 0 }, "above 400 mg/dL", "above range"},
	} {
		view := load(t, withLatest(tc.set)(), config.Default(), 80, 24).View()
		header := strings.Join(strings.Split(view, "\n")[:5], "\n")
		if !strings.Contains(header, tc.want) || strings.Contains(header, tc.not) {
			t.Errorf("%s: the header says %q; want %q and not %q", tc.name, header, tc.want, tc.not)
		}
	}
}

// TestDeviceFreshnessFollowsReadings: the device list is fetched hourly;
// when the newest reading is newer than the device's last upload as last
// fetched, the Source pane goes by the reading.
func TestDeviceFreshnessFollowsReadings(t *testing.T) {
	s := normalStore()
	s.devices[0].LastUpload = testNow.Add(-41 * time.Minute)
	s.readings = s.readings[:len(s.readings)-1]
	want := "uploaded " + age(testNow, s.readings[len(s.readings)-1].Time)
	view := load(t, s, config.Default(), 80, 24).View()
	if !strings.Contains(view, want) || strings.Contains(view, "41 min") {
		t.Errorf("the Source pane contradicts the readings:\n%s", view)
	}
}
