package report

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/theme"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii) // what a pipe gets
	os.Exit(m.Run())
}

var testEnd = time.Date(2025, 3, 14, 14, 5, 0, 0, time.UTC)

// testProfile is 14 days from a real cache: a daily curve, a HIGH
// afternoon, a LOW night and a day without the sensor.
func testProfile(t testing.TB, days int) *agp.Profile {
	t.Helper()
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(t.TempDir(), "a", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var rs []client.Reading
	plus1 := time.FixedZone("", 3600)
	for ts := testEnd.Add(-time.Duration(days) * 24 * time.Hour); ts.Before(testEnd); ts = ts.Add(5 * time.Minute) {
		age := testEnd.Sub(ts)
		if age > 5*24*time.Hour && age < 6*24*time.Hour {
			continue
		}
		h := float64(ts.Unix()%86400) / 3600
		r := client.Reading{Time: ts, DisplayTime: ts.In(plus1), Status: client.StatusOK,
			Value: int(140 + 60*math.Sin(h/24*2*math.Pi) + 25*math.Sin(float64(ts.Unix())/7000))}
		switch {
		case age > 3*24*time.Hour && age < 3*24*time.Hour+2*time.Hour:
			r.Status, r.Value = client.StatusHigh, 0
		case age > 8*24*time.Hour && age < 8*24*time.Hour+time.Hour:
			r.Status, r.Value = client.StatusLow, 0
		}
		rs = append(rs, r)
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	from, to := agp.LastDays(testEnd, days, time.UTC)
	p, err := agp.Build(ctx, db, from, to, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHTMLSelfContained proves the page makes no request of its own: no
// scripts, no links, no external URLs, no resources to fetch.
func TestHTMLSelfContained(t *testing.T) {
	p := testProfile(t, 14)
	for _, u := range []client.Unit{client.MgDL, client.MmolL} {
		var b bytes.Buffer
		if err := HTML(&b, p, u, testEnd); err != nil {
			t.Fatal(err)
		}
		page := strings.ToLower(b.String())
		for _, bad := range []string{"<script", "http:", "https:", "//", "src=", "href=", "url(", "@import", "<link", "<iframe", "<object", "<embed", "<img", "<base", "srcset", "javascript:"} {
			if bad == "//" {
				// Any protocol-relative URL would start with "//" in an
				// attribute; the page has none anywhere.
				if strings.Contains(page, "=\"//") || strings.Contains(page, "='//") {
					t.Errorf("%s page has a protocol-relative URL", u)
				}
				continue
			}
			if strings.Contains(page, bad) {
				t.Errorf("%s page contains %q", u, bad)
			}
		}
		for _, want := range []string{"<svg", "<polygon class=\"outer\"", "<polyline class=\"median\"", "@page", u.String()} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s page lacks %q", u, want)
			}
		}
	}
}

func TestTextFits80WithoutColour(t *testing.T) {
	for _, days := range []int{1, 14, 90} {
		p := testProfile(t, days)
		for _, st := range []Style{
			{Theme: theme.NoColor(), Unit: client.MgDL},
			{Theme: theme.NoColor(), Unit: client.MmolL, ASCII: true},
			{Theme: theme.Dark(), Unit: client.MgDL}, // a colour theme, piped: the Ascii profile drops it
		} {
			var b bytes.Buffer
			if err := Text(&b, p, st, testEnd); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.Contains(out, "\x1b") {
				t.Errorf("%dd %s: escape codes in piped text", days, st.Theme.Name)
			}
			for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if w := lipgloss.Width(l); w > TextWidth {
					t.Errorf("%dd %s line %d is %d cells: %q", days, st.Theme.Name, i, w, l)
				}
			}
			if !strings.Contains(out, st.Unit.String()) || !strings.Contains(out, "Days with data") {
				t.Errorf("%dd: text lacks the unit or metrics:\n%s", days, out)
			}
			if days == 14 && st.Unit == client.MgDL && st.Theme.Name == "no-color" {
				t.Logf("14-day text report:\n%s", out)
			}
		}
	}
}

// TestJSONUnits: the same period in both units gives the same counts and
// the same glucose, converted.
func TestJSONUnits(t *testing.T) {
	p := testProfile(t, 14)
	decode := func(u client.Unit) jsonReport {
		var b bytes.Buffer
		if err := JSON(&b, p, u, testEnd); err != nil {
			t.Fatal(err)
		}
		var r jsonReport
		if err := json.Unmarshal(b.Bytes(), &r); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		return r
	}
	mg, mmol := decode(client.MgDL), decode(client.MmolL)
	if mg.Readings != p.Summary.Count || mmol.Readings != mg.Readings || mg.DaysWithData != p.DaysWithData() {
		t.Errorf("readings %d/%d, days %d; profile %d, %d", mg.Readings, mmol.Readings, mg.DaysWithData, p.Summary.Count, p.DaysWithData())
	}
	if math.Abs(*mmol.Mean-*mg.Mean/client.MgdlPerMmol) > 0.01 || *mmol.GMI != *mg.GMI || *mmol.CV != *mg.CV {
		t.Errorf("mean %v mmol/L vs %v mg/dL; GMI %v/%v; CV %v/%v", *mmol.Mean, *mg.Mean, *mmol.GMI, *mg.GMI, *mmol.CV, *mg.CV)
	}
	sum := 0
	for i, r := range mg.Ranges {
		sum += r.Percent
		if r.Readings != mmol.Ranges[i].Readings {
			t.Errorf("range %s: %d vs %d readings", r.Name, r.Readings, mmol.Ranges[i].Readings)
		}
	}
	if sum != 100 {
		t.Errorf("range percents add up to %d", sum)
	}
	if len(mg.Profile) != agp.BinsPerDay {
		t.Fatalf("%d profile slots", len(mg.Profile))
	}
	for i, s := range mg.Profile {
		if s.P50 == nil {
			continue
		}
		if got := *mmol.Profile[i].P50; math.Abs(got-*s.P50/client.MgdlPerMmol) > 0.006 {
			t.Errorf("%s median %v mmol/L, %v mg/dL", s.Time, got, *s.P50)
		}
		if *s.P5 > *s.P25 || *s.P25 > *s.P50 || *s.P50 > *s.P75 || *s.P75 > *s.P95 {
			t.Errorf("%s percentiles out of order: %v %v %v %v %v", s.Time, *s.P5, *s.P25, *s.P50, *s.P75, *s.P95)
		}
	}
}

// BenchmarkReport90Days is `cgmtop report` on 90 days without the
// process: the streaming read, then each format.
func BenchmarkReport90Days(b *testing.B) {
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(b.TempDir(), "a", "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var rs []client.Reading
	for ts := testEnd.Add(-90 * 24 * time.Hour); ts.Before(testEnd); ts = ts.Add(5 * time.Minute) {
		rs = append(rs, client.Reading{Time: ts, Status: client.StatusOK, Value: 60 + int(ts.Unix()/300*37%250)})
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		b.Fatal(err)
	}
	from, to := agp.LastDays(testEnd, 90, time.UTC)
	for _, f := range []string{"text", "json", "html"} {
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				p, err := agp.Build(ctx, db, from, to, time.UTC)
				if err != nil {
					b.Fatal(err)
				}
				var out bytes.Buffer
				switch f {
				case "text":
					err = Text(&out, p, Style{Theme: theme.NoColor()}, testEnd)
				case "json":
					err = JSON(&out, p, client.MgDL, testEnd)
				case "html":
					err = HTML(&out, p, client.MgDL, testEnd)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
