package emulator

import (
	"bytes"
	"math"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
)

func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Seed: 42, AutoApprove: true, Clock: clock.NewManual(testNow)}
	a, b := startServer(t, cfg), startServer(t, cfg)
	ta, tb := login(t, a).AccessToken, login(t, b).AccessToken
	for _, ep := range []string{"egvs", "events", "alerts"} {
		path := rangePath(ep, testNow.Add(-10*24*time.Hour), testNow)
		_, ba := get(t, a, ta, path)
		_, bb := get(t, b, tb, path)
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two servers with seed 42", ep)
		}
	}
	cfg.Seed = 43
	c := startServer(t, cfg)
	_, ba := get(t, a, ta, rangePath("egvs", testNow.Add(-24*time.Hour), testNow))
	_, bc := get(t, c, login(t, c).AccessToken, rangePath("egvs", testNow.Add(-24*time.Hour), testNow))
	if bytes.Equal(ba, bc) {
		t.Error("seeds 42 and 43 gave the same readings")
	}
}

// TestSplitInvariance checks the sensor is a pure function of time: one
// query, the same span in uneven pieces fetched out of order, and the
// pieces after the clock moved on all give the same records.
func TestSplitInvariance(t *testing.T) {
	clk := clock.NewManual(testNow)
	s := startServer(t, Config{Seed: 7, AutoApprove: true, Clock: clk, User: "g6", AccessTTL: 48 * time.Hour})
	tok := login(t, s).AccessToken
	start := testNow.Add(-3 * 24 * time.Hour)
	whole := fetchEGVs(t, s, tok, start, testNow)

	cuts := []time.Duration{0, 7*time.Hour + 13*time.Second, 7*time.Hour + 5*time.Minute, 31 * time.Hour, 50*time.Hour + 59*time.Second, 72 * time.Hour}
	var parts []egvRecord
	for i := len(cuts) - 2; i >= 0; i-- { // newest piece first
		parts = append(parts, fetchEGVs(t, s, tok, start.Add(cuts[i]), start.Add(cuts[i+1]))...)
	}
	clk.Advance(6 * time.Hour)
	later := fetchEGVs(t, s, tok, start, testNow)

	for name, got := range map[string][]egvRecord{"pieces": parts, "later": later} {
		sort.Slice(got, func(i, j int) bool { return got[i].SystemTime > got[j].SystemTime })
		if len(got) != len(whole) {
			t.Fatalf("%s: %d records, whole range %d", name, len(got), len(whole))
		}
		for i := range got {
			if !sameEGV(got[i], whole[i]) {
				t.Fatalf("%s: record %d differs:\n%+v\n%+v", name, i, got[i], whole[i])
			}
		}
	}
}

func sameEGV(a, b egvRecord) bool {
	eqInt := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqF := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqS := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.RecordID == b.RecordID && a.SystemTime == b.SystemTime && a.DisplayTime == b.DisplayTime &&
		a.TransmitterID == b.TransmitterID && a.TransmitterTicks == b.TransmitterTicks &&
		eqInt(a.Value, b.Value) && eqS(a.Status, b.Status) && a.Trend == b.Trend && eqF(a.TrendRate, b.TrendRate)
}

// TestPhysiology checks 30 days of both users look like a real sensor.
func TestPhysiology(t *testing.T) {
	end := testNow.Unix()
	for _, user := range []string{"g7", "g6"} {
		for _, seed := range []int64{0, 1, 99} {
			p := newProfile(seed, user)
			g := gen{p: p}
			var slots, gaps, inBand, n, lows, highs int
			var prev reading
			havePrev := false
			for i := p.firstSlotAtOrAfter(end - 30*daySeconds); i <= p.lastSlotAtOrBefore(end); i++ {
				slots++
				r, ok := g.read(i)
				if !ok {
					gaps++
					havePrev = false
					continue
				}
				n++
				if (r.t-p.phase)%slotSeconds != 0 {
					t.Fatalf("%s/%d: reading at %d off the phase %d", user, seed, r.t, p.phase)
				}
				if r.value >= 60 && r.value <= 250 {
					inBand++
				}
				if r.value < 70 {
					lows++
				}
				if r.value > 180 {
					highs++
				}
				if r.hasRate {
					if math.Abs(r.rate) > 5 {
						t.Errorf("%s/%d: rate %.1f at %d", user, seed, r.rate, r.t)
					}
					if r.trend != client.FromRate(r.rate) {
						t.Errorf("%s/%d: trend %v for rate %.1f", user, seed, r.trend, r.rate)
					}
					// The trend rate must agree with how the values move.
					if havePrev && prev.hasRate {
						step := float64(r.value-prev.value) / 5
						if math.Abs(step-r.rate) > 2.5 {
							t.Errorf("%s/%d: values moved %.1f/min but rate says %.1f", user, seed, step, r.rate)
						}
					}
				} else if r.trend != client.TrendNotComputable {
					t.Errorf("%s/%d: no rate but trend %v", user, seed, r.trend)
				}
				prev, havePrev = r, true
			}
			gapFrac := float64(gaps) / float64(slots)
			t.Logf("%s seed %d: %d readings, gaps %.2f%%, 60–250 %.1f%%, <70 %d, >180 %d", user, seed, n, 100*gapFrac, 100*float64(inBand)/float64(n), lows, highs)
			if gapFrac < 0.005 || gapFrac > 0.035 {
				t.Errorf("%s/%d: gap fraction %.3f", user, seed, gapFrac)
			}
			if frac := float64(inBand) / float64(n); frac < 0.85 {
				t.Errorf("%s/%d: only %.2f of readings in 60–250", user, seed, frac)
			}
			if highs == 0 {
				t.Errorf("%s/%d: never above 180 in 30 days: meals have no effect", user, seed)
			}
		}
	}
}

func TestRandomGapsAreShortRuns(t *testing.T) {
	p := newProfile(5, "g7")
	run, longest, runs := 0, 0, 0
	for i := int64(0); i < 8640*3; i++ {
		if p.randomGap(i) {
			run++
			continue
		}
		if run > 0 {
			runs++
		}
		longest = max(longest, run)
		run = 0
	}
	if runs < 20 || longest > 4 {
		t.Errorf("%d gap runs in 90 days, longest %d slots", runs, longest)
	}
}

func TestSensorChangeWarmup(t *testing.T) {
	for _, user := range []string{"g7", "g6"} {
		p := newProfile(3, user)
		g := gen{p: p}
		_, start := p.session(testNow.Unix())
		first := p.firstSlotAtOrAfter(start)
		for i := first; p.slotTime(i) < start+p.warmup; i++ {
			if _, ok := g.read(i); ok {
				t.Fatalf("%s: reading during warm-up at %d", user, p.slotTime(i))
			}
		}
		before, _ := p.transmitter(start - 1)
		after, ticks := p.transmitter(start + p.warmup)
		if user == "g7" && (before == after || ticks != p.warmup) {
			t.Errorf("g7 kept transmitter %q across a sensor change (ticks %d)", after, ticks)
		}
	}
}

func TestUserEvents(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow), User: "g6"})
	tok := login(t, s).AccessToken
	code, body := get(t, s, tok, rangePath("events", testNow.Add(-7*24*time.Hour), testNow))
	if code != http.StatusOK {
		t.Fatalf("events answered %d", code)
	}
	type ev struct {
		EventType, EventStatus, Value, Unit, SystemTime string
		EventSubType                                    *string
	}
	evs := decode[envelope[ev]](t, body)
	kinds := map[string]int{}
	for _, e := range evs.Records {
		kinds[e.EventType]++
		if e.Value == "" || e.EventStatus != "created" {
			t.Errorf("event %+v", e)
		}
	}
	if kinds["carbs"] < 14 || kinds["insulin"] < 14 {
		t.Errorf("a week of events: %v", kinds)
	}

	code, body = get(t, s, tok, rangePath("calibrations", testNow.Add(-7*24*time.Hour), testNow))
	if code != http.StatusOK {
		t.Fatalf("g6 calibrations answered %d", code)
	}
	type cal struct{ Value int }
	if cals := decode[envelope[cal]](t, body); len(cals.Records) < 10 || len(cals.Records) > 14 {
		t.Errorf("%d calibrations in a week, want about two a day", len(cals.Records))
	}
}

func TestScenarios(t *testing.T) {
	scs := []Scenario{
		{Kind: ScenarioHigh, Offset: -6 * time.Hour, Duration: time.Hour},
		{Kind: ScenarioLow, Offset: -3 * time.Hour, Duration: 40 * time.Minute},
		{Kind: ScenarioGap, Offset: -90 * time.Minute, Duration: 30 * time.Minute},
		{Kind: ScenarioSkew, Skew: 7 * time.Minute},
	}
	for _, user := range []string{"g7", "g6"} {
		t.Run(user, func(t *testing.T) {
			s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow), User: user, Scenarios: scs})
			tok := login(t, s).AccessToken
			p := s.users[user]
			// near widens a window by the ramp into and out of a forced run.
			in := func(r egvRecord, sc Scenario, near time.Duration) bool {
				st := parseSystem(t, r.SystemTime)
				from := testNow.Add(sc.Offset - near)
				return !st.Before(from) && st.Before(from.Add(sc.Duration+2*near))
			}
			const ramp = 25 * time.Minute
			var high, low int
			for _, r := range fetchEGVs(t, s, tok, testNow.Add(-8*time.Hour), testNow) {
				switch {
				case in(r, scs[0], 0):
					high++
					checkLimit(t, r, "high", 401, p.nullOnLimit)
				case in(r, scs[1], 0):
					low++
					checkLimit(t, r, "low", 39, p.nullOnLimit)
				case in(r, scs[2], 0):
					t.Errorf("reading at %s inside the forced gap", r.SystemTime)
				case in(r, scs[0], ramp) || in(r, scs[1], ramp):
					// ramping in or out: either kind of reading is right
				default:
					if r.Value == nil || r.Status != nil && *r.Status != "ok" {
						t.Errorf("reading at %s outside HIGH/LOW runs has no value", r.SystemTime)
					}
				}
				disp, err := time.Parse(p.displayLayout, r.DisplayTime)
				if err != nil {
					t.Fatal(err)
				}
				local := parseSystem(t, r.SystemTime).Add(7 * time.Minute).In(p.zone)
				if disp.Format(time.DateTime) != local.Format(time.DateTime) {
					t.Fatalf("displayTime %s, want %s (7 minutes skew in zone %d)", r.DisplayTime, local, p.zoneOffset)
				}
			}
			if high < 11 || low < 7 {
				t.Errorf("%d HIGH and %d LOW readings in the forced windows", high, low)
			}
		})
	}
}

func checkLimit(t *testing.T, r egvRecord, status string, bound int, wantNull bool) {
	t.Helper()
	if r.Status == nil || *r.Status != status {
		t.Fatalf("reading at %s: status %v, want %s", r.SystemTime, r.Status, status)
	}
	if wantNull && r.Value != nil || !wantNull && (r.Value == nil || *r.Value != bound) {
		t.Fatalf("reading at %s: value %v for a %s reading", r.SystemTime, r.Value, status)
	}
}

// TestUploadLag runs the emulator on a clock 600× faster than real time and
// checks the newest reading served trails the clock by the lag.
func TestUploadLag(t *testing.T) {
	const lag = time.Hour
	clk := clock.NewScaled(testNow, 600)
	s := startServer(t, Config{AutoApprove: true, Clock: clk, UploadLag: lag})
	tok := login(t, s).AccessToken
	for range 3 {
		before := clk.Now()
		recs := fetchEGVs(t, s, tok, before.Add(-6*time.Hour), before.Add(time.Hour))
		after := clk.Now()
		newest := parseSystem(t, recs[0].SystemTime)
		if newest.After(after.Add(-lag)) {
			t.Fatalf("served %s, later than now−lag %s", newest, after.Add(-lag))
		}
		// With no gap, the newest is within one slot of now−lag; allow a
		// short random gap run.
		if newest.Before(before.Add(-lag - 30*time.Minute)) {
			t.Fatalf("newest %s lags now−lag %s by far too much", newest, before.Add(-lag))
		}
		if nw := s.Newest(); nw.Before(newest) {
			t.Fatalf("Newest() %s older than a reading already served %s", nw, newest)
		}
		<-clk.After(5 * time.Minute)
	}
	// A range wholly inside the lag is empty.
	now := clk.Now()
	if code, _ := get(t, s, tok, rangePath("egvs", now.Add(-lag/2), now.Add(time.Hour))); code != http.StatusNotFound {
		t.Errorf("range inside the upload lag answered %d, want 404", code)
	}
}
