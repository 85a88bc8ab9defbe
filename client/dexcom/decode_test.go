package dexcom

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		panic(err)
	}
	return t
}

func values[T any](recs []record[T]) []T {
	out := make([]T, len(recs))
	for i, r := range recs {
		out[i] = r.v
	}
	return out
}

func TestDecodeEGVsV3Sample(t *testing.T) {
	recs, err := decodeEGVs(bytes.NewReader(sample(t, "egvs_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	pdt := time.FixedZone("", -7*3600)
	want := []struct {
		id   string
		r    client.Reading
		disp time.Time
	}{
		{"e-0005", client.Reading{Time: utc("2024-05-01T12:20:00"), Value: 131, Status: client.StatusOK, Trend: client.TrendFortyFiveUp, TrendRate: 1.4, HasRate: true},
			time.Date(2024, 5, 1, 5, 20, 0, 0, pdt)},
		{"e-0004", client.Reading{Time: utc("2024-05-01T12:15:00"), Status: client.StatusHigh, Trend: client.TrendDoubleUp},
			time.Date(2024, 5, 1, 5, 15, 0, 123e6, pdt)},
		{"e-0003", client.Reading{Time: utc("2024-05-01T12:10:00"), Value: 39, Status: client.StatusLow, Trend: client.TrendUnknown, TrendRate: -0.5, HasRate: true},
			utc("2024-05-01T05:10:00")},
		// 6.2 mmol/L × 18.018 = 111.7 → 112 mg/dL; 0.05 mmol/L/min → 0.9009 mg/dL/min.
		{"e-0002", client.Reading{Time: utc("2024-05-01T12:05:00"), Value: 112, Status: client.StatusOK, Trend: client.TrendFlat, TrendRate: 0.05 * client.MgdlPerMmol, HasRate: true},
			time.Date(2024, 5, 1, 5, 5, 0, 0, pdt)},
		{"e-0001", client.Reading{Time: utc("2024-05-01T12:00:00"), Status: client.StatusUnknown, Trend: client.TrendNotComputable},
			time.Date(2024, 5, 1, 5, 0, 0, 0, pdt)},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d readings, want %d (the record without a time must be dropped)", len(recs), len(want))
	}
	for i, w := range want {
		got := recs[i]
		if got.id != w.id || !got.t.Equal(w.r.Time) {
			t.Errorf("record %d: id %q at %v, want %q at %v", i, got.id, got.t, w.id, w.r.Time)
		}
		if !got.v.DisplayTime.Equal(w.disp) || got.v.DisplayTime.Format(time.RFC3339Nano) != w.disp.Format(time.RFC3339Nano) {
			t.Errorf("record %d: display time %v, want %v", i, got.v.DisplayTime, w.disp)
		}
		got.v.DisplayTime = time.Time{}
		if got.v != w.r {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got.v, w.r)
		}
		if got.v.Time.Location() != time.UTC {
			t.Errorf("record %d: Time not in UTC", i)
		}
	}
}

func TestDecodeEGVsV2Sample(t *testing.T) {
	recs, err := decodeEGVs(bytes.NewReader(sample(t, "egvs_v2.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := values(recs)
	if len(got) != 2 {
		t.Fatalf("got %d readings, want 2", len(got))
	}
	// Top-level mmol/L applies to every record: 5.6 → 101, 10.0 → 180.
	if got[0].Value != 101 || got[0].Trend != client.TrendFlat || got[0].Status != client.StatusOK {
		t.Errorf("first v2 reading = %+v, want 101 mg/dL flat ok", got[0])
	}
	if got[1].Value != 180 || got[1].Trend != client.TrendSingleDown {
		t.Errorf("second v2 reading = %+v, want 180 mg/dL singleDown", got[1])
	}
}

func TestDecodeEGVsEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []client.Reading // DisplayTime ignored
	}{
		{"empty body", ``, nil},
		{"null", `null`, nil},
		{"null records", `{"records":null}`, nil},
		{"bare array", `[{"systemTime":"2024-01-01T00:00:00","value":100}]`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 100, Status: client.StatusOK}}},
		{"value as string", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":"120","trend":"flat"}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 120, Status: client.StatusOK, Trend: client.TrendFlat}}},
		{"NaN and Inf as strings", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":"NaN","trendRate":"-Inf"}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Status: client.StatusUnknown}}},
		{"absurd numbers", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":1e308,"trendRate":1e308}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Status: client.StatusUnknown}}},
		{"negative value", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":-5}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Status: client.StatusUnknown}}},
		{"uppercase status", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":401,"status":"HIGH"}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 401, Status: client.StatusHigh}}},
		{"unknown status", `{"records":[{"systemTime":"2024-01-01T00:00:00","value":120,"status":"weird"}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 120, Status: client.StatusUnknown}}},
		{"wrong-typed fields", `{"records":[{"recordId":7,"systemTime":"2024-01-01T00:00:00","value":{"x":1},"status":5,"trend":["flat"],"unit":3}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Status: client.StatusUnknown}}},
		{"non-object record skipped", `{"records":[42,"x",{"systemTime":"2024-01-01T00:00:00","value":99}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 99, Status: client.StatusOK}}},
		{"system time missing, zoned display time", `{"records":[{"displayTime":"2024-01-01T01:00:00+01:00","value":99}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 99, Status: client.StatusOK}}},
		{"no usable time", `{"records":[{"displayTime":"2024-01-01T01:00:00","value":99}]}`, nil},
		{"escaped strings", `{"records":[{"systemTime":"2024\u002d01-01T00:00:00","value":99,"trend":"fl\u0061t"}]}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 99, Status: client.StatusOK, Trend: client.TrendFlat}}},
		{"unit after records (v2)", `{"egvs":[{"systemTime":"2024-01-01T00:00:00","value":5.5}],"unit":"mmol/L"}`,
			[]client.Reading{{Time: utc("2024-01-01T00:00:00"), Value: 99, Status: client.StatusOK}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decodeEGVs(strings.NewReader(tt.body))
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			got := values(recs)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d readings %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				got[i].DisplayTime = time.Time{}
				if got[i] != tt.want[i] {
					t.Errorf("reading %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDecodeBrokenJSON(t *testing.T) {
	bodies := map[string]string{
		"truncated":      `{"records":[{"systemTime":"2024-01-01T00:00:00","value":1`,
		"truncated list": `{"records":[{"systemTime":"2024-01-01T00:00:00"},`,
		"cut after key":  `{"records"`,
		"unclosed":       `{"records":[]`,
		"malformed":      `{"records":[{"systemTime":"2024-13-45T99:00:00","value":"12O",}`,
		"not json":       `<html>502 Bad Gateway</html>`,
		"records scalar": `{"records":5}`,
		"top scalar":     `17`,
	}
	decoders := map[string]func(string) error{
		"egvs":         func(s string) error { _, err := decodeEGVs(strings.NewReader(s)); return err },
		"events":       func(s string) error { _, err := decodeEvents(strings.NewReader(s)); return err },
		"calibrations": func(s string) error { _, err := decodeCalibrations(strings.NewReader(s)); return err },
		"alerts":       func(s string) error { _, err := decodeAlerts(strings.NewReader(s)); return err },
		"devices":      func(s string) error { _, err := decodeDevices(strings.NewReader(s)); return err },
	}
	for dn, decode := range decoders {
		for bn, body := range bodies {
			if err := decode(body); err == nil {
				t.Errorf("%s decoder accepted %s body %q", dn, bn, body)
			}
		}
	}
	for _, body := range []string{`{"egvs":{"start":`, `{"egvs"`, `nope`} {
		if _, err := decodeDataRange(strings.NewReader(body)); err == nil {
			t.Errorf("dataRange decoder accepted %q", body)
		}
	}
}

func TestDecodeEventsSample(t *testing.T) {
	recs, err := decodeEvents(bytes.NewReader(sample(t, "events_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := values(recs)
	if len(got) != 3 {
		t.Fatalf("got %d events, want 3", len(got))
	}
	checks := []struct {
		i                         int
		id, typ, sub, value, unit string
		deleted                   bool
	}{
		{0, "ev-3", "carbs", "", "45", "grams", false},
		{1, "ev-2", "insulin", "fastActing", "4.5", "units", true},
		{2, "ev-1", "unknown", "", "walk  [31mred [0m", "", false},
	}
	for _, c := range checks {
		e := got[c.i]
		if e.ID != c.id || e.Type != c.typ || e.SubType != c.sub || e.Value != c.value || e.Unit != c.unit || e.Deleted != c.deleted {
			t.Errorf("event %d = %+v, want id %s type %s sub %q value %q unit %q deleted %v", c.i, e, c.id, c.typ, c.sub, c.value, c.unit, c.deleted)
		}
	}
	if strings.ContainsRune(got[2].Value, 0x1b) {
		t.Error("an escape character from the server reached the event text")
	}
}

func TestDecodeCalibrationsSample(t *testing.T) {
	recs, err := decodeCalibrations(bytes.NewReader(sample(t, "calibrations_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := values(recs)
	want := []client.Calibration{
		{ID: "cal-2", Time: utc("2024-05-01T07:00:00"), Value: 99}, // 5.5 mmol/L
		{ID: "cal-1", Time: utc("2024-04-30T19:00:00"), Value: 104},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d calibrations %+v, want %d (the null one dropped)", len(got), got, len(want))
	}
	for i := range want {
		got[i].DisplayTime = time.Time{}
		if got[i] != want[i] {
			t.Errorf("calibration %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDecodeAlertsSample(t *testing.T) {
	recs, err := decodeAlerts(bytes.NewReader(sample(t, "alerts_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := values(recs)
	if len(got) != 2 || got[0].Name != "high" || got[0].State != "activeAlarming" || got[1].Name != "unknown" || got[1].ID != "al-1" {
		t.Errorf("alerts = %+v, want high/activeAlarming then unknown", got)
	}
}

func TestDecodeDevicesSamples(t *testing.T) {
	got, err := decodeDevices(bytes.NewReader(sample(t, "devices_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := []client.Device{
		{TransmitterID: "8ABC12", Generation: "g7", DisplayDevice: "iOS", DisplayApp: "G7", LastUpload: utc("2024-05-01T12:25:00")},
		{TransmitterID: "80XY34", Generation: "g6", DisplayDevice: "receiver", DisplayApp: "receiver", LastUpload: utc("2024-02-01T08:00:00")},
		{Generation: "unknown", DisplayDevice: "android"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d devices, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("device %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].HasCalibrations() || !got[1].HasCalibrations() {
		t.Error("G7 must report no calibrations and G6 must report them")
	}

	v2, err := decodeDevices(bytes.NewReader(sample(t, "devices_v2.json")))
	if err != nil {
		t.Fatal(err)
	}
	if len(v2) != 1 || v2[0].Generation != "g6" || !v2[0].LastUpload.Equal(utc("2019-03-01T08:10:00")) {
		t.Errorf("v2 devices = %+v, want one g6 device", v2)
	}
}

func TestDecodeDataRangeSamples(t *testing.T) {
	got, err := decodeDataRange(bytes.NewReader(sample(t, "dataRange_v3.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := client.DataRange{
		Readings:     client.Span{Start: utc("2024-02-01T00:00:00"), End: utc("2024-05-01T12:20:00")},
		Events:       client.Span{Start: utc("2024-02-03T12:00:00.5"), End: utc("2024-05-01T13:00:00")},
		Calibrations: client.Span{Start: utc("2024-03-01T00:00:00"), End: utc("2024-04-30T19:00:00")},
		LastSync:     utc("2024-05-01T12:26:00"),
	}
	if got != want {
		t.Errorf("dataRange =\n %+v\nwant\n %+v", got, want)
	}
	empty, err := decodeDataRange(bytes.NewReader(sample(t, "dataRange_empty.json")))
	if err != nil {
		t.Fatal(err)
	}
	if !empty.Readings.Empty() || !empty.Events.Empty() || !empty.Calibrations.Empty() || !empty.LastSync.IsZero() {
		t.Errorf("empty dataRange = %+v, want all spans empty", empty)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in    string
		want  string // RFC3339Nano of the result; "" = rejected
		zoned bool
	}{
		{"2024-05-01T12:00:00", "2024-05-01T12:00:00Z", false},
		{"2024-05-01 12:00:00", "2024-05-01T12:00:00Z", false},
		{"2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z", true},
		{"2024-05-01T12:00:00.5", "2024-05-01T12:00:00.5Z", false},
		{"2024-05-01T12:00:00.123456789123", "2024-05-01T12:00:00.123456789Z", false},
		{"2024-05-01T05:00:00-07:00", "2024-05-01T05:00:00-07:00", true},
		{"2024-05-01T05:00:00.250+0530", "2024-05-01T05:00:00.25+05:30", true},
		{"2024-05-01T05:00:00+02", "2024-05-01T05:00:00+02:00", true},
		{"2024-02-29T00:00:00", "2024-02-29T00:00:00Z", false},
		{"2023-02-29T00:00:00", "", false},
		{"2024-13-01T00:00:00", "", false},
		{"2024-05-01T24:00:00", "", false},
		{"2024-05-01T12:00:60", "", false},
		{"2024-05-01T12:00:00.", "", false},
		{"2024-05-01T12:00:00+25:00", "", false},
		{"2024-05-01T12:00:00 junk", "", false},
		{"2024-05-01", "", false},
		{"", "", false},
		{"２０２４-05-01T12:00:00", "", false},
	}
	for _, tt := range tests {
		got, zoned, ok := parseTime([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("parseTime(%q) = %v, want rejection", tt.in, got)
			}
			continue
		}
		if !ok || got.Format(time.RFC3339Nano) != tt.want || zoned != tt.zoned {
			t.Errorf("parseTime(%q) = %v, zoned %v, ok %v; want %s, zoned %v", tt.in, got.Format(time.RFC3339Nano), zoned, ok, tt.want, tt.zoned)
		}
	}
}
