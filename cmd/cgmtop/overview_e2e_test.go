package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	nsemu "github.com/cgmtop/cgmtop/client/nightscout/emulator"
	"github.com/cgmtop/cgmtop/config"
)

// fourPeopleEnv logs four people in as users would, each on their own
// emulator: Ana (default account, official API) has an urgent low (the
// sensor reads LOW), Ben (Dexcom Share) lost signal half an hour ago, Cleo
// (Nightscout) is fine, and Dan has settings but no login.
func fourPeopleEnv(t *testing.T) []string {
	t.Helper()
	bin := cgmtopBinary(t)
	env := append(isolatedEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)

	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	ana, err := emulator.Start(emulator.Config{Seed: 3, RedirectURI: redirect,
		Scenarios: []emulator.Scenario{{Kind: emulator.ScenarioLow, Offset: -time.Hour, Duration: 3 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ana.Close() })
	pasteLogin(t, bin, env, ana.URL(), redirect)

	ben, err := emulator.Start(emulator.Config{Seed: 4,
		Share:     emulator.ShareConfig{Lag: 10 * time.Second},
		Scenarios: []emulator.Scenario{{Kind: emulator.ScenarioGap, Offset: -40 * time.Minute, Duration: 3 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ben.Close() })
	if out, err := runCombined(t, bin, env, emulator.DefaultSharePassword+"\n", "login", "share", "--account", "ben",
		"--share-url", ben.URL(), "--region", "us", "--username", emulator.DefaultShareEmail, "--password-stdin", "--token-store", "file"); err != nil {
		t.Fatalf("login share: %v\n%s", err, out)
	}

	cleo := startNSSite(t, nsemu.Config{Seed: 5})
	if out, code := runWithCode(t, bin, env, cleo.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--account", "cleo",
		"--url", cleo.URL(), "--token-stdin", "--token-store", "file"); code != 0 {
		t.Fatalf("login nightscout: %d\n%s", code, out)
	}

	path := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "cgmtop", "config.toml")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for acct, name := range map[string]string{config.DefaultAccount: "Ana", "ben": "Ben", "cleo": "Cleo", "dan": "Dan"} {
		a := cfg.Accounts[acct]
		a.Name = name
		cfg.SetAccount(acct, a)
	}
	if err := config.Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	return env
}

var overviewValue = regexp.MustCompile(`(\d{2,3}|HIGH|LOW) [⇈↑↗→↘↓⇊]`)

// TestOverviewFourPeople is issue 14's first acceptance in a real terminal:
// the overview of four people on mixed sources at 30x8, 80x24 and 200x60,
// read as a person reads it, most urgent first; enter and a number open a
// person, esc comes back, q quits.
func TestOverviewFourPeople(t *testing.T) {
	env := fourPeopleEnv(t)
	start := time.Now()
	tm := startTmux(t, env, 80, 24, cgmtopBinary(t))

	// 80x24: tiles, every person named, Ana's LOW first, Ben stale, Dan
	// logged out with the command that logs him in.
	screen, took := tm.waitFor("four people with Ana's LOW, Ben's no data and Cleo's value", func(s string) bool {
		return strings.Contains(s, "4 people") && strings.Contains(s, "URGENT LOW") && strings.Contains(s, "no data") &&
			strings.Contains(s, "logged out") && strings.Contains(s, "Nightscout") &&
			strings.Contains(s, "`cgmtop login --account dan`") && widest(s) <= 80
	})
	t.Logf("80x24 after %v:\n%s", took, screen)
	order := func(s string, names ...string) bool {
		last := -1
		for _, n := range names {
			i := strings.Index(s, n)
			if i < last || i < 0 {
				return false
			}
			last = i
		}
		return true
	}
	if !order(screen, "Ana", "Ben") {
		t.Errorf("80x24: Ana's urgent low is not first")
	}

	tm.resize(30, 8)
	screen, _ = tm.waitFor("one line per person at 30x8", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return widest(s) <= 30 && len(lines) <= 8 && order(s, "Ana", "Ben", "Dan", "Cleo") &&
			strings.Contains(s, "no data") && strings.Contains(s, "logged out")
	})
	t.Logf("30x8:\n%s", screen)
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "Ana") && !strings.Contains(l, "LOW") {
			t.Errorf("30x8: Ana's line does not say LOW: %q", l)
		}
		if strings.Contains(l, "Cleo") && !overviewValue.MatchString(l) {
			t.Errorf("30x8: Cleo's line has no value and arrow: %q", l)
		}
	}

	tm.resize(200, 60)
	screen, _ = tm.waitFor("tiles at 200x60 with sparklines", func(s string) bool {
		return widest(s) <= 200 && strings.Contains(s, "last 3h") && strings.Contains(s, "URGENT LOW") &&
			strings.Contains(s, "╭") && order(s, "Ana", "Ben")
	})
	t.Logf("200x60:\n%s", screen)

	// 3 opens Cleo's monitor (her number is her account's place), esc
	// comes back; enter opens the one under the cursor, the most urgent.
	tm.keys("3")
	tm.waitFor("Cleo's monitor after 3", func(s string) bool {
		return strings.Contains(strings.SplitN(s, "\n", 2)[0], "Cleo") && strings.Contains(s, "Statistics")
	})
	tm.keys("Escape")
	tm.waitFor("the overview after esc", func(s string) bool { return strings.Contains(s, "4 people") })
	tm.keys("u")
	tm.waitFor("everyone in mmol/L after u", func(s string) bool {
		return strings.Contains(s, "mmol/L") && !strings.Contains(s, "mg/dL")
	})
	tm.keys("u")
	tm.waitFor("mg/dL again", func(s string) bool { return strings.Contains(s, "mg/dL") })

	// s snoozes the alert at the top, Ana's, and says so; ? shows the
	// keys, esc closes them.
	tm.keys("s")
	tm.waitFor("Ana's alert snoozed", func(s string) bool {
		return strings.Contains(s, "Ana: urgent low snoozed until") && strings.Contains(s, "(snoozed)")
	})
	tm.keys("?")
	tm.waitFor("the overview's help", func(s string) bool {
		return strings.Contains(s, "close help") && strings.Contains(s, "snooze alert") && strings.Contains(s, "Ana")
	})
	tm.keys("Escape")
	tm.waitFor("the help closed", func(s string) bool { return strings.Contains(s, "? help") })

	// Dan logs in while the overview runs: his row follows, with no
	// restart.
	dan := startNSSite(t, nsemu.Config{Seed: 6})
	if out, code := runWithCode(t, cgmtopBinary(t), env, dan.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--account", "dan",
		"--url", dan.URL(), "--token-stdin", "--token-store", "file"); code != 0 {
		t.Fatalf("login nightscout: %d\n%s", code, out)
	}
	tm.resize(40, 8)
	screen, took = tm.waitFor("Dan's reading after his login", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "Dan") && overviewValue.MatchString(l) {
				return !strings.Contains(s, "logged out")
			}
		}
		return false
	})
	t.Logf("Dan's reading %v after his login:\n%s", took, screen)

	// Ben logs out while the overview runs: his tile and his screen say
	// how to log him in again, him and not the default account.
	if out, err := runCombined(t, cgmtopBinary(t), env, "", "logout", "--account", "ben"); err != nil {
		t.Fatalf("logout --account ben: %v\n%s", err, out)
	}
	tm.resize(80, 24)
	screen, took = tm.waitFor("Ben's tile after his logout", func(s string) bool {
		return strings.Contains(s, "`cgmtop login --account ben`")
	})
	t.Logf("Ben's tile %v after his logout:\n%s", took, screen)
	tm.keys("2")
	tm.waitFor("Ben's screen after his logout", func(s string) bool {
		return strings.Contains(strings.SplitN(s, "\n", 2)[0], "Ben") && strings.Contains(s, "`cgmtop login --account ben`")
	})
	tm.keys("Escape")
	tm.quit()

	// --account still opens one person directly.
	one := startTmux(t, env, 80, 24, cgmtopBinary(t)+" --account cleo")
	one.waitFor("Cleo's monitor alone", func(s string) bool {
		return !strings.Contains(s, "4 people") && strings.Contains(s, "Statistics")
	})
	one.quit()
	t.Logf("took %v", time.Since(start))
}
