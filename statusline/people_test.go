package statusline

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// fourPeople are the acceptance's people: one in range, one urgent low, one
// stale, one logged out, with names that every markup would misread.
func fourPeople(color bool) []Person {
	ana := baseInput(pair(3*time.Minute, 112, 110, client.TrendFlat))
	ana.Account, ana.Name = "ana", "Ana"
	ben := baseInput(pair(time.Minute, 52, 60, client.TrendSingleDown))
	ben.Account, ben.Name = "ben", "B#[fg=red]en"
	cy := baseInput(pair(42*time.Minute, 245, 240, client.TrendSingleUp))
	cy.Account, cy.Name = "cy", "<b>Cy</b> & 100%"
	dan := baseInput(cache.Freshness{})
	dan.Account, dan.LoggedIn = "dan", false
	ins := []Input{ana, ben, cy, dan}
	for i := range ins {
		ins[i].Color = color
	}
	return PeopleFrom(ins...)
}

// TestRenderAllGolden draws the four people in every format, with and
// without colour; the goldens are read by eye (testdata/people-*.golden).
func TestRenderAllGolden(t *testing.T) {
	for _, color := range []bool{true, false} {
		for _, f := range Formats {
			out, code := RenderAll(fourPeople(color), f)
			if want := map[bool]int{true: ExitUrgent, false: 0}[f == I3blocks]; code != want {
				t.Errorf("%s: exit %d, want %d", f, code, want)
			}
			name := "people-" + string(f)
			if !color {
				name += "-nocolor"
			}
			golden(t, name, out)
		}
	}
}

// golden compares out with testdata/NAME.golden (rewritten with -update).
func golden(t *testing.T, name string, out []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != string(out) {
		t.Errorf("%s:\n got %q\nwant %q", name, out, want)
	}
}

// TestRenderAllEscapesNames: a name is user text and must stay text in
// every consumer's markup.
func TestRenderAllEscapesNames(t *testing.T) {
	people := fourPeople(true)
	tmux, _ := RenderAll(people, Tmux)
	if strings.Contains(string(tmux), "B#[fg=red]en") || !strings.Contains(string(tmux), "B##[fg=red]en") {
		t.Errorf("tmux: the name's # is not escaped: %q", tmux)
	}
	// Every '#' tmux sees starts a style we wrote or is doubled.
	s := strings.ReplaceAll(string(tmux), "##", "")
	for i := strings.IndexByte(s, '#'); i >= 0; i = strings.IndexByte(s, '#') {
		if !strings.HasPrefix(s[i:], "#[") {
			t.Fatalf("tmux: a lone # at %q", s[i:])
		}
		s = s[i+2:]
	}
	poly, _ := RenderAll(people, Polybar)
	if !strings.Contains(string(poly), "100%%") {
		t.Errorf("polybar: the name's %% is not doubled: %q", poly)
	}
	var w struct{ Text, Tooltip string }
	wb, _ := RenderAll(people, Waybar)
	if err := json.Unmarshal(wb, &w); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{w.Text, w.Tooltip} {
		if strings.Contains(s, "<b>") || !strings.Contains(s, "&lt;b&gt;Cy&lt;/b&gt; &amp; 100%") {
			t.Errorf("waybar: the name is not escaped for Pango: %q", s)
		}
	}
	if !strings.Contains(w.Tooltip, "Ana: 112 mg/dL, steady") || !strings.Contains(w.Tooltip, "dan: Not logged in") {
		t.Errorf("waybar tooltip does not list everyone:\n%s", w.Tooltip)
	}
	var j struct {
		Urgent bool
		Status State
		People []struct {
			Account, Name, Class, Status string
			Urgent                       bool
		}
	}
	js, _ := RenderAll(people, JSON)
	if err := json.Unmarshal(js, &j); err != nil {
		t.Fatalf("json: %v: %s", err, js)
	}
	if !j.Urgent || j.Status != StateOK || len(j.People) != 4 || j.People[2].Name != "<b>Cy</b> & 100%" ||
		!j.People[1].Urgent || j.People[1].Class != ClassUrgentLow || j.People[2].Status != string(StateStale) || j.People[3].Status != string(StateLoggedOut) {
		t.Errorf("json: %s", js)
	}
	prompt, _ := RenderAll(people, Prompt)
	if strings.Contains(string(prompt), "%") {
		t.Errorf("prompt keeps a %%: %q", prompt)
	}
}

// TestPersonThresholds: each person is classed on their own thresholds.
func TestPersonThresholds(t *testing.T) {
	cfg := config.Default()
	cfg.SetAccount("kid", config.Account{Name: "Kid", Thresholds: config.Thresholds{High: 140, VeryHigh: 160}})
	in := baseInput(pair(3*time.Minute, 170, 168, client.TrendFlat))
	adult, kid := in, in
	adult.Thresholds, kid.Thresholds = cfg.Person("adult").Thresholds, cfg.Person("kid").Thresholds
	adult.Account, kid.Account, kid.Name = "adult", "kid", cfg.DisplayName("kid")
	people := PeopleFrom(adult, kid)
	if people[0].Class != ClassInRange || people[0].Urgent || people[1].Class != ClassVeryHigh || !people[1].Urgent {
		t.Fatalf("adult %s urgent=%v, kid %s urgent=%v", people[0].Class, people[0].Urgent, people[1].Class, people[1].Urgent)
	}
	out, _ := RenderAll(people, Tmux)
	if !strings.Contains(string(out), "#[fg=colour208,bold,reverse]Kid 170→") || strings.Contains(string(out), "reverse]adult") {
		t.Errorf("tmux marks the wrong person: %q", out)
	}
}

// TestTemplatePeople: .People in a template, for one account and for --all.
func TestTemplatePeople(t *testing.T) {
	tpl, err := ParseTemplate(`{{range $i, $p := .People}}{{if $i}}, {{end}}{{$p.Name}}={{$p.Value}}{{if $p.Urgent}}!{{end}}{{end}} [{{.Value}}]`)
	if err != nil {
		t.Fatal(err)
	}
	one := baseInput(pair(3*time.Minute, 112, 110, client.TrendFlat))
	one.Account, one.Name = "ana", "Ana"
	out, err := RenderTemplate(one, tpl)
	if err != nil || string(out) != "Ana=112 [112]\n" {
		t.Errorf("one account: %q, %v", out, err)
	}
	all, err := execute(tpl, allData(fourPeople(false), " · "))
	if want := "Ana=112, B#[fg=red]en=52!, <b>Cy</b> & 100%=245, dan= [52]\n"; err != nil || string(all) != want {
		t.Errorf("--all: %q, %v; want %q", all, err, want)
	}
	if _, err := ParseTemplate(`{{range .People}}{{.Nmae}}{{end}}`); err == nil {
		t.Error("a misspelt person field parsed")
	}
}

// TestRunAllSpawnsPerAccount: --all starts the background sync of each
// person whose cache is behind, once: twenty status bars calling at the
// same moment start one sync per account, and none for a fresh or a
// logged-out person.
func TestRunAllSpawnsPerAccount(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	paths := testPaths(t)
	cfg := config.Default()
	cfg.SetAccount("dan", config.Account{Name: "Dan"}) // in the settings only: logged out
	write := func(account string, f cache.Freshness) {
		if err := WriteSnapshot(SnapshotPath(paths, account), f); err != nil {
			t.Fatal(err)
		}
		opts := Options{Paths: paths, Account: account}
		markLoggedIn(t, opts)
	}
	write("ana", pair(2*time.Minute, 112, 110, client.TrendFlat)) // fresh
	behind := func(ago time.Duration) cache.Freshness {
		f := pair(ago, 150, 140, client.TrendFlat)
		f.Sync = cache.SyncStatus{LastAttempt: now.Add(-10 * time.Minute), LastSuccess: now.Add(-10 * time.Minute)}
		return f
	}
	write("ben", behind(7*time.Minute))
	write("cy", behind(40*time.Minute))

	var mu sync.Mutex
	spawned := map[string]int{}
	opts := Options{Paths: paths, Config: cfg, Format: Plain, Now: now, All: true,
		SpawnFor: func(account string) error {
			mu.Lock()
			defer mu.Unlock()
			spawned[account]++
			return nil
		}}
	var wg sync.WaitGroup
	lines := make([]string, 20)
	for i := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			Run(context.Background(), opts, &out)
			lines[i] = out.String()
		}()
	}
	wg.Wait()
	if want := map[string]int{"ben": 1, "cy": 1}; !maps.Equal(spawned, want) {
		t.Errorf("spawned %v, want %v", spawned, want)
	}
	for _, l := range lines {
		if l != "ana 112→ 2m · ben 150→ 7m · cy 150?→ 40m · Dan: not logged in\n" {
			t.Fatalf("line %q", l)
		}
	}
}
