package emulator

import (
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/clock"
)

func TestParseLateScenario(t *testing.T) {
	tests := []struct {
		spec string
		want Scenario
	}{
		{"late:-3h:45m:+2h", Scenario{Kind: ScenarioLate, Offset: -3 * time.Hour, Duration: 45 * time.Minute, Delay: 2 * time.Hour}},
		{"LATE:+10m:1h:24h", Scenario{Kind: ScenarioLate, Offset: 10 * time.Minute, Duration: time.Hour, Delay: 24 * time.Hour}},
		{" late:0s:5m:90s ", Scenario{Kind: ScenarioLate, Duration: 5 * time.Minute, Delay: 90 * time.Second}},
	}
	for _, tt := range tests {
		got, err := ParseScenario(tt.spec)
		if err != nil || got != tt.want {
			t.Errorf("ParseScenario(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"late", "late:-1h", "late:-1h:45m", "late:-1h:45m:0s", "late:-1h:45m:-2h",
		"late:-1h:0s:2h", "late:-1h:45m:soon", "late:soon:45m:2h", "late:-1h:45m:2h:1h",
	} {
		if sc, err := ParseScenario(bad); err == nil {
			t.Errorf("ParseScenario(%q) accepted as %+v", bad, sc)
		}
	}
	if s := ScenarioLate.String(); s != "late" {
		t.Errorf("ScenarioLate.String() = %q", s)
	}
}

// TestLateReadings moves the clock past a late window and checks, against
// an emulator without the scenario on the same clock, that each reading of
// the window is served exactly once its delay has passed, and that every
// other reading is the same all along: the late ones arrive with their
// original times and values, and their neighbours' trends never change.
func TestLateReadings(t *testing.T) {
	sc := Scenario{Kind: ScenarioLate, Offset: -time.Hour, Duration: 45 * time.Minute, Delay: 2 * time.Hour}
	holeStart, holeEnd := testNow.Add(sc.Offset), testNow.Add(sc.Offset+sc.Duration)
	from, to := testNow.Add(-3*time.Hour), testNow
	for _, user := range []string{"g7", "g6"} {
		t.Run(user, func(t *testing.T) {
			clk := clock.NewManual(testNow)
			late := startServer(t, Config{AutoApprove: true, Clock: clk, User: user, AccessTTL: 24 * time.Hour, Scenarios: []Scenario{sc}})
			base := startServer(t, Config{AutoApprove: true, Clock: clk, User: user, AccessTTL: 24 * time.Hour})
			lateTok, baseTok := login(t, late).AccessToken, login(t, base).AccessToken

			var delivered []int
			at := time.Duration(0)
			for _, step := range []time.Duration{0, time.Hour, 70 * time.Minute, 90 * time.Minute, 105 * time.Minute, 2 * time.Hour} {
				clk.Advance(step - at)
				at = step
				now := clk.Now()
				got := fetchEGVs(t, late, lateTok, from, to)
				var want []egvRecord
				n := 0
				for _, r := range fetchEGVs(t, base, baseTok, from, to) {
					st := parseSystem(t, r.SystemTime)
					if st.Before(holeStart) || !st.Before(holeEnd) {
						want = append(want, r)
						continue
					}
					if !now.Before(st.Add(sc.Delay)) {
						want = append(want, r)
						n++
					}
				}
				delivered = append(delivered, n)
				if len(got) != len(want) {
					t.Fatalf("at +%v: served %d readings, want %d (%d of the late window)", step, len(got), len(want), n)
				}
				for i := range got {
					if !sameEGV(got[i], want[i]) {
						t.Fatalf("at +%v: record %d differs:\n%+v\n%+v", step, i, got[i], want[i])
					}
				}
			}
			t.Logf("%s: late readings served at each step: %v", user, delivered)
			// Not vacuous: none at first, some part-way, all (a window of 9
			// slots, less any random gap) at the end.
			last := delivered[len(delivered)-1]
			if delivered[0] != 0 || delivered[2] == 0 || delivered[2] >= last || last < 6 {
				t.Errorf("late readings served over time %v: want 0 first, then some, then all", delivered)
			}
		})
	}
}
