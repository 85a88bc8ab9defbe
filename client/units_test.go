package client

import "testing"

// The golden table pins the conversion to what Dexcom receivers show,
// including the consensus thresholds in both units.
func TestFormatGolden(t *testing.T) {
	tests := []struct {
		mgdl float64
		mg   string
		mmol string
	}{
		{39, "39", "2.2"},
		{40, "40", "2.2"},
		{54, "54", "3.0"},
		{70, "70", "3.9"},
		{100, "100", "5.6"},
		{109, "109", "6.0"},
		{126, "126", "7.0"},
		{180, "180", "10.0"},
		{250, "250", "13.9"},
		{400, "400", "22.2"},
		{401, "401", "22.3"},
	}
	for _, tt := range tests {
		if got := MgDL.Format(tt.mgdl); got != tt.mg {
			t.Errorf("MgDL.Format(%v) = %q, want %q", tt.mgdl, got, tt.mg)
		}
		if got := MmolL.Format(tt.mgdl); got != tt.mmol {
			t.Errorf("MmolL.Format(%v) = %q, want %q", tt.mgdl, got, tt.mmol)
		}
	}
}

func TestFormatDelta(t *testing.T) {
	tests := []struct {
		unit Unit
		d    float64
		want string
	}{
		{MgDL, 0, "±0"},
		{MgDL, 0.4, "±0"},
		{MgDL, 5, "+5"},
		{MgDL, -12, "-12"},
		{MmolL, 0, "±0.0"},
		{MmolL, 18.018, "+1.0"},
		{MmolL, -9, "-0.5"},
		{MmolL, 0.5, "±0.0"},
	}
	for _, tt := range tests {
		if got := tt.unit.FormatDelta(tt.d); got != tt.want {
			t.Errorf("%v.FormatDelta(%v) = %q, want %q", tt.unit, tt.d, got, tt.want)
		}
	}
}

func TestParseUnit(t *testing.T) {
	for in, want := range map[string]Unit{"mg/dL": MgDL, "MGDL": MgDL, "mmol/L": MmolL, " mmol ": MmolL} {
		got, err := ParseUnit(in)
		if err != nil || got != want {
			t.Errorf("ParseUnit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseUnit("stone"); err == nil {
		t.Error("ParseUnit(stone) gave no error")
	}
}

func TestTrendRoundTrip(t *testing.T) {
	for tr := TrendUnknown; tr <= TrendRateOutOfRange; tr++ {
		if got := ParseTrend(tr.String()); got != tr {
			t.Errorf("ParseTrend(%q) = %v, want %v", tr.String(), got, tr)
		}
	}
	if got := ParseTrend("sideways"); got != TrendUnknown {
		t.Errorf("ParseTrend(sideways) = %v, want unknown", got)
	}
}

func TestFromRate(t *testing.T) {
	tests := []struct {
		rate float64
		want Trend
	}{
		{3.5, TrendDoubleUp}, {2.5, TrendSingleUp}, {1.5, TrendFortyFiveUp},
		{0, TrendFlat}, {-1, TrendFlat}, {-1.5, TrendFortyFiveDown},
		{-2.5, TrendSingleDown}, {-3.5, TrendDoubleDown},
	}
	for _, tt := range tests {
		if got := FromRate(tt.rate); got != tt.want {
			t.Errorf("FromRate(%v) = %v, want %v", tt.rate, got, tt.want)
		}
	}
}
