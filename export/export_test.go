package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
)

var t0 = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// fixture is a real cache with an ordinary reading (display time in
// +01:00), a HIGH, a LOW, one without a display time, and two events.
func fixture(t testing.TB) *cache.DB {
	t.Helper()
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(t.TempDir(), "a", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	plus1 := time.FixedZone("", 3600)
	rs := []client.Reading{
		{Time: t0, DisplayTime: t0.Add(20 * time.Second).In(plus1), Value: 180, Status: client.StatusOK, Trend: client.TrendFlat, TrendRate: 0.5, HasRate: true},
		{Time: t0.Add(5 * time.Minute), DisplayTime: t0.Add(5 * time.Minute).In(plus1), Status: client.StatusHigh, Trend: client.TrendSingleUp},
		{Time: t0.Add(10 * time.Minute), Status: client.StatusLow, Trend: client.TrendNone},
		{Time: t0.Add(15 * time.Minute), Value: 54, Status: client.StatusOK, Trend: client.TrendDoubleDown, TrendRate: -3.2, HasRate: true},
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	es := []client.Event{
		{ID: "e1", Time: t0.Add(time.Minute), DisplayTime: t0.Add(time.Minute).In(plus1), Type: "carbs", Value: "45", Unit: "grams"},
		{ID: "e2", Time: t0.Add(2 * time.Minute), Type: "notes", Value: "felt \"shaky\", ate, walked"},
	}
	if err := db.PutEvents(ctx, es); err != nil {
		t.Fatal(err)
	}
	return db
}

func export(t *testing.T, db *cache.DB, f Format, u client.Unit) []byte {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	w := NewWriter(&b, f, u)
	if err := db.EachReading(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), w.Reading); err != nil {
		t.Fatal(err)
	}
	if err := db.EachEvent(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), w.Event); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCSV(t *testing.T) {
	db := fixture(t)
	for _, tt := range []struct {
		unit       client.Unit
		value, low string
		rate       string
	}{
		{client.MgDL, "180", "54", "0.5"},
		{client.MmolL, "10.0", "3.0", "0.03"},
	} {
		rows, err := csv.NewReader(bytes.NewReader(export(t, db, CSV, tt.unit))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+4+2 {
			t.Fatalf("%d rows, want a header, 4 readings and 2 events: %q", len(rows), rows)
		}
		want := [][]string{
			Header,
			{"reading", "2025-03-14T12:00:00Z", "2025-03-14T13:00:20+01:00", tt.value, tt.unit.String(), "ok", "flat", tt.rate, "", "", "", "", ""},
			{"reading", "2025-03-14T12:05:00Z", "2025-03-14T13:05:00+01:00", "", tt.unit.String(), "high", "singleUp", "", "", "", "", "", ""},
			{"reading", "2025-03-14T12:10:00Z", "", "", tt.unit.String(), "low", "none", "", "", "", "", "", ""},
		}
		for i, w := range want {
			for j := range w {
				if rows[i][j] != w[j] {
					t.Errorf("%s row %d col %s: %q, want %q", tt.unit, i, Header[j], rows[i][j], w[j])
				}
			}
		}
		if rows[4][3] != tt.low {
			t.Errorf("%s: 54 mg/dL exported as %q, want %q", tt.unit, rows[4][3], tt.low)
		}
		if rows[6][10] != `felt "shaky", ate, walked` || rows[5][8] != "carbs" || rows[5][2] != "2025-03-14T13:01:00+01:00" {
			t.Errorf("events: %q", rows[5:])
		}
	}
}

func TestJSONLines(t *testing.T) {
	db := fixture(t)
	sc := bufio.NewScanner(bytes.NewReader(export(t, db, JSONL, client.MmolL)))
	var kinds []string
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		kinds = append(kinds, m["kind"].(string)+":"+m["time_utc"].(string))
		if m["kind"] == "reading" && m["status"] == "ok" && m["time_utc"] == "2025-03-14T12:00:00Z" {
			if m["value"] != 10.0 || m["unit"] != "mmol/L" || m["display_time"] != "2025-03-14T13:00:20+01:00" {
				t.Errorf("first reading %v", m)
			}
		}
		if m["status"] == "high" && m["value"] != nil {
			t.Errorf("HIGH reading has a value %v; want null and status high", m["value"])
		}
	}
	if len(kinds) != 6 {
		t.Errorf("%d lines: %v", len(kinds), kinds)
	}
}

// BenchmarkExport90Days writes 90 days of readings from a real cache as
// each format, to a discarding writer.
func BenchmarkExport90Days(b *testing.B) {
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(b.TempDir(), "a", "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var rs []client.Reading
	plus1 := time.FixedZone("", 3600)
	for ts := t0.Add(-90 * 24 * time.Hour); ts.Before(t0); ts = ts.Add(5 * time.Minute) {
		rs = append(rs, client.Reading{Time: ts, DisplayTime: ts.In(plus1), Status: client.StatusOK, Value: 100 + int(ts.Unix()/300%150), Trend: client.TrendFlat, TrendRate: 0.3, HasRate: true})
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		b.Fatal(err)
	}
	for _, f := range []Format{CSV, JSONL} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var n countWriter
				w := NewWriter(&n, f, client.MmolL)
				if err := db.EachReading(ctx, t0.Add(-91*24*time.Hour), t0, w.Reading); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n), "bytes")
			}
		})
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
