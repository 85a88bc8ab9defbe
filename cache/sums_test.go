package cache

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// statsPeriods are the monitor's statistics periods.
var statsPeriods = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 90 * 24 * time.Hour}

// statsHistory is 92 days before now at five-minute steps, with what a
// real history holds: HIGH and LOW (with and without a value), readings
// of unknown status, OK readings without a value, two gaps, every band
// edge, and readings a second either side of each period's start and of
// now.
func statsHistory(now time.Time) []client.Reading {
	edges := []int{53, 54, 69, 70, 180, 181, 250, 251, 39, 40, 400, 401}
	start := now.Add(-92*24*time.Hour - 157*time.Second) // off now's second, so edges below never collide
	gaps := [][2]time.Time{
		{now.Add(-80 * 24 * time.Hour), now.Add(-78 * 24 * time.Hour)},
		{now.Add(-10*time.Hour - 20*time.Minute), now.Add(-4 * time.Hour)},
	}
	var rs []client.Reading
next:
	for i, t := 0, start; t.Before(now.Add(time.Hour)); i, t = i+1, t.Add(5*time.Minute) {
		for _, g := range gaps {
			if !t.Before(g[0]) && t.Before(g[1]) {
				continue next
			}
		}
		r := client.Reading{Time: t, Status: client.StatusOK, Value: 45 + (i*29)%300}
		switch {
		case i%7 == 0:
			r.Value = edges[(i/7)%len(edges)]
		case i%97 == 5:
			r.Status, r.Value = client.StatusHigh, 0
		case i%101 == 6:
			r.Status, r.Value = client.StatusHigh, 401
		case i%89 == 3:
			r.Status, r.Value = client.StatusLow, 0
		case i%83 == 4:
			r.Status, r.Value = client.StatusLow, 39
		case i%53 == 7:
			r.Status, r.Value = client.StatusUnknown, 150
		case i%71 == 9:
			r.Value = 0
		}
		rs = append(rs, r)
	}
	for j, d := range append([]time.Duration{0}, statsPeriods...) {
		for k, off := range []time.Duration{-time.Second, 0, time.Second} {
			v := edges[(j*3+k)%len(edges)]
			rs = append(rs, client.Reading{Time: now.Add(-d + off), Status: client.StatusOK, Value: v})
		}
	}
	return rs
}

// The statistics the monitor shows come from GlucoseSums; they must be
// the ones stats.Compute gives for the same readings loaded from the same
// file, for every period, and for a now on a whole second and between two.
func TestGlucoseSumsMatchesReadings(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := base.Add(100 * 24 * time.Hour)
	if _, err := db.PutReadings(ctx, statsHistory(now)); err != nil {
		t.Fatal(err)
	}
	// The monitor's periods, and then unsorted, repeated and empty ones.
	odd := []time.Duration{statsPeriods[1], time.Hour, statsPeriods[3], time.Hour, 0, -time.Hour, statsPeriods[0] + time.Second}
	for _, now := range []time.Time{now, now.Add(500 * time.Millisecond)} {
		for _, periods := range [][]time.Duration{statsPeriods, odd} {
			checkGlucoseSums(t, db, now, periods)
		}
	}
}

// checkGlucoseSums compares GlucoseSums with the old path: the period's
// readings from Readings, summarised by stats.Compute.
func checkGlucoseSums(t *testing.T, db *DB, now time.Time, periods []time.Duration) {
	t.Helper()
	ctx := context.Background()
	sums, err := db.GlucoseSums(ctx, now, periods...)
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(periods) {
		t.Fatalf("%d sums for %d periods", len(sums), len(periods))
	}
	longest := statsPeriods[len(statsPeriods)-1]
	rs, err := db.Readings(ctx, now.Add(-longest), now)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range periods {
		from := now.Add(-p)
		var want stats.Sums
		for _, r := range rs {
			if !r.Time.Before(from) {
				want.Add(r)
			}
		}
		if p <= 0 {
			want = stats.Sums{}
		}
		if sums[i] != want {
			t.Errorf("now %v, %v: sums %+v, want %+v", now.Format(time.StampMilli), p, sums[i], want)
		}
		for b, n := range want.Bands {
			if n == 0 && p == longest {
				t.Errorf("the history has no reading in band %d: the test proves less than it says", b)
			}
		}
		got, old := sums[i].Summary(from, now), stats.Compute(rs, from, now)
		if got.Count != old.Count || got.Expected != old.Expected || !got.From.Equal(old.From) || !got.To.Equal(old.To) {
			t.Errorf("now %v, %v: Count, Expected = %d, %d; want %d, %d", now.Format(time.StampMilli), p, got.Count, got.Expected, old.Count, old.Expected)
		}
		near := func(name string, a, b float64) {
			if math.Abs(a-b) > 1e-9 {
				t.Errorf("now %v, %v: %s = %v, want %v", now.Format(time.StampMilli), p, name, a, b)
			}
		}
		near("mean", got.Mean, old.Mean)
		near("SD", got.SD, old.SD)
		near("CV", got.CV, old.CV)
		near("GMI", got.GMI, old.GMI)
		for b := range got.Bands {
			near("band", got.Bands[b], old.Bands[b])
		}
	}
}

// The edge readings must decide something: a period's start is in it, the
// second before is not, and now is not.
func TestGlucoseSumsBounds(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	now := base.Add(100 * 24 * time.Hour)
	day := 24 * time.Hour
	rs := []client.Reading{
		{Time: now.Add(-day - time.Second), Status: client.StatusOK, Value: 100},
		{Time: now.Add(-day), Status: client.StatusHigh},
		{Time: now.Add(-time.Hour), Status: client.StatusLow},
		{Time: now.Add(-time.Minute), Status: client.StatusUnknown, Value: 120},
		{Time: now.Add(-time.Second), Status: client.StatusOK, Value: 53},
		{Time: now, Status: client.StatusOK, Value: 200},
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		now     time.Time
		periods []time.Duration
		want    []stats.Sums
	}{
		{"no periods", now, nil, []stats.Sums{}},
		{"a day and a second", now, []time.Duration{day, day + time.Second}, []stats.Sums{
			{Count: 3, Sum: 400 + 40 + 53, SumSquares: 400*400 + 40*40 + 53*53, Bands: [stats.NumBands]int{stats.VeryLow: 2, stats.VeryHigh: 1}},
			{Count: 4, Sum: 100 + 400 + 40 + 53, SumSquares: 100*100 + 400*400 + 40*40 + 53*53, Bands: [stats.NumBands]int{stats.VeryLow: 2, stats.InRange: 1, stats.VeryHigh: 1}},
		}},
		{"now between seconds drops the start", now.Add(time.Millisecond), []time.Duration{day}, []stats.Sums{
			{Count: 3, Sum: 40 + 53 + 200, SumSquares: 40*40 + 53*53 + 200*200, Bands: [stats.NumBands]int{stats.VeryLow: 2, stats.High: 1}},
		}},
		{"nothing yet", now.Add(-10 * day), []time.Duration{day}, []stats.Sums{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GlucoseSums(ctx, tt.now, tt.periods...)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d sums, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("period %d: %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// BenchmarkGlucoseSums90Days is the monitor's statistics over a full
// 90-day history: one query for the four periods.
func BenchmarkGlucoseSums90Days(b *testing.B) {
	ctx := context.Background()
	db := openNinetyDays(b)
	now := at(1)
	b.ReportAllocs()
	for b.Loop() {
		sums, err := db.GlucoseSums(ctx, now, statsPeriods...)
		if err != nil || sums[3].Count != ninetyDays {
			b.Fatalf("%+v, %v", sums, err)
		}
	}
}

// BenchmarkStatsFromReadings90Days is the path GlucoseSums replaced: load
// 90 days of readings and summarise the four periods in Go.
func BenchmarkStatsFromReadings90Days(b *testing.B) {
	ctx := context.Background()
	db := openNinetyDays(b)
	now := at(1)
	b.ReportAllocs()
	for b.Loop() {
		rs, err := db.Readings(ctx, now.Add(-statsPeriods[3]), now)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range statsPeriods {
			if s := stats.Compute(rs, now.Add(-p), now); s.Count == 0 {
				b.Fatal("no readings")
			}
		}
	}
}
