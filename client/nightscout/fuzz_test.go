package nightscout

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/cgmtop/cgmtop/client"
)

// addSamples seeds a fuzz target with the recorded bodies in testdata
// whose names start with prefix, plus shapes every decoder must survive.
// Go also reads testdata/fuzz/<target>/ by itself.
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
	for _, s := range []string{``, `null`, `[]`, `{}`, `[{}]`, `[null,1,"x",[]]`, `[{"date":1e400}]`, `[{"date":-1,"sgv":"NaN"}]`} {
		f.Add([]byte(s))
	}
}

func printableAll(t *testing.T, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Fatalf("control character in %q", s)
		}
	}
}

func plausibleTime(t *testing.T, at time.Time) {
	t.Helper()
	if at.IsZero() || at.Location() != time.UTC || at.Year() < 2000 || at.Year() > 2200 {
		t.Fatalf("implausible time %v", at)
	}
}

func FuzzDecodeEntries(f *testing.F) {
	addSamples(f, "entries")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, cals, err := decodeEntries(bytes.NewReader(body))
		if err != nil {
			return
		}
		if len(p.items)+len(cals) > p.rows {
			t.Fatalf("%d records from %d rows", len(p.items)+len(cals), p.rows)
		}
		for _, r := range p.items {
			plausibleTime(t, r.Time)
			if r.Value < 0 || r.Value > maxMgdl || (r.Known() && r.Value < 40) {
				t.Fatalf("value %d", r.Value)
			}
			if r.Trend > client.TrendRateOutOfRange {
				t.Fatalf("trend %d", r.Trend)
			}
		}
		for _, c := range cals {
			plausibleTime(t, c.Time)
			printableAll(t, c.ID)
		}
	})
}

func FuzzDecodeTreatments(f *testing.F) {
	addSamples(f, "treatments")
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeTreatments(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, e := range p.items {
			plausibleTime(t, e.Time)
			printableAll(t, e.ID, e.Type, e.SubType, e.Value, e.Unit)
		}
	})
}

func FuzzDecodeDeviceStatus(f *testing.F) {
	addSamples(f, "devicestatus")
	f.Fuzz(func(t *testing.T, body []byte) {
		ds, err := decodeDeviceStatus(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, d := range ds {
			plausibleTime(t, d.LastUpload)
			printableAll(t, d.DisplayApp, d.DisplayDevice, d.Generation)
			if d.Battery < 0 || d.Battery > 100 || math.IsNaN(d.IOB) || math.IsNaN(d.COB) {
				t.Fatalf("device %+v", d)
			}
		}
	})
}

func FuzzDecodeStatus(f *testing.F) {
	addSamples(f, "status")
	f.Fuzz(func(t *testing.T, body []byte) {
		s, _ := decodeStatus(bytes.NewReader(body))
		printableAll(t, append([]string{s.Name, s.Version, s.Subject}, s.Permissions...)...)
	})
}
