package agp

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// testLoc is the user's zone for readings without a display time.
var testLoc = time.FixedZone("EST", -5*3600)

// fixedReadings is ten days of readings with everything a real history
// has: a daily curve with noise, HIGH and LOW readings, readings with no
// value (not counted), a six-hour gap, a missing day, and display times in
// another zone (+01:00) for half the days, none for the rest.
func fixedReadings(end time.Time) []client.Reading {
	plus1 := time.FixedZone("", 3600)
	var rs []client.Reading
	start := end.Add(-10 * 24 * time.Hour)
	for i := 0; ; i++ {
		t := start.Add(time.Duration(i) * 5 * time.Minute)
		if !t.Before(end) {
			break
		}
		day := int(t.Sub(start) / (24 * time.Hour))
		if day == 6 { // a day without the sensor
			continue
		}
		if h := t.Sub(start) % (24 * time.Hour); day == 2 && h >= 3*time.Hour && h < 9*time.Hour {
			continue // a six-hour gap
		}
		hour := float64(t.Hour()) + float64(t.Minute())/60
		v := 140 + 70*math.Sin(hour/24*2*math.Pi) + float64((i*37)%61-30)
		r := client.Reading{Time: t, Value: int(v), Status: client.StatusOK}
		switch {
		case i%97 == 0:
			r.Status, r.Value = client.StatusHigh, 0
		case i%89 == 0:
			r.Status, r.Value = client.StatusLow, 0
		case i%83 == 0:
			r.Status, r.Value = client.StatusUnknown, 0 // no value: not counted
		case i%71 == 0:
			r.Value = 0 // OK but no value: not counted
		case i%53 < 4:
			r.Value = 48 + i%53 // a short run of very lows
		}
		if day%2 == 0 {
			r.DisplayTime = t.Add(30 * time.Second).In(plus1)
		}
		rs = append(rs, r)
	}
	return rs
}

// naive is the AGP computed the obvious way, from the readings in memory.
type naive struct {
	slots   [BinsPerDay][]float64
	values  []float64
	days    map[string]bool
	bands   [stats.NumBands]int
	percent [BinsPerDay][len(Levels)]float64
}

func computeNaive(rs []client.Reading, from, to time.Time, conv func(float64) float64) naive {
	var n naive
	n.days = map[string]bool{}
	for _, r := range rs {
		if r.Time.Before(from) || !r.Time.Before(to) {
			continue
		}
		var v float64
		switch {
		case r.Status == client.StatusHigh:
			v = 400
		case r.Status == client.StatusLow:
			v = 40
		case r.Status == client.StatusOK && r.Value > 0:
			v = float64(r.Value)
		default:
			continue
		}
		local := r.Time.In(testLoc)
		if !r.DisplayTime.IsZero() {
			local = r.DisplayTime
		}
		slot := (local.Hour()*60 + local.Minute()) / 15
		n.bands[stats.BandOf(v)]++
		n.slots[slot] = append(n.slots[slot], conv(v))
		n.values = append(n.values, conv(v))
		n.days[local.Format(time.DateOnly)] = true
	}
	for s, vs := range n.slots {
		slices.Sort(vs)
		for i, q := range Levels {
			if len(vs) == 0 {
				continue
			}
			pos := q * float64(len(vs)-1)
			k := int(pos)
			hi := vs[k]
			if k+1 < len(vs) {
				hi = vs[k+1]
			}
			n.percent[s][i] = vs[k] + (pos-float64(k))*(hi-vs[k])
		}
	}
	return n
}

func openCache(t testing.TB) *cache.DB {
	t.Helper()
	db, err := cache.Open(context.Background(), filepath.Join(t.TempDir(), "acct", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestBuildMatchesNaive(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2025, 3, 14, 14, 5, 0, 0, time.UTC)
	rs := fixedReadings(end)
	db := openCache(t)
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{1, 7, 10, 14} {
		from, to := LastDays(end, days, testLoc)
		p, err := Build(ctx, db, from, to, testLoc)
		if err != nil {
			t.Fatal(err)
		}
		n := computeNaive(rs, from, to, func(v float64) float64 { return v })

		// Percentiles, slot by slot, in mg/dL and (unit switching) mmol/L.
		mmol := computeNaive(rs, from, to, client.MmolL.Convert)
		for s := range BinsPerDay {
			if p.Slots[s].N != len(n.slots[s]) {
				t.Fatalf("%dd slot %d: %d readings, naive %d", days, s, p.Slots[s].N, len(n.slots[s]))
			}
			for i := range Levels {
				if !near(p.Slots[s].P[i], n.percent[s][i]) {
					t.Errorf("%dd slot %d P%.0f = %v, naive %v", days, s, Levels[i]*100, p.Slots[s].P[i], n.percent[s][i])
				}
				if got := client.MmolL.Convert(p.Slots[s].P[i]); !near(got, mmol.percent[s][i]) {
					t.Errorf("%dd slot %d P%.0f = %v mmol/L, naive %v", days, s, Levels[i]*100, got, mmol.percent[s][i])
				}
			}
		}

		// The consensus metrics.
		var sum, sq float64
		for _, v := range n.values {
			sum += v
		}
		mean := sum / float64(len(n.values))
		for _, v := range n.values {
			sq += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(sq / float64(len(n.values)))
		s := p.Summary
		if s.Count != len(n.values) || !near(s.Mean, mean) || !near(s.SD, sd) || !near(s.CV, sd/mean) || !near(s.GMI, 3.31+0.02392*mean) {
			t.Errorf("%dd: count %d mean %v SD %v CV %v GMI %v; naive %d %v %v %v %v",
				days, s.Count, s.Mean, s.SD, s.CV, s.GMI, len(n.values), mean, sd, sd/mean, 3.31+0.02392*mean)
		}
		for b := range n.bands {
			if want := float64(n.bands[b]) / float64(len(n.values)); !near(s.Bands[b], want) {
				t.Errorf("%dd band %d: %v, naive %v", days, b, s.Bands[b], want)
			}
		}
		if want := float64(len(n.values)) / float64(to.Sub(from)/(5*time.Minute)); !near(s.Active(), math.Min(1, want)) {
			t.Errorf("%dd active %v, naive %v", days, s.Active(), want)
		}
		if got := p.DaysWithData(); got != len(n.days) {
			t.Errorf("%dd: %d days with data, naive %d", days, got, len(n.days))
		}
		// The same sums the monitor's statistics come from.
		sums, err := db.GlucoseSums(ctx, to, to.Sub(from))
		if err != nil {
			t.Fatal(err)
		}
		if sums[0] != p.Sums {
			t.Errorf("%dd: Build's sums %+v, GlucoseSums %+v", days, p.Sums, sums[0])
		}
		// Days add up to the period.
		var total stats.Sums
		for _, d := range p.Days {
			total.Merge(d.Sums)
		}
		if total != p.Sums || len(p.Days) != days {
			t.Errorf("%dd: %d days summing to %+v, want %d and %+v", days, len(p.Days), total, days, p.Sums)
		}
		t.Logf("%2dd: %d readings, mean %.1f, CV %.3f, active %.1f%%, %d/%d days with data, %d lows",
			days, s.Count, s.Mean, s.CV, 100*s.Active(), p.DaysWithData(), len(p.Days), p.Lows)
	}
}

func TestHighLowCountAtBounds(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	db := openCache(t)
	var rs []client.Reading
	for i := range 12 { // 11:00–11:55: three LOW, then HIGH
		r := client.Reading{Time: end.Add(-time.Hour + time.Duration(i)*5*time.Minute), Status: client.StatusHigh}
		if i < 3 {
			r.Status = client.StatusLow
		}
		rs = append(rs, r)
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	p, err := Build(ctx, db, end.Add(-24*time.Hour), end, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if p.Summary.Count != 12 || p.Sums.Sum != 3*40+9*400 {
		t.Fatalf("count %d sum %d; want 12 readings at 40 and 400", p.Summary.Count, p.Sums.Sum)
	}
	s := p.Slots[11*4] // 11:00–11:15
	if s.N != 3 || s.P[P50] != 40 {
		t.Errorf("11:00 slot %+v; want 3 LOW readings at 40", s)
	}
	if s := p.Slots[11*4+3]; s.N != 3 || s.P[P5] != 400 {
		t.Errorf("11:45 slot %+v; want 3 HIGH readings at 400", s)
	}
	if p.Lows != 1 {
		t.Errorf("%d low episodes from 15 minutes of LOW; want 1", p.Lows)
	}
}

func TestLowEpisodes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		values []int64 // every 5 minutes; 0 is a missing reading
		want   int
	}{
		{"ten minutes is not an episode", []int64{100, 60, 60, 100}, 0},
		{"fifteen minutes is", []int64{100, 60, 60, 60, 100}, 1},
		{"a brief rise does not end it", []int64{60, 60, 60, 80, 80, 60, 60, 60}, 1},
		{"fifteen minutes above ends it", []int64{60, 60, 60, 80, 80, 80, 60, 60, 60}, 2},
		{"a gap ends it", []int64{60, 60, 60, 0, 0, 0, 0, 60, 60, 60}, 2},
		{"LOW counts at 40", []int64{40, 40, 40}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var l lowTracker
			n := 0
			for i, v := range tt.values {
				if v != 0 && l.add(int64(1_000_000+i*300), v) {
					n++
				}
			}
			if n != tt.want {
				t.Errorf("%d episodes, want %d", n, tt.want)
			}
		})
	}
}
