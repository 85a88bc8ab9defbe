package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// TestDoctorAgesOnTheSourcesClock: with this computer's clock an hour
// ahead of Dexcom's, a reading Dexcom just served is fresh. The status
// line says so (counting on the server's clock, as the sync measured it);
// doctor --offline must agree instead of calling it an hour old and
// warning that the sensor stopped uploading.
func TestDoctorAgesOnTheSourcesClock(t *testing.T) {
	bin := cgmtopBinary(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: 5, RedirectURI: redirect,
		Clock: clock.NewScaled(time.Now().Add(-time.Hour), 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := isolatedEnv(t)
	pasteLogin(t, bin, append(env, "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret), srv.URL(), redirect)

	status, _, _ := runCgmtop(t, env, "status", "--no-sync")
	if !strings.Contains(status, "clock 1 h ahead") {
		t.Fatalf("status = %q, want the clock noted", status)
	}
	out, _ := doctorRun(t, bin, env, "--offline")
	if hours := regexp.MustCompile(`newest reading \d+h\d\dm ago`).FindString(out); hours != "" {
		t.Errorf("doctor calls a fresh reading hours old: %q", hours)
	}
	if strings.Contains(out, "older than") {
		t.Errorf("doctor warns a fresh reading is stale:\n%s", out)
	}
	wantLines(t, out, [3]string{"ok", "cache", "newest reading"}) // seconds or minutes old, never hours (checked above)
}
