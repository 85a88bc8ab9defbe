package dexcom

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// addSamples seeds a fuzz target with the recorded-shape bodies in testdata
// whose names start with prefix, plus a few shapes every decoder must
// survive. Go also reads testdata/fuzz/<target>/ by itself.
func addSamples(f *testing.F, prefix string) {
	paths, err := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `null`, `[]`, `{}`, `{"records":[]}`, `{"records":[{}]}`, `{"records":[null,1,"x",[]]}`} {
		f.Add([]byte(s))
	}
}

// checkRecords holds for every decoder of ranged records: each record has a
// UTC time and text a terminal can show.
func checkRecords[T any](t *testing.T, recs []record[T], texts func(T) []string) {
	for i, r := range recs {
		if r.t.IsZero() || r.t.Location() != time.UTC {
			t.Fatalf("record %d: time %v is zero or not UTC", i, r.t)
		}
		for _, s := range append(texts(r.v), r.id) {
			if strings.IndexFunc(s, client.Unprintable) >= 0 {
				t.Fatalf("record %d: control character in %q", i, s)
			}
		}
	}
}

func FuzzDecodeEGVs(f *testing.F) {
	addSamples(f, "egvs")
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := decodeEGVs(bytes.NewReader(body))
		if err != nil {
			return
		}
		checkRecords(t, recs, func(client.Reading) []string { return nil })
		for i, r := range recs {
			rd := r.v
			if math.IsNaN(rd.TrendRate) || math.IsInf(rd.TrendRate, 0) || math.Abs(rd.TrendRate) > maxRate {
				t.Fatalf("reading %d: trend rate %v", i, rd.TrendRate)
			}
			if rd.TrendRate != 0 && !rd.HasRate {
				t.Fatalf("reading %d: rate without HasRate", i)
			}
			if rd.Value < 0 || rd.Value > maxMgdl {
				t.Fatalf("reading %d: value %d out of range", i, rd.Value)
			}
			if rd.Status > client.StatusLow || rd.Trend > client.TrendRateOutOfRange {
				t.Fatalf("reading %d: enum out of range: %v %v", i, rd.Status, rd.Trend)
			}
			if rd.Known() && rd.Value == 0 {
				t.Fatalf("reading %d: known without a value", i)
			}
			if !rd.Time.Equal(r.t) || rd.DisplayTime.IsZero() {
				t.Fatalf("reading %d: times %v / %v", i, rd.Time, rd.DisplayTime)
			}
		}
	})
}

func FuzzDecodeEvents(f *testing.F) {
	addSamples(f, "events")
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := decodeEvents(bytes.NewReader(body))
		if err != nil {
			return
		}
		checkRecords(t, recs, func(e client.Event) []string { return []string{e.Type, e.SubType, e.Value, e.Unit} })
		for _, r := range recs {
			if known(r.v.Type, eventTypes) != r.v.Type {
				t.Fatalf("event type %q is neither known nor unknown", r.v.Type)
			}
		}
	})
}

func FuzzDecodeCalibrations(f *testing.F) {
	addSamples(f, "calibrations")
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := decodeCalibrations(bytes.NewReader(body))
		if err != nil {
			return
		}
		checkRecords(t, recs, func(client.Calibration) []string { return nil })
		for _, r := range recs {
			if r.v.Value <= 0 || r.v.Value > maxMgdl {
				t.Fatalf("calibration value %d out of range", r.v.Value)
			}
		}
	})
}

func FuzzDecodeAlerts(f *testing.F) {
	addSamples(f, "alerts")
	f.Fuzz(func(t *testing.T, body []byte) {
		recs, err := decodeAlerts(bytes.NewReader(body))
		if err != nil {
			return
		}
		checkRecords(t, recs, func(a client.Alert) []string { return []string{a.Name, a.State} })
	})
}

func FuzzDecodeDevices(f *testing.F) {
	addSamples(f, "devices")
	f.Fuzz(func(t *testing.T, body []byte) {
		ds, err := decodeDevices(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Generation == "" {
				t.Fatal("device without a generation")
			}
			for _, s := range []string{d.TransmitterID, d.Generation, d.DisplayDevice, d.DisplayApp} {
				if strings.IndexFunc(s, client.Unprintable) >= 0 {
					t.Fatalf("control character in %q", s)
				}
			}
			if !d.LastUpload.IsZero() && d.LastUpload.Location() != time.UTC {
				t.Fatalf("last upload %v not UTC", d.LastUpload)
			}
		}
	})
}

func FuzzDecodeDataRange(f *testing.F) {
	addSamples(f, "dataRange")
	f.Fuzz(func(t *testing.T, body []byte) {
		dr, err := decodeDataRange(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, s := range []client.Span{dr.Readings, dr.Events, dr.Calibrations} {
			if s.Start.After(s.End) || (s.Empty() && !s.Start.IsZero()) {
				t.Fatalf("span %+v is inverted or half empty", s)
			}
		}
	})
}

// FuzzParseTime checks the hand-written parser against the standard one on
// the inputs both accept.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-05-01T12:00:00", "2024-05-01T05:00:00.5-07:00", "2024-05-01T12:00:00Z", "2024-02-29 00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, zoned, ok := parseTime([]byte(s))
		if !ok {
			return
		}
		layout := "2006-01-02T15:04:05.999999999"
		if zoned {
			layout = time.RFC3339Nano
		}
		std, err := time.Parse(layout, s)
		if err != nil {
			return // we accept a few more spellings (space, comma, ±hhmm)
		}
		if !std.Equal(got) {
			t.Fatalf("parseTime(%q) = %v, time.Parse = %v", s, got, std)
		}
	})
}
