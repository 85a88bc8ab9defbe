package main

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	nsemu "github.com/cgmtop/cgmtop/client/nightscout/emulator"
)

func startNSSite(t *testing.T, cfg nsemu.Config) *nsemu.Server {
	t.Helper()
	cfg.AuthFailDelay = 20 * time.Millisecond
	cfg.Subjects = []nsemu.Subject{{Name: nsemu.DefaultSubject, Roles: []string{"readable"}}, {Name: "watch", Roles: []string{"status-only"}}}
	s, err := nsemu.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestLoginNightscout is issue 13's Nightscout login against the emulator
// over loopback: a read token logs in, backfills, sets the site's unit and
// feeds `cgmtop status`; every wrong credential gets its own one-line
// answer, and the API secret never leaves the machine.
func TestLoginNightscout(t *testing.T) {
	bin := cgmtopBinary(t)
	env := isolatedEnv(t)
	site := startNSSite(t, nsemu.Config{Units: "mmol"})
	url := site.URL()

	out, code := runWithCode(t, bin, env, site.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--url", url, "--token-stdin", "--token-store", "file")
	if code != 0 || !strings.Contains(out, "Logged in to Nightscout") || !strings.Contains(out, "mmol/L") || !strings.Contains(out, "Cached") {
		t.Fatalf("login (exit %d):\n%s", code, out)
	}
	out, code = runWithCode(t, bin, env, "", "status", "--format", "json", "--no-sync")
	var st struct {
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
		Stale bool    `json:"stale"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Value <= 0 || st.Unit != "mmol/L" || st.Stale {
		t.Fatalf("status after login (exit %d): %s", code, out)
	}
	out, _ = runWithCode(t, bin, env, "", "auth", "status")
	if !strings.Contains(out, "nightscout") || !strings.Contains(out, url) || strings.Contains(out, site.Token(nsemu.DefaultSubject)) {
		t.Errorf("auth status:\n%s", out)
	}

	secret := site.Config().APISecret
	refusals := []struct{ name, token, says string }{
		{"wrong token", "cgmtop-0123456789abcdef", "does not know this token"},
		{"status-only token", site.Token("watch"), "readable role"},
		{"API secret", secret, "if it is the API_SECRET"},
		{"hashed API secret", fmt.Sprintf("%x", sha1Sum(secret)), "hashed API secret"},
		{"no token", "", "needs an access token"},
	}
	before := site.Stats()
	for i, r := range refusals {
		sent := fmt.Sprint(site.Stats())
		out, code := runWithCode(t, bin, env, r.token+"\n", "login", "nightscout", "--account", "other", "--url", url, "--token-stdin", "--token-store", "file")
		if code == 0 || !strings.Contains(out, r.says) || strings.Count(strings.TrimSpace(out), "\n") != 0 || (r.token != "" && strings.Contains(out, r.token)) {
			t.Errorf("%s: exit %d, %q; want one line saying %q", r.name, code, out, r.says)
		}
		if i == 3 && fmt.Sprint(site.Stats()) != sent {
			t.Error("the hashed API secret was sent to the site; it must be refused before")
		}
	}
	if after := site.Stats(); after["authFailed"] != before["authFailed"] {
		t.Errorf("refused logins counted as failed API-secret attempts on the site (%d → %d): they would slow every request", before["authFailed"], after["authFailed"])
	}
	out, code = runWithCode(t, bin, env, "", "login", "nightscout", "--url", url, "--token", "x")
	if code == 0 || !strings.Contains(out, "token") {
		t.Errorf("a token flag must not exist: exit %d %q", code, out)
	}
}

func sha1Sum(s string) [20]byte { return sha1.Sum([]byte(s)) }

// TestRefusedTokenIsNotRetried: once the site refuses the stored token,
// the sync says why and every later sync sends nothing, until a new login.
func TestRefusedTokenIsNotRetried(t *testing.T) {
	bin := cgmtopBinary(t)
	env := isolatedEnv(t)
	site := startNSSite(t, nsemu.Config{})
	if out, code := runWithCode(t, bin, env, site.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--url", site.URL(), "--token-stdin", "--token-store", "file"); code != 0 {
		t.Fatalf("login: %s", out)
	}
	// The token is deleted on the site: here, replaced in the store.
	var state string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			state = v
		}
	}
	file := filepath.Join(state, "cgmtop", "accounts", "default", "nightscout.json")
	if err := os.WriteFile(file, []byte(`{"token":"cgmtop-0123456789abcdef"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runWithCode(t, bin, env, "", "sync")
	if code == 0 || !strings.Contains(out, "does not know this token") {
		t.Fatalf("sync with a refused token: exit %d %q", code, out)
	}
	sent := site.Stats()
	for range 3 {
		out, _ = runWithCode(t, bin, env, "", "sync")
		if !strings.Contains(out, "does not know this token") {
			t.Errorf("a later sync: %q", out)
		}
		runWithCode(t, bin, env, "", "status")
	}
	if got := site.Stats(); fmt.Sprint(got) != fmt.Sprint(sent) {
		t.Errorf("requests after the refusal: %v → %v", sent, got)
	}
	out, _ = runWithCode(t, bin, env, "", "status", "--no-sync")
	if !strings.Contains(out, "refused") {
		t.Errorf("status does not say the login was refused: %q", out)
	}
	if out, code := runWithCode(t, bin, env, site.Token(nsemu.DefaultSubject)+"\n", "login", "nightscout", "--url", site.URL(), "--token-stdin", "--token-store", "file"); code != 0 {
		t.Fatalf("a new login: %s", out)
	}
	if out, code := runWithCode(t, bin, env, "", "sync"); code != 0 {
		t.Fatalf("sync after a new login: exit %d %q", code, out)
	}
}

// TestDemoNightscout: the monitor against the built-in Nightscout site.
func TestDemoNightscout(t *testing.T) {
	bin := cgmtopBinary(t)
	tm := startTmux(t, isolatedEnv(t), 80, 24, bin+" --demo --source nightscout")
	screen, took := tm.waitFor("a glucose value and an arrow", showsGlucose)
	t.Logf("first glucose after %v:\n%s", took, screen)
	tm.keys("q")
	tm.waitFor("the demo to quit on q", func(string) bool { return tm.paneDead() })
}
