package share

import (
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func TestDecodeReadingsLeniently(t *testing.T) {
	body := `[{"WT":"Date(1745081013817)","ST":"Date(1745081013817)","DT":"Date(1745081013817-0400)","Value":224,"Trend":"Flat","Extra":1},
	{"WT":"\/Date(1745080713817)\/","DT":"\/Date(1745080713817+0930)\/","Value":39,"Trend":7},
	{"WT":"Date(1745080413817)","Value":401,"Trend":"NOT COMPUTABLE"},
	{"WT":"Date(1745080113817)","Value":120,"Trend":"Sideways"},
	{"WT":"Date(1745079813817)","Value":120,"Trend":"4"},
	{"Value":100,"Trend":"Flat"}]`
	rs, err := decodeReadings([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 5 {
		t.Fatalf("%d readings, want 5 (one has no time)", len(rs))
	}
	want := []struct {
		value  int
		status client.Status
		trend  client.Trend
	}{
		{224, client.StatusOK, client.TrendFlat},
		{40, client.StatusLow, client.TrendDoubleDown},
		{400, client.StatusHigh, client.TrendNotComputable},
		{120, client.StatusOK, client.TrendUnknown},
		{120, client.StatusOK, client.TrendFlat},
	}
	for i, w := range want {
		r := rs[i]
		if r.Value != w.value || r.Status != w.status || r.Trend != w.trend {
			t.Errorf("reading %d = %d %v %v, want %d %v %v", i, r.Value, r.Status, r.Trend, w.value, w.status, w.trend)
		}
	}
	// Whole seconds, as the cache keys them: milliseconds would make every
	// poll look like a new reading.
	if !rs[0].Time.Equal(time.Unix(1745081013, 0)) || !rs[0].DisplayTime.Equal(rs[0].Time) {
		t.Errorf("time %v, display %v; want 1745081013 s, milliseconds dropped", rs[0].Time, rs[0].DisplayTime)
	}
	if _, off := rs[0].DisplayTime.Zone(); off != -4*3600 {
		t.Errorf("display offset %d", off)
	}
	if _, off := rs[1].DisplayTime.Zone(); off != 9*3600+30*60 {
		t.Errorf("display offset %d", off)
	}
}

func TestDecodeID(t *testing.T) {
	for body, ok := range map[string]bool{
		`"55555555-5555-5555-5555-555555555555"`: true,
		`"00000000-0000-0000-0000-000000000000"`: false,
		`"not-a-uuid"`:                           false,
		`{"Code":"x"}`:                           false,
		``:                                       false,
	} {
		_, err := decodeID([]byte(body))
		if (err == nil) != ok {
			t.Errorf("decodeID(%s) err = %v", body, err)
		}
	}
	_, err := decodeID([]byte(`"00000000-0000-0000-0000-000000000000"`))
	if !isCredential(err) {
		t.Errorf("the all-zero id must count as refused credentials, got %v", err)
	}
}

func FuzzDecodeReadings(f *testing.F) {
	f.Add([]byte(`[{"WT":"Date(1745081013817)","ST":"Date(1745081013817)","DT":"Date(1745081013817-0400)","Value":224,"Trend":"Flat"}]`))
	f.Add([]byte(`[{"WT":"\/Date(1426292016000-0700)\/","Value":39,"Trend":4}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := decodeReadings(b)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Time.IsZero() || r.Value < 0 || r.Value > 400 && r.Status == client.StatusOK {
				t.Fatalf("bad reading %+v", r)
			}
		}
	})
}
