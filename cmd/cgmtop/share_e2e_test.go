package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// TestHybridAccount: one account with the official API (an hour late, 90
// days) and Share (10 s late, its clock 2 s off) gives 90 days of history
// and the newest reading from Share, with no reading stored twice; auth
// status lists both sources and the monitor says where the reading came
// from.
func TestHybridAccount(t *testing.T) {
	bin := cgmtopBinary(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: 5, RedirectURI: redirect, UploadLag: time.Hour,
		Share: emulator.ShareConfig{Lag: 10 * time.Second, Offset: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := isolatedEnv(t)
	pasteLogin(t, bin, append(env, "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret), srv.URL(), redirect)
	out, err := runCombined(t, bin, env, emulator.DefaultSharePassword+"\n", "login", "share", "--share-url", srv.URL(),
		"--region", "us", "--username", emulator.DefaultShareEmail, "--password-stdin", "--token-store", "file")
	if err != nil || !strings.Contains(out, "combines the official API") {
		t.Fatalf("login share: %v\n%s", err, out)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(envValue(env, "XDG_DATA_HOME"), "cgmtop", "accounts", "default", "cache.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, first, last int64
	if err := db.QueryRow(`SELECT COUNT(*), MIN(t), MAX(t) FROM readings`).Scan(&n, &first, &last); err != nil {
		t.Fatal(err)
	}
	var dups int
	db.QueryRow(`SELECT COUNT(*) FROM readings a JOIN readings b ON b.t > a.t AND b.t < a.t + 60`).Scan(&dups)
	bySource := map[string]int{}
	rows, err := db.Query(`SELECT COALESCE(src, ''), COUNT(*) FROM readings GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var c int
		rows.Scan(&s, &c)
		bySource[s] = c
	}
	rows.Close()
	span := time.Duration(last-first) * time.Second
	st := srv.ShareStats()
	t.Logf("hybrid cache: %d readings over %s, by source %v (\"\" = the official login's own sync), %d pairs closer than 60 s; Share served %d readings in %d reads",
		n, span.Round(time.Hour), bySource, dups, st.ReadingsServed, st.Reads)
	// The official API is an hour behind: the last hour's readings (about
	// 12) can only have come from Share, the rest it duplicated.
	if span < 89*24*time.Hour || dups != 0 || bySource["share"] < 10 || bySource["share"] > 14 || n < 25000 {
		t.Fatalf("want 90 days, no duplicates, both sources: %d readings over %s, %v, %d duplicates", n, span, bySource, dups)
	}
	var src string
	db.QueryRow(`SELECT src FROM readings ORDER BY t DESC LIMIT 1`).Scan(&src)
	if src != "share" {
		t.Fatalf("the newest reading came from %q, want share", src)
	}

	out, err = runCombined(t, bin, env, "", "auth", "status")
	if err != nil || !strings.Contains(out, "official Dexcom API + Dexcom Share") || !strings.Contains(out, "via Dexcom Share") {
		t.Fatalf("auth status: %v\n%s", err, out)
	}
	out, _ = runCombined(t, bin, env, "", "status", "--no-sync", "--template", "{{.Source}} {{.Late}}")
	if !strings.HasPrefix(out, "share ") {
		t.Fatalf("status template: %q", out)
	}

	requireTmux(t)
	tm := startTmux(t, env, 120, 40, bin)
	screen, _ := tm.waitFor("the reading's source", func(s string) bool { return strings.Contains(s, "via Dexcom Share") })
	if !strings.Contains(screen, "after the sensor") {
		t.Fatalf("monitor does not say how late the reading came:\n%s", screen)
	}
	tm.quit()
}

// TestShareLoginRefused: a wrong password is one attempt, one line, and
// nothing stored; a missing region is never guessed.
func TestShareLoginRefused(t *testing.T) {
	bin := cgmtopBinary(t)
	srv, err := emulator.Start(emulator.Config{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := isolatedEnv(t)
	out, err := runCombined(t, bin, env, "nope\n", "login", "share", "--share-url", srv.URL(), "--region", "us",
		"--username", "demo", "--password-stdin", "--token-store", "file")
	if err == nil || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "wrong region") {
		t.Fatalf("wrong password: %v\n%s", err, out)
	}
	if st := srv.ShareStats(); st.CredentialAttempts() != 1 {
		t.Fatalf("%d credential attempts, want 1", st.CredentialAttempts())
	}
	out, err = runCombined(t, bin, env, "", "login", "share", "--share-url", srv.URL(), "--username", "demo", "--password-stdin")
	if err == nil || !strings.Contains(out, "never guesses") {
		t.Fatalf("no region: %v\n%s", err, out)
	}
	out, err = runCombined(t, bin, env, "", "auth", "status")
	if err == nil || !strings.Contains(out, "not logged in") {
		t.Fatalf("auth status after a refused login: %v\n%s", err, out)
	}
}
