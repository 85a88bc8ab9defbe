package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
)

// fillAccountCache writes 14 days ending now into the default account's
// cache under the isolated env: 4,032 five-minute slots minus a 6-hour
// gap, with HIGH and LOW runs, and two events. It returns how many
// readings and events it stored.
func fillAccountCache(t *testing.T, env []string) (readings, events int) {
	t.Helper()
	var home string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			home = v
		}
	}
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(home, "cgmtop", "accounts", "default", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().Truncate(5 * time.Minute)
	var rs []client.Reading
	for i := 0; i < 14*288; i++ {
		ts := now.Add(-time.Duration(i) * 5 * time.Minute)
		if i >= 500 && i < 572 {
			continue // six hours without the sensor
		}
		r := client.Reading{Time: ts, DisplayTime: ts.Local(), Value: 90 + (i*13)%180, Status: client.StatusOK, Trend: client.TrendFlat}
		switch {
		case i%300 < 3:
			r.Status, r.Value = client.StatusHigh, 0
		case i%300 >= 150 && i%300 < 154:
			r.Status, r.Value = client.StatusLow, 0
		}
		rs = append(rs, r)
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	es := []client.Event{
		{ID: "a", Time: now.Add(-time.Hour), Type: "carbs", Value: "30", Unit: "grams"},
		{ID: "b", Time: now.Add(-2 * time.Hour), Type: "insulin", SubType: "fastActing", Value: "4", Unit: "units"},
	}
	if err := db.PutEvents(ctx, es); err != nil {
		t.Fatal(err)
	}
	return len(rs), len(es)
}

func TestReportAndExportCommands(t *testing.T) {
	env := isolatedEnv(t)
	nReadings, nEvents := fillAccountCache(t, env)

	t.Run("text in a pipe", func(t *testing.T) {
		for _, e := range [][]string{env, append(env, "NO_COLOR=1")} {
			out, errs, code := runCgmtop(t, e, "report")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if strings.Contains(out, "\x1b") {
				t.Error("escape codes in piped text")
			}
			for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if n := utf8.RuneCountInString(l); n > 80 {
					t.Errorf("line %d is %d runes: %q", i, n, l)
				}
			}
			for _, want := range []string{"Ambulatory Glucose Profile", "(14 days)", "Days with data 14 of 14", "In range", "median"} {
				if !strings.Contains(out, want) {
					t.Errorf("text lacks %q:\n%s", want, out)
				}
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		out, errs, code := runCgmtop(t, env, "report", "--days", "7", "--format", "json", "--units", "mmol")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var r struct {
			Days     int    `json:"days"`
			Unit     string `json:"unit"`
			Readings int    `json:"readings"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Days != 7 || r.Unit != "mmol/L" || r.Readings < 6*288 {
			t.Errorf("%+v", r)
		}
	})

	t.Run("html", func(t *testing.T) {
		out, errs, code := runCgmtop(t, env, "report", "--format", "html")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "http:", "https:", "src=", "href=", "url("} {
			if strings.Contains(low, bad) {
				t.Errorf("page contains %q", bad)
			}
		}
		if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg") {
			t.Errorf("not an HTML page with an SVG: %.200s", out)
		}
	})

	t.Run("export csv", func(t *testing.T) {
		out, errs, code := runCgmtop(t, env, "export", "--units", "mmol/L")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+nReadings+nEvents {
			t.Errorf("%d rows, want header + %d readings + %d events", len(rows), nReadings, nEvents)
		}
		high := 0
		for _, r := range rows[1:] {
			if r[5] == "high" {
				high++
			}
			if r[0] == "reading" && !strings.HasSuffix(r[1], "Z") {
				t.Fatalf("time_utc %q is not UTC", r[1])
			}
		}
		if high == 0 {
			t.Error("no HIGH reading exported")
		}
	})

	t.Run("export jsonl events", func(t *testing.T) {
		out, errs, code := runCgmtop(t, env, "export", "--format", "jsonl", "--what", "events", "--days", "1")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if n := strings.Count(out, "\n"); n != nEvents || !strings.Contains(out, `"event_type":"insulin"`) {
			t.Errorf("%d lines:\n%s", n, out)
		}
	})

	t.Run("mistakes", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			code int
			msg  string
		}{
			{[]string{"report", "--days", "91"}, 2, "use 1 to 90"},
			{[]string{"report", "--format", "pdf"}, 2, "use text, json or html"},
			{[]string{"report", "--from", "2025-13-01"}, 2, "want a date like"},
			{[]string{"report", "--from", "2030-01-02", "--to", "2030-01-01"}, 2, "is empty"},
			{[]string{"export", "--format", "xml"}, 2, "use csv or jsonl"},
			{[]string{"report", "--account", "nobody"}, 1, "run `cgmtop sync`"},
		} {
			_, errs, code := runCgmtop(t, env, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.msg) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Errorf("%v: exit %d, %q; want exit %d and one line with %q", tt.args, code, errs, tt.code, tt.msg)
			}
		}
	})
}
