package statusline

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the fixed clock of the golden tests.
var now = time.Date(2025, 3, 14, 14, 30, 0, 0, time.UTC)

func reading(ago time.Duration, mgdl int, trend client.Trend) client.Reading {
	t := now.Add(-ago)
	return client.Reading{Time: t, DisplayTime: t, Value: mgdl, Status: client.StatusOK, Trend: trend}
}

func pair(ago time.Duration, mgdl, prev int, trend client.Trend) cache.Freshness {
	return cache.Freshness{
		Latest:   reading(ago, mgdl, trend),
		Previous: reading(ago+5*time.Minute, prev, trend),
		Sync:     cache.SyncStatus{LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), NextPoll: now.Add(4 * time.Minute)},
	}
}

func baseInput(f cache.Freshness) Input {
	cfg := config.Default()
	return Input{Fresh: f, LoggedIn: true, Now: now, Unit: client.MgDL, Thresholds: cfg.Thresholds,
		StaleAfter: cfg.StaleAfter(), Color: true}
}

// goldenStates are the states every format is drawn in.
func goldenStates() []struct {
	name   string
	in     Input
	urgent bool
} {
	type st = struct {
		name   string
		in     Input
		urgent bool
	}
	sensorHigh := pair(3*time.Minute, 400, 390, client.TrendNone)
	sensorHigh.Latest.Status = client.StatusHigh
	sensorLow := pair(3*time.Minute, 40, 45, client.TrendNone)
	sensorLow.Latest.Status = client.StatusLow
	gap := pair(2*time.Minute, 150, 140, client.TrendFortyFiveUp)
	gap.Previous.Time = gap.Latest.Time.Add(-20 * time.Minute)
	failingStale := pair(42*time.Minute, 112, 110, client.TrendFlat)
	failingStale.Sync = cache.SyncStatus{LastAttempt: now.Add(-time.Minute), LastSuccess: now.Add(-43 * time.Minute),
		LastError: "fetch readings: dial tcp: lookup api.dexcom.com: no such host"}
	authNoData := cache.Freshness{Sync: cache.SyncStatus{LastAttempt: now.Add(-time.Minute), LastError: client.ErrUnauthorized.Error()}}
	rateFresh := pair(4*time.Minute, 112, 109, client.TrendFlat)
	rateFresh.Sync.LastError = (&client.RateLimitError{}).Error()

	mmol := baseInput(pair(4*time.Minute, 112, 109, client.TrendFlat))
	mmol.Unit = client.MmolL
	ascii := baseInput(pair(4*time.Minute, 95, 103, client.TrendFortyFiveDown))
	ascii.ASCII = true
	nocolor := baseInput(pair(4*time.Minute, 112, 109, client.TrendFlat))
	nocolor.Color = false
	nocolorStale := baseInput(pair(42*time.Minute, 112, 109, client.TrendFlat))
	nocolorStale.Color = false
	loggedOut := baseInput(cache.Freshness{})
	loggedOut.LoggedIn = false
	cacheErr := baseInput(cache.Freshness{})
	cacheErr.CacheError = true

	return []st{
		{"ok", baseInput(pair(4*time.Minute, 112, 109, client.TrendFlat)), false},
		{"ok-just-now", baseInput(pair(20*time.Second, 112, 112, client.TrendFlat)), false},
		{"ok-low", baseInput(pair(4*time.Minute, 65, 72, client.TrendSingleDown)), true},
		{"ok-urgent-low", baseInput(pair(4*time.Minute, 50, 58, client.TrendDoubleDown)), true},
		{"ok-high", baseInput(pair(4*time.Minute, 210, 200, client.TrendSingleUp)), false},
		{"ok-very-high", baseInput(pair(4*time.Minute, 280, 270, client.TrendDoubleUp)), true},
		{"ok-sensor-high", baseInput(sensorHigh), true},
		{"ok-sensor-low", baseInput(sensorLow), true},
		{"ok-no-delta", baseInput(gap), false},
		{"ok-mmol", mmol, false},
		{"ok-ascii", ascii, false},
		{"ok-sync-failing", baseInput(rateFresh), false},
		{"ok-nocolor", nocolor, false},
		{"stale", baseInput(pair(42*time.Minute, 112, 109, client.TrendFlat)), false},
		{"stale-nocolor", nocolorStale, false},
		{"stale-low", baseInput(pair(3*time.Hour, 60, 64, client.TrendFortyFiveDown)), false},
		{"failing-stale", baseInput(failingStale), false},
		{"failing-auth", baseInput(authNoData), false},
		{"failing-cache", cacheErr, false},
		{"no-data", baseInput(cache.Freshness{}), false},
		{"logged-out", loggedOut, false},
	}
}

func TestGolden(t *testing.T) {
	for _, st := range goldenStates() {
		for _, f := range Formats {
			t.Run(st.name+"/"+string(f), func(t *testing.T) {
				out, code := Render(st.in, f)
				checkGolden(t, filepath.Join("testdata", st.name+"."+string(f)+".golden"), out)
				want := 0
				if f == I3blocks && st.urgent {
					want = ExitUrgent
				}
				if code != want {
					t.Errorf("exit code %d, want %d", code, want)
				}
				checkShape(t, f, st.in, out)
			})
		}
	}
}

// checkShape holds every format to its consumer's rules, whatever the golden
// file says: one line, never blank, never raw ANSI, valid JSON where JSON.
func checkShape(t *testing.T, f Format, in Input, out []byte) {
	t.Helper()
	s := string(out)
	if !strings.HasSuffix(s, "\n") || strings.TrimSpace(s) == "" {
		t.Fatalf("output %q: want a non-blank, newline-terminated line", s)
	}
	if strings.ContainsRune(s, '\x1b') {
		t.Errorf("output %q holds a raw escape sequence", s)
	}
	lines := strings.Count(s, "\n")
	switch f {
	case I3blocks:
		if want := map[bool]int{true: 3, false: 2}[in.Color]; lines != want {
			t.Errorf("i3blocks printed %d lines, want %d", lines, want)
		}
	default:
		if lines != 1 {
			t.Errorf("printed %d lines, want 1", lines)
		}
	}
	switch f {
	case JSON, Waybar:
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Errorf("not JSON: %v", err)
		}
		if f == Waybar {
			for _, k := range []string{"text", "tooltip", "class", "percentage"} {
				if _, ok := v[k]; !ok {
					t.Errorf("waybar output lacks %q", k)
				}
			}
		}
	case Prompt:
		if strings.Contains(s, "%") {
			t.Errorf("prompt output %q holds a character a shell prompt expands", s)
		}
	}
	if !in.Color && strings.Contains(s, "#[") || !in.Color && strings.Contains(s, "%{F") {
		t.Errorf("NO_COLOR output %q is styled", s)
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./statusline -run TestGolden -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s\n got: %q\nwant: %q", path, got, want)
	}
}

// Every state must read differently in plain text: the point of the states
// is that a glance tells them apart.
func TestStatesAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, st := range goldenStates() {
		d := Build(st.in)
		if d.HasReading {
			continue // readings differ by value; the states below have none
		}
		if prev, dup := seen[d.Text]; dup {
			t.Errorf("%s and %s both print %q", prev, st.name, d.Text)
		}
		seen[d.Text] = st.name
	}
	if len(seen) < 4 {
		t.Errorf("only %d reading-less states: %v", len(seen), seen)
	}
}

func TestTmuxEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"112 → +3", "112 → +3"},
		{"#", "##"},
		{"a#b", "a##b"},
		{"##", "####"},
		{"#[fg=red]", "##[fg=red]"},
		{"#{cgmtop}", "##{cgmtop}"},
		{"#(rm -rf ~)", "##(rm -rf ~)"},
	} {
		if got := TmuxEscape(tc.in); got != tc.want {
			t.Errorf("TmuxEscape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A '#' that reaches the line (here through a sync error the engine wrote)
// must come out escaped in the tmux format, styled or not.
func TestTmuxEscapesText(t *testing.T) {
	in := baseInput(cache.Freshness{})
	in.CacheError = true
	for _, color := range []bool{true, false} {
		in.Color = color
		d := Build(in)
		d.Text += " #{host}"
		got := tmuxLine(d, color)
		if !strings.Contains(got, "##{host}") || strings.Contains(strings.ReplaceAll(got, "##", ""), "#{") {
			t.Errorf("color=%v: %q leaves '#' unescaped", color, got)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		got, err := ParseFormat(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("html"); err == nil || !strings.Contains(err.Error(), "waybar") {
		t.Errorf("ParseFormat(html) error %v: want one that lists the formats", err)
	}
}

func TestTemplate(t *testing.T) {
	in := baseInput(pair(4*time.Minute, 112, 109, client.TrendFlat))
	for _, tc := range []struct{ tmpl, want string }{
		{"{{.Value}} {{.Arrow}}", "112 →\n"},
		{"{{.Value}}{{.Unit}} {{.Delta}} {{.Age}} {{.Time}}", "112mg/dL +3 4m 14:26\n"},
		{`{{if eq .Status "ok"}}{{.Class}}{{end}}`, "in-range\n"},
		{"{{.Text}}\n", "112 → +3 4m\n"},
		{"{{.Stale}} {{.Reason}}|", "false |\n"},
	} {
		tm, err := ParseTemplate(tc.tmpl)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tc.tmpl, err)
		}
		got, err := RenderTemplate(in, tm)
		if err != nil || string(got) != tc.want {
			t.Errorf("template %q = %q, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
	for _, bad := range []string{"{{.Valeu}}", "{{.Value", "{{template \"x\"}}"} {
		if _, err := ParseTemplate(bad); err == nil {
			t.Errorf("ParseTemplate(%q) accepted a broken template", bad)
		}
	}
}
