package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	glucoseOnScreen = regexp.MustCompile(`\b([4-9]\d|[1-3]\d\d|400)\b|\bHIGH\b|\bLOW\b|█`)
	arrowOnScreen   = regexp.MustCompile(`[⇈↑↗→↘↓⇊]`)
)

func showsGlucose(s string) bool {
	return glucoseOnScreen.MatchString(s) && arrowOnScreen.MatchString(s)
}

// TestDemoShowsGlucose is issue 2's acceptance: the demo, in a real
// terminal at 80x24 and 40x10, shows a glucose value and a trend arrow, and
// stays correct through resizes.
func TestDemoShowsGlucose(t *testing.T) {
	bin := cgmtopBinary(t)
	for _, size := range []struct{ w, h int }{{80, 24}, {40, 10}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm := startTmux(t, isolatedEnv(t), size.w, size.h, bin+" --demo")
			screen, took := tm.waitFor("a glucose value and an arrow", showsGlucose)
			t.Logf("first glucose on screen after %v at %dx%d:\n%s", took, size.w, size.h, screen)

			for _, to := range []struct{ w, h int }{{120, 40}, {40, 10}, {size.w, size.h}} {
				tm.resize(to.w, to.h)
				tm.waitFor(fmt.Sprintf("the value after a resize to %dx%d", to.w, to.h), func(s string) bool {
					return showsGlucose(s) && widest(s) <= to.w && strings.Count(s, "\n") <= to.h
				})
			}
			tm.keys("q")
			tm.waitFor("the demo to quit on q", func(string) bool { return tm.paneDead() })
		})
	}
}
