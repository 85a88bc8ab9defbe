package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testnet"
)

// approve plays the user on the emulator's login page: it submits the Allow
// form for authURL and returns where the emulator redirects the browser.
func approve(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for k, v := range u.Query() {
		form.Set(k, v[0])
	}
	form.Set("user", "g7")
	form.Set("decision", "allow")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || loc == "" {
		t.Fatalf("approve: HTTP %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

// pasteLogin runs `cgmtop login --no-browser` against the emulator at
// apiURL as a user over SSH would: it reads the printed link, approves it
// as a browser elsewhere would, and pastes the address the browser lands
// on. It returns what login printed on stdout. extra flags (--account,
// --name) are passed on.
func pasteLogin(t *testing.T, bin string, env []string, apiURL, redirect string, extra ...string) string {
	t.Helper()
	login := exec.Command(bin, append([]string{"login", "--api-url", apiURL, "--client-id", emulator.DefaultClientID,
		"--redirect-uri", redirect, "--no-browser", "--token-store", "file"}, extra...)...)
	login.Env = env
	pw, err := login.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	login.Stdout = &stdout
	stderr, err := login.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/v2/oauth2/login\?\S+`)
	sc := bufio.NewScanner(stderr)
	var authURL string
	for authURL == "" && sc.Scan() {
		authURL = link.FindString(sc.Text())
	}
	if authURL == "" {
		login.Process.Kill()
		login.Wait()
		t.Fatal("login printed no link")
	}
	go io.Copy(io.Discard, stderr)
	fmt.Fprintln(pw, approve(t, authURL))
	if err := login.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, stdout.String())
	}
	return stdout.String()
}

// freePort is testnet.FreePort, the name these tests (and those being
// written beside them) call.
func freePort(t *testing.T) int { return testnet.FreePort(t) }

// TestEmulateServesEGVs is issue 2's `cgmtop emulate` + curl acceptance,
// done with net/http: the printed credentials get a token through the login
// page and the token endpoint, and egvs answers with a v3 envelope.
func TestEmulateServesEGVs(t *testing.T) {
	bin := cgmtopBinary(t)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	cmd := exec.Command(bin, "emulate", "--listen", addr)
	cmd.Env = isolatedEnv(t)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	printed := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(printed) < 3 {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && (f[0]+" "+f[1] == "client id" || f[0]+" "+f[1] == "client secret" || f[0]+" "+f[1] == "redirect URI") {
			printed[f[1]] = f[2]
		}
	}
	if len(printed) != 3 {
		t.Fatalf("emulate did not print client id, secret and redirect URI: %v", printed)
	}
	base := "http://" + addr
	loc := approve(t, base+"/v2/oauth2/login?"+url.Values{
		"client_id": {printed["id"]}, "redirect_uri": {printed["URI"]},
		"response_type": {"code"}, "state": {"s1"}, "scope": {"offline_access"},
	}.Encode())
	cb, _ := url.Parse(loc)
	if cb.Query().Get("state") != "s1" {
		t.Fatalf("redirect %q lost the state", loc)
	}
	resp, err := http.PostForm(base+"/v2/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
		"redirect_uri": {printed["URI"]}, "client_id": {printed["id"]}, "client_secret": {printed["secret"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token exchange: HTTP %d, %+v", resp.StatusCode, tok)
	}

	end := time.Now().UTC()
	req, _ := http.NewRequest("GET", base+"/v3/users/self/egvs?"+url.Values{
		"startDate": {end.Add(-time.Hour).Format("2006-01-02T15:04:05")},
		"endDate":   {end.Format("2006-01-02T15:04:05")},
	}.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		RecordType    string           `json:"recordType"`
		RecordVersion string           `json:"recordVersion"`
		UserID        string           `json:"userId"`
		Records       []map[string]any `json:"records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("egvs: HTTP %d: %v", resp.StatusCode, err)
	}
	if env.RecordType != "egv" || env.RecordVersion != "3.0" || env.UserID == "" || len(env.Records) < 10 {
		t.Fatalf("egvs envelope: type %q version %q user %q, %d records", env.RecordType, env.RecordVersion, env.UserID, len(env.Records))
	}
	for _, field := range []string{"recordId", "systemTime", "displayTime", "value", "status", "trend", "trendRate", "unit"} {
		if _, ok := env.Records[0][field]; !ok {
			t.Errorf("egv record lacks %q: %v", field, env.Records[0])
		}
	}
}

// TestLoginStatusLogout drives the account commands as a user over SSH
// would: login with --no-browser and a pasted redirect address, status from
// the cache, auth status, then logout, which must leave no health data and
// no credential behind.
func TestLoginStatusLogout(t *testing.T) {
	bin := cgmtopBinary(t)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{Seed: 7, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := offlineEnv(t) // no D-Bus session: nothing auto-launches a keyring daemon that outlives the test
	home := strings.TrimPrefix(env[0], "HOME=")
	cgmtop := func(stdin io.Reader, args ...string) (string, error) {
		out, code := cgmtopCombined(t, bin, env, stdin, args...)
		if code != 0 {
			return out, fmt.Errorf("exit status %d", code)
		}
		return out, nil
	}

	// Login: the test reads the printed link, approves it as the user would
	// in a browser elsewhere, and pastes the address the browser lands on.
	stdout := pasteLogin(t, bin, append(env, "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret), srv.URL(), redirect)
	if !strings.Contains(stdout, "Cached") {
		t.Fatalf("login did not report its first sync:\n%s", stdout)
	}
	// The code exchange and the first sync's refresh both name cgmtop, not
	// Go's default client.
	if got := srv.UserAgents("token"); len(got) != 1 || got[0] != "cgmtop/dev" {
		t.Errorf("the token endpoint saw User-Agent %q, want only cgmtop/dev", got)
	} else {
		t.Logf("User-Agent at the token endpoint: %q; at egvs: %q", got, srv.UserAgents("egvs"))
	}

	out, err := cgmtop(nil, "status", "--format", "plain", "--no-sync")
	if err != nil || !regexp.MustCompile(`\d`).MatchString(out) {
		t.Fatalf("status after login: %v %q", err, out)
	}
	out, err = cgmtop(nil, "auth", "status")
	if err != nil || !strings.Contains(out, "token.json") || !strings.Contains(out, emulator.DefaultClientID) {
		t.Fatalf("auth status: %v\n%s", err, out)
	}

	// Everything private is private, and the token appears nowhere but its file.
	var tokenFile string
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Name() == "token.json" {
			tokenFile = path
		}
		if fi, _ := d.Info(); fi.Mode().Perm()&0o077 != 0 && strings.Contains(path, "cgmtop") && !strings.HasSuffix(path, ".sock") {
			t.Errorf("%s is %v: readable by others", path, fi.Mode().Perm())
		}
		return nil
	})
	raw, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	var creds struct {
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal(raw, &creds)
	if creds.RefreshToken == "" {
		t.Fatalf("token file %s has no refresh token field", tokenFile)
	}
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == tokenFile {
			return err
		}
		if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(creds.RefreshToken)) {
			t.Errorf("%s contains the refresh token", path)
		}
		return nil
	})

	out, err = cgmtop(nil, "logout")
	if err != nil || !strings.Contains(out, "Removed") {
		t.Fatalf("logout: %v\n%s", err, out)
	}
	// It tells the truth: Dexcom was not asked to forget the login.
	if !strings.Contains(out, "Not revoked at Dexcom") || !strings.Contains(out, "Dexcom account") {
		t.Errorf("logout does not say that nothing was revoked at the server:\n%s", out)
	}
	filepath.WalkDir(home, func(path string, d fs.DirEntry, err error) error {
		// Only the settings file may stay: no cache, token, lock or log (a
		// keyring daemon's socket is not cgmtop's).
		if err == nil && d.Type().IsRegular() && filepath.Base(path) != "config.toml" {
			t.Errorf("logout left %s behind", path)
		}
		return nil
	})
	out, _ = cgmtop(nil, "status", "--format", "plain", "--no-sync")
	if !strings.Contains(out, "not logged in") {
		t.Errorf("status after logout = %q, want the not-logged-in state", out)
	}
}
