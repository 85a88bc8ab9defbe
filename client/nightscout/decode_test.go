package nightscout

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func readTestdata(t *testing.T, name string) *strings.Reader {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(string(b))
}

// The testdata bodies were recorded from a real Nightscout 15.0.7 (the
// shared kit) after posting the odd shapes uploaders send.
func TestDecodeRecordedEntries(t *testing.T) {
	p, cals, err := decodeEntries(readTestdata(t, "entries_db.json"))
	if err != nil {
		t.Fatal(err)
	}
	if p.rows != 8 || len(p.items) != 7 || len(cals) != 1 {
		t.Fatalf("rows %d, readings %d, calibrations %d; want 8, 7, 1", p.rows, len(p.items), len(cals))
	}
	byValue := map[int]client.Reading{}
	for _, r := range p.items {
		byValue[r.Value] = r
		if r.Time.Location() != time.UTC {
			t.Errorf("reading at %v is not UTC", r.Time)
		}
	}
	// A fractional date, and no dateString at all: whole seconds, the
	// cache's key.
	frac := byValue[131]
	if want := time.UnixMilli(1796191252000).UTC(); !frac.Time.Equal(want) {
		t.Errorf("fractional date: got %v, want %v", frac.Time, want)
	}
	// 39 is LOW; the server moved sysTime 4 h by a colon-less dateString,
	// but date is right and wins.
	low := byValue[40]
	if low.Status != client.StatusLow || low.Trend != client.TrendNotComputable {
		t.Errorf("sgv 39: got status %v trend %v, want low, notComputable", low.Status, low.Trend)
	}
	if want := time.UnixMilli(1796187712000).UTC(); !low.Time.Equal(want) {
		t.Errorf("sgv 39 time %v, want %v (from date, not sysTime)", low.Time, want)
	}
	if _, off := low.DisplayTime.Zone(); off != -4*3600 {
		t.Errorf("utcOffset -240 gave display offset %d s", off)
	}
	// sgv 5 is a Dexcom error code: a reading with no number.
	var code *client.Reading
	for i := range p.items {
		if p.items[i].Status == client.StatusUnknown {
			code = &p.items[i]
		}
	}
	if code == nil || code.Known() {
		t.Errorf("sgv 5 should decode as a reading with no value, got %+v", code)
	}
	if cals[0].Value != 112 {
		t.Errorf("mbg 112 decoded as %d", cals[0].Value)
	}
	if p.newest != 1796191252123.456 {
		t.Errorf("newest = %v", p.newest)
	}
}

func TestDecodeMemoryEntriesHaveMills(t *testing.T) {
	p, _, err := decodeEntries(readTestdata(t, "entries_memory.json"))
	if err != nil || len(p.items) == 0 {
		t.Fatalf("got %d readings, %v", len(p.items), err)
	}
}

func TestEntryTimeFallbacks(t *testing.T) {
	want := time.Date(2026, 12, 2, 4, 7, 31, 0, time.UTC)
	for _, body := range []string{
		`[{"sgv":141,"date":1796184451000}]`,
		`[{"sgv":141,"mills":1796184451000}]`,
		`[{"sgv":141,"dateString":"2026-12-02T04:07:31.000Z"}]`,
		`[{"sgv":141,"dateString":"2026-12-02T00:07:31.000-0400"}]`,
		`[{"sgv":141,"dateString":"2026-12-02T00:07:31-04:00"}]`,
		`[{"sgv":"141","sysTime":"2026-12-02T04:07:31Z","type":"sgv"}]`,
		`[{"sgv":141,"date":"1796184451000"}]`,
	} {
		p, _, err := decodeEntries(strings.NewReader(body))
		if err != nil || len(p.items) != 1 {
			t.Errorf("%s: %d readings, %v", body, len(p.items), err)
			continue
		}
		if r := p.items[0]; !r.Time.Equal(want) || r.Value != 141 {
			t.Errorf("%s: got %v %d", body, r.Time, r.Value)
		}
	}
	for _, body := range []string{`[{"sgv":141}]`, `[{"sgv":141,"date":17961844510}]`, `[{"sgv":141,"date":"soon"}]`, `[{"type":"cal","date":1796184451000}]`} {
		if p, _, _ := decodeEntries(strings.NewReader(body)); len(p.items) != 0 {
			t.Errorf("%s: got a reading from an entry with no usable time or value", body)
		}
	}
}

func TestTrendNames(t *testing.T) {
	tests := map[string]client.Trend{
		`"direction":"DoubleUp"`:          client.TrendDoubleUp,
		`"direction":"TripleDown"`:        client.TrendDoubleDown,
		`"direction":"fortyfiveup"`:       client.TrendFortyFiveUp,
		`"direction":"NOT COMPUTABLE"`:    client.TrendNotComputable,
		`"direction":"RATE OUT OF RANGE"`: client.TrendRateOutOfRange,
		`"direction":"NONE"`:              client.TrendNone,
		`"direction":"Sideways"`:          client.TrendUnknown,
		`"trend":4`:                       client.TrendFlat,
		`"trend":7`:                       client.TrendDoubleDown,
		`"trend":12`:                      client.TrendUnknown,
		`"direction":null`:                client.TrendUnknown,
	}
	for field, want := range tests {
		p, _, err := decodeEntries(strings.NewReader(`[{"sgv":100,"date":1796184451000,` + field + `}]`))
		if err != nil || len(p.items) != 1 {
			t.Fatalf("%s: %v", field, err)
		}
		if got := p.items[0].Trend; got != want {
			t.Errorf("%s: trend %v, want %v", field, got, want)
		}
	}
}

func TestDecodeRecordedTreatments(t *testing.T) {
	p, err := decodeTreatments(readTestdata(t, "treatments.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range p.items {
		got[e.Type] = append(got[e.Type], e.Value+" "+e.Unit)
		if strings.ContainsRune(e.Value, 0x1b) {
			t.Errorf("escape character reached an event: %q", e.Value)
		}
	}
	want := map[string][]string{
		"bloodGlucose": {"6.2 mmol/L"},
		"insulin":      {"1.5 units", "4.5 units"},
		"notes":        {"pump  [31msite "},
		"carbs":        {"45 grams"},
		"exercise":     {"40 minutes"},
	}
	for typ, vals := range want {
		if strings.Join(got[typ], "|") != strings.Join(vals, "|") {
			t.Errorf("%s: got %q, want %q", typ, got[typ], vals)
		}
	}
	if len(got) != len(want) {
		t.Errorf("event types %v; the temp basal must not be one", got)
	}
}

func TestDecodeRecordedDeviceStatus(t *testing.T) {
	ds, err := decodeDeviceStatus(readTestdata(t, "devicestatus.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("got %d devices, want 3: %+v", len(ds), ds)
	}
	loop, aaps, seed := ds[0], ds[1], ds[2]
	if loop.DisplayApp != "loop" || loop.DisplayDevice != "iPhone" || loop.Battery != 64 || !loop.HasIOB || loop.IOB != 2.31 || !loop.HasCOB || loop.COB != 22 {
		t.Errorf("loop: %+v", loop)
	}
	if aaps.DisplayApp != "openaps" || aaps.Battery != 55 || aaps.IOB != 1.2 || aaps.COB != 10 {
		t.Errorf("openaps: %+v", aaps)
	}
	if seed.DisplayDevice != "nskit-seed" || seed.Battery != 77 || seed.HasIOB || seed.HasCOB {
		t.Errorf("uploader: %+v", seed)
	}
}

func TestDecodeRecordedStatus(t *testing.T) {
	s, err := decodeStatus(readTestdata(t, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Units != client.MgDL || !s.UnitsSet || s.Version != "15.0.7" || s.Subject != "nskit-reader" ||
		s.Thresholds != (Thresholds{High: 260, TargetTop: 180, TargetBottom: 80, Low: 55}) || s.ServerTime.IsZero() {
		t.Errorf("status: %+v", s)
	}
	if len(s.Permissions) != 1 || s.Permissions[0] != "*:*:read" {
		t.Errorf("permissions %q", s.Permissions)
	}
	mmol, err := decodeStatus(strings.NewReader(`{"status":"ok","settings":{"units":"mmol","thresholds":{"bgHigh":14.4,"bgLow":3.1}}}`))
	if err != nil || mmol.Units != client.MmolL || mmol.Thresholds.High != 259 || mmol.Thresholds.Low != 56 {
		t.Errorf("mmol status: %+v %v", mmol, err)
	}
}
