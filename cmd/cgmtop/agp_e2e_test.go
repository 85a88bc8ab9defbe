package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestAgpScreensInTmux is issue 15's terminal acceptance: the demo (90
// days backfilled from the emulator through the real sync) in a real
// terminal; a opens the AGP, d the daily patterns, each read at 40x10,
// 80x24, 120x40 and 200x60; 4 picks 90 days; esc returns to the monitor.
func TestAgpScreensInTmux(t *testing.T) {
	bin := cgmtopBinary(t)
	tm := startTmux(t, isolatedEnv(t), 80, 24, bin+" --demo")
	tm.waitFor("a glucose value and an arrow", showsGlucose)

	sizes := []struct {
		w, h int
		agp  []string // what a user must be able to read there
		day  []string
	}{
		{40, 10, []string{"AGP · 14 days", "% in range", "mean", "┤", "00"}, []string{"Daily patterns", "TIR", "mean"}},
		{80, 24, []string{"in range", "GMI", "CV", "active", "days 14 of 14", "180┤", "70┤", "12:00"}, []string{"Last 7 days overlaid", "Time in ranges", "lows"}},
		{120, 40, []string{"Time in ranges", "Glucose statistics", "Sensor active", "Days with data 14 of 14", "median", "25–75%"}, []string{"Last 7 days overlaid", "1 ", "7 "}},
		{200, 60, []string{"Very low  <54", "Very high >250", "GMI", "21:00"}, []string{"Last 7 days overlaid", "24:00"}},
	}
	for _, view := range []string{"a", "d"} {
		tm.keys(view)
		for _, sz := range sizes {
			tm.resize(sz.w, sz.h)
			want := sz.agp
			if view == "d" {
				want = sz.day
			}
			screen, _ := tm.waitFor(fmt.Sprintf("%s screen at %dx%d", view, sz.w, sz.h), func(s string) bool {
				for _, w := range want {
					if !strings.Contains(s, w) {
						return false
					}
				}
				return widest(s) <= sz.w && strings.Count(s, "\n") <= sz.h
			})
			t.Logf("%s at %dx%d:\n%s", view, sz.w, sz.h, screen)
		}
	}
	tm.keys("4")
	tm.waitFor("the 90-day period", func(s string) bool { return strings.Contains(s, "Daily patterns · 90 days") })
	tm.keys("Escape")
	tm.waitFor("the monitor again", func(s string) bool { return showsGlucose(s) && !strings.Contains(s, "Daily patterns") })
	tm.keys("q")
	tm.waitFor("the demo to quit on q", func(string) bool { return tm.paneDead() })
}
