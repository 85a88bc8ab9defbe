package stats

import (
	"math"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

var t0 = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

func readings(values ...int) []client.Reading {
	out := make([]client.Reading, len(values))
	for i, v := range values {
		out[i] = client.Reading{Time: t0.Add(time.Duration(i) * ReadingInterval), Value: v, Status: client.StatusOK}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestBandOf(t *testing.T) {
	tests := []struct {
		mgdl float64
		want Band
	}{
		{39, VeryLow}, {53, VeryLow}, {54, Low}, {69, Low}, {70, InRange},
		{180, InRange}, {181, High}, {250, High}, {251, VeryHigh}, {400, VeryHigh},
	}
	for _, tt := range tests {
		if got := BandOf(tt.mgdl); got != tt.want {
			t.Errorf("BandOf(%v) = %v, want %v", tt.mgdl, got, tt.want)
		}
	}
}

func TestCompute(t *testing.T) {
	hour := t0.Add(time.Hour) // 12 readings expected
	tests := []struct {
		name     string
		rs       []client.Reading
		count    int
		mean, sd float64
		bands    [NumBands]float64
		active   float64
		stable   bool
		gmi      float64
	}{
		{
			name: "empty", rs: nil,
		},
		{
			name: "steady 100", rs: readings(100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100),
			count: 12, mean: 100, sd: 0, bands: [NumBands]float64{InRange: 1}, active: 1, stable: true,
			gmi: 3.31 + 0.02392*100,
		},
		{
			// One reading in each band, then a 13th outside the hour.
			name: "one per band", rs: readings(50, 60, 120, 200, 300, 999),
			count: 5, mean: 146, sd: math.Sqrt((96*96 + 86*86 + 26*26 + 54*54 + 154*154) / 5.0),
			bands: [NumBands]float64{0.2, 0.2, 0.2, 0.2, 0.2}, active: 5.0 / 12, stable: false,
			gmi: 3.31 + 0.02392*146,
		},
		{
			name: "HIGH and LOW count as the sensor bounds",
			rs: []client.Reading{
				{Time: t0, Status: client.StatusHigh},
				{Time: t0.Add(5 * time.Minute), Status: client.StatusLow},
				{Time: t0.Add(10 * time.Minute), Status: client.StatusUnknown}, // not counted
			},
			count: 2, mean: 220, sd: 180, bands: [NumBands]float64{VeryLow: 0.5, VeryHigh: 0.5},
			active: 2.0 / 12, stable: false, gmi: 3.31 + 0.02392*220,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.rs
			if tt.name == "one per band" {
				rs[5].Time = hour // [from, to) excludes the end
			}
			s := Compute(rs, t0, hour)
			if s.Count != tt.count || s.Expected != 12 {
				t.Fatalf("Count, Expected = %d, %d; want %d, 12", s.Count, s.Expected, tt.count)
			}
			if !near(s.Mean, tt.mean) || !near(s.SD, tt.sd) || !near(s.GMI, tt.gmi) {
				t.Errorf("mean, SD, GMI = %v, %v, %v; want %v, %v, %v", s.Mean, s.SD, s.GMI, tt.mean, tt.sd, tt.gmi)
			}
			for b := range s.Bands {
				if !near(s.Bands[b], tt.bands[b]) {
					t.Errorf("band %d = %v, want %v", b, s.Bands[b], tt.bands[b])
				}
			}
			if !near(s.Active(), tt.active) || s.StableCV() != tt.stable {
				t.Errorf("Active, StableCV = %v, %v; want %v, %v", s.Active(), s.StableCV(), tt.active, tt.stable)
			}
			if tt.count > 0 && !near(s.CV, s.SD/s.Mean) {
				t.Errorf("CV = %v, want SD/mean", s.CV)
			}
		})
	}
}

// The statistics are computed in mg/dL; shown in mmol/L they must be the
// same quantities converted, and CV (a ratio) and GMI must not change.
func TestComputeBothUnits(t *testing.T) {
	s := Compute(readings(90, 126, 180, 216), t0, t0.Add(20*time.Minute))
	if got := client.MmolL.Format(s.Mean); got != "8.5" { // 153 mg/dL
		t.Errorf("mean in mmol/L = %s, want 8.5", got)
	}
	if got := client.MgDL.Format(s.Mean); got != "153" {
		t.Errorf("mean in mg/dL = %s, want 153", got)
	}
	sdMmol := client.MmolL.Convert(s.SD)
	if !near(sdMmol/client.MmolL.Convert(s.Mean), s.CV) {
		t.Errorf("CV differs between units")
	}
	if got := client.MmolL.Format(s.SD); got != "2.7" { // 48.5 mg/dL
		t.Errorf("SD in mmol/L = %s, want 2.7", got)
	}
}

func TestPercentages(t *testing.T) {
	tests := []struct {
		in   [NumBands]float64
		want [NumBands]int
	}{
		{[NumBands]float64{}, [NumBands]int{}},
		{[NumBands]float64{0, 0, 1, 0, 0}, [NumBands]int{0, 0, 100, 0, 0}},
		{[NumBands]float64{1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0}, [NumBands]int{34, 33, 33, 0, 0}},
		{[NumBands]float64{0.004, 0.046, 0.75, 0.15, 0.05}, [NumBands]int{0, 5, 75, 15, 5}},
		{[NumBands]float64{0.015, 0.015, 0.94, 0.015, 0.015}, [NumBands]int{2, 2, 94, 1, 1}},
	}
	for _, tt := range tests {
		got := Percentages(tt.in)
		sum := 0
		for _, p := range got {
			sum += p
		}
		if got != tt.want {
			t.Errorf("Percentages(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if tt.in != ([NumBands]float64{}) && sum != 100 {
			t.Errorf("Percentages(%v) sums to %d", tt.in, sum)
		}
	}
}

func TestGMI(t *testing.T) {
	// Bergenstal 2018, table 1: mean 154 mg/dL → GMI 7.0 %.
	if got := math.Round(GMI(154)*10) / 10; got != 7.0 {
		t.Errorf("GMI(154) = %v, want 7.0", got)
	}
}

// Sums.Summary is what the monitor shows (the cache adds the sums up in
// SQL); Compute, which walks the readings, is its reference.
func TestSumsSummaryMatchesCompute(t *testing.T) {
	day := t0.Add(24 * time.Hour)
	var swing []client.Reading
	for i := 0; i < 288; i++ {
		r := client.Reading{Time: t0.Add(time.Duration(i) * ReadingInterval), Value: 30 + (i*37)%380, Status: client.StatusOK}
		switch i % 41 {
		case 3:
			r.Status = client.StatusHigh
		case 7:
			r.Status, r.Value = client.StatusLow, 0
		case 11:
			r.Status = client.StatusUnknown
		case 13:
			r.Value = 0 // OK but no value: not counted
		}
		swing = append(swing, r)
	}
	tests := []struct {
		name     string
		rs       []client.Reading
		from, to time.Time
	}{
		{"empty", nil, t0, day},
		{"steady", readings(100, 100, 100), t0, day},
		{"band edges", readings(53, 54, 69, 70, 180, 181, 250, 251), t0, day},
		{"HIGH LOW unknown", []client.Reading{
			{Time: t0, Status: client.StatusHigh},
			{Time: t0.Add(5 * time.Minute), Status: client.StatusLow},
			{Time: t0.Add(10 * time.Minute), Status: client.StatusUnknown, Value: 120},
		}, t0, day},
		{"a day's swing", swing, t0, day},
		{"part of it", swing, t0.Add(3*time.Hour + time.Second), t0.Add(7 * time.Hour)},
		{"empty period", swing, day, day},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Compute(tt.rs, tt.from, tt.to)
			var sums Sums
			for _, r := range tt.rs {
				if !r.Time.Before(tt.from) && r.Time.Before(tt.to) {
					sums.Add(r)
				}
			}
			got := sums.Summary(tt.from, tt.to)
			if got.Count != want.Count || got.Expected != want.Expected || !got.From.Equal(want.From) || !got.To.Equal(want.To) {
				t.Fatalf("Count, Expected, From, To = %d, %d, %v, %v; want %d, %d, %v, %v",
					got.Count, got.Expected, got.From, got.To, want.Count, want.Expected, want.From, want.To)
			}
			for b := range got.Bands {
				if !near(got.Bands[b], want.Bands[b]) {
					t.Errorf("band %d = %v, want %v", b, got.Bands[b], want.Bands[b])
				}
			}
			if !near(got.Mean, want.Mean) || !near(got.SD, want.SD) || !near(got.CV, want.CV) || !near(got.GMI, want.GMI) {
				t.Errorf("mean, SD, CV, GMI = %v, %v, %v, %v; want %v, %v, %v, %v",
					got.Mean, got.SD, got.CV, got.GMI, want.Mean, want.SD, want.CV, want.GMI)
			}
		})
	}
}
