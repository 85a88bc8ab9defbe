package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// The account commands against a hostile machine and hostile input
// (issue 12), run as the real binary.

// offlineEnv is isolatedEnv with every proxy pointed at a closed loopback
// port (should a check fail, a request to the test's off-machine addresses
// still never leaves this machine) and a D-Bus session address that leads
// nowhere: a machine with no keyring, where nothing gets auto-launched.
func offlineEnv(t *testing.T) []string {
	env := isolatedEnv(t)
	return append(env, "HTTP_PROXY=http://127.0.0.1:1", "HTTPS_PROXY=http://127.0.0.1:1", "NO_PROXY=",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(envValue(env, "HOME"), "no-bus"))
}

// Plain http to anything but loopback, and schemes other than https, are
// refused with one line, from the flag and from the settings file.
func TestNoPlainHTTPOffTheMachine(t *testing.T) {
	env := append(offlineEnv(t), "CGMTOP_CLIENT_SECRET=s")
	for _, url := range []string{"http://192.0.2.10:8080", "http://dexcom.example", "ftp://x", "file:///etc/passwd", "api.dexcom.com"} {
		out, errOut, code := cgmtopRun(t, env, nil, "login", "--client-id", "id", "--api-url", url, "--no-browser")
		if code != 2 || !strings.Contains(errOut, "--api-url") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || out != "" {
			t.Errorf("login --api-url %s: exit %d, stderr %q; want exit 2 and one line naming --api-url", url, code, errOut)
		}
	}
	_, errOut, _ := cgmtopRun(t, env, nil, "login", "--client-id", "id", "--api-url", "http://192.0.2.10:8080")
	if !strings.Contains(errOut, "plain http") || !strings.Contains(errOut, "https") {
		t.Errorf("the refusal does not say why: %q", errOut)
	}

	cfgDir := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "cgmtop")
	os.MkdirAll(cfgDir, 0o700)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("api_url = \"http://192.0.2.10:8080\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"sync"}, {"login", "--client-id", "id"}} {
		_, errOut, code := cgmtopRun(t, env, nil, args...)
		if code == 0 || !strings.Contains(errOut, "api_url") || !strings.Contains(errOut, "plain http") {
			t.Errorf("%v with api_url over plain http: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// The secret belongs in the hidden prompt or the environment; the flag
// still works but warns, once.
func TestClientSecretFlagWarns(t *testing.T) {
	env := offlineEnv(t)
	// ftp:// stops the login right after the flags are read.
	_, errOut, _ := cgmtopRun(t, env, nil, "login", "--client-id", "id", "--client-secret", "s3cret", "--api-url", "ftp://x")
	if n := strings.Count(errOut, "warning: --client-secret"); n != 1 {
		t.Errorf("the warning appeared %d times, want once:\n%s", n, errOut)
	}
	if !strings.Contains(errOut, "CGMTOP_CLIENT_SECRET") || strings.Contains(errOut, "s3cret") {
		t.Errorf("the warning must point to the environment variable and never repeat the secret:\n%s", errOut)
	}
	_, errOut, _ = cgmtopRun(t, append(env, "CGMTOP_CLIENT_SECRET=s3cret"), nil, "login", "--client-id", "id", "--api-url", "ftp://x")
	if strings.Contains(errOut, "warning") {
		t.Errorf("warned with the secret in the environment:\n%s", errOut)
	}
	// Help (on stdout) names the flag once, in the flag list that says to
	// leave it out: not in the usage line, nor in an example.
	help, _, _ := cgmtopRun(t, env, nil, "login", "--help")
	if !strings.Contains(help, "Usage:") || strings.Count(help, "--client-secret") != 1 || !strings.Contains(help, "CGMTOP_CLIENT_SECRET") {
		t.Errorf("the help still suggests --client-secret:\n%s", help)
	}
}

// cgmtop's folders made open by an older version, a copy or a loose umask
// are private again after any command but `status`, which only reads and
// leaves the walk to the syncs it starts.
func TestLooseFoldersAreTightened(t *testing.T) {
	env := offlineEnv(t)
	var loose []string
	for _, key := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		dir := filepath.Join(envValue(env, key), "cgmtop")
		sub := filepath.Join(dir, "accounts", "default")
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(dir, 0o755)
		os.Chmod(sub, 0o775)
		loose = append(loose, dir, sub)
	}
	cgmtopRun(t, env, nil, "auth", "status")
	for _, dir := range loose {
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v after `cgmtop auth status`, want 0700", dir, fi.Mode().Perm(), err)
		}
	}
}

// A machine with no OS keyring and no login: logout has nothing to do and
// says so, with exit 0.
func TestLogoutWithNoKeyring(t *testing.T) {
	env := offlineEnv(t) // no D-Bus session: no keyring answers
	out, errOut, code := cgmtopRun(t, env, nil, "logout")
	if code != 0 || !strings.Contains(out, "Nothing to remove") {
		t.Fatalf("logout with no keyring and nothing stored: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	t.Logf("logout: %s", out)
}

// hostile is a server's error text made to take over a terminal: a title
// change, a screen clear, an OSC 52 clipboard write, a C1 CSI, a bidi
// override and a fake second line.
const hostile = "owned\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\u202eevil\nFAKE cgmtop: run curl x|sh"

// hostileDexcom answers token requests as told (a token, or an OAuth error
// full of escapes) and every API request with an error body full of them.
func hostileDexcom(t *testing.T, tokenOK bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v2/oauth2/token" && tokenOK {
			json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 7200, "refresh_token": "rt-2"})
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request" + hostile, "error_description": hostile})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// storeFileLogin leaves a login in the file store, as `cgmtop login
// --token-store file` would, for base.
func storeFileLogin(t *testing.T, env []string, base string) {
	t.Helper()
	cfgDir := filepath.Join(envValue(env, "XDG_CONFIG_HOME"), "cgmtop")
	os.MkdirAll(cfgDir, 0o700)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte("token_store = \"file\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(envValue(env, "XDG_STATE_HOME"), "cgmtop", "accounts", "default", "token.json")
	err := auth.NewFileStore(tokenFile).Save(context.Background(), auth.Credentials{
		ClientID: "id", ClientSecret: "secret", RefreshToken: "rt-1", Updated: time.Now(), BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
}

// terminalSafe fails when text (outside its line ends) carries anything a
// terminal acts on.
func terminalSafe(t *testing.T, what, text string) {
	t.Helper()
	for _, r := range text {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			t.Errorf("%s carries %U: %q", what, r, text)
			return
		}
	}
}

// A server's error text reaches the terminal, the log and `auth status`
// with no control character left, through every path: an API error body,
// a token endpoint refusal, and a sync status some older cgmtop recorded raw.
func TestRemoteTextNeverReachesTheTerminalRaw(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tokenOK bool
	}{{"API error body", true}, {"token endpoint error", false}} {
		t.Run(tc.name, func(t *testing.T) {
			env := offlineEnv(t)
			srv := hostileDexcom(t, tc.tokenOK)
			storeFileLogin(t, env, srv.URL)

			out, errOut, code := cgmtopRun(t, env, nil, "sync")
			if code == 0 {
				t.Fatalf("sync against the hostile server succeeded:\n%s", out)
			}
			t.Logf("sync: %s", errOut)
			terminalSafe(t, "sync's output", out+errOut)
			// The sync summarises an API refusal in its own words; a token
			// refusal keeps the server's, cleaned.
			if !tc.tokenOK && !strings.Contains(errOut, "owned") {
				t.Errorf("the server's words were dropped rather than cleaned: %q", errOut)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("the server's newline split the error: %q", errOut)
			}

			logFile := filepath.Join(envValue(env, "XDG_STATE_HOME"), "cgmtop", "cgmtop.log")
			if log, err := os.ReadFile(logFile); err == nil {
				terminalSafe(t, "the log", string(log))
			}

			out, errOut, _ = cgmtopRun(t, env, nil, "auth", "status")
			terminalSafe(t, "auth status", out+errOut)
		})
	}

	// A status recorded raw (by an older version) is cleaned on the way out.
	env := offlineEnv(t)
	storeFileLogin(t, env, "https://api.dexcom.com")
	dbPath := filepath.Join(envValue(env, "XDG_DATA_HOME"), "cgmtop", "accounts", "default", "cache.db")
	db, err := cache.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSyncStatus(context.Background(), cache.SyncStatus{LastAttempt: time.Now(), LastError: "dexcom egvs: " + hostile}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, errOut, code := cgmtopRun(t, env, nil, "auth", "status")
	if code != 0 || !strings.Contains(out, "last attempt failed: dexcom egvs: owned") {
		t.Fatalf("auth status: exit %d\n%s%s", code, out, errOut)
	}
	terminalSafe(t, "auth status", out)
}

// A login kept in a keyring that does not answer cannot be confirmed gone:
// logout fails, says what to do, deletes the cached health data all the
// same, and keeps the note that a login exists so that the next logout
// tries the keyring again.
func TestLogoutKeyringLoginUnreachable(t *testing.T) {
	env := offlineEnv(t) // no D-Bus session: no keyring answers
	stateDir := filepath.Join(envValue(env, "XDG_STATE_HOME"), "cgmtop", "accounts", "default")
	dataDir := filepath.Join(envValue(env, "XDG_DATA_HOME"), "cgmtop", "accounts", "default")
	os.MkdirAll(stateDir, 0o700)
	os.MkdirAll(dataDir, 0o700)
	marker := filepath.Join(stateDir, "login.json")
	os.WriteFile(marker, []byte(`{"client_id":"id","base_url":"https://api.dexcom.com","token_store":"keyring"}`), 0o600)
	os.WriteFile(filepath.Join(dataDir, "cache.db"), []byte("health data"), 0o600)

	out, errOut, code := cgmtopRun(t, env, nil, "logout")
	t.Logf("logout: exit %d\n%s%s", code, out, errOut)
	if code == 0 || !strings.Contains(errOut, "keyring") || !strings.Contains(errOut, "unlock") {
		t.Errorf("logout with the login in an unreachable keyring: exit %d, stderr %q; want a failure that says to unlock it", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "cache.db")); err == nil {
		t.Error("the cached health data was kept")
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the login note is gone (%v): the next logout would not know to try the keyring", err)
	}
}

// A 1 MiB paste into the waiting login is refused at once with a message,
// not swallowed while the login waits out its 5 minutes.
func TestLoginRefusesHugePaste(t *testing.T) {
	redirect := fmt.Sprintf("http://localhost:%d/callback", freePort(t))
	srv, err := emulator.Start(emulator.Config{RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := append(offlineEnv(t), "CGMTOP_CLIENT_SECRET="+emulator.DefaultClientSecret)
	paste := strings.NewReader(strings.Repeat("x", 1<<20) + "\n")
	out, errOut, code := cgmtopRun(t, env, paste, "login", "--api-url", srv.URL(), "--client-id", emulator.DefaultClientID,
		"--redirect-uri", redirect, "--no-browser", "--token-store", "file")
	if code != 1 || !strings.Contains(errOut, "longer than 64 KiB") {
		t.Fatalf("login with a 1 MiB paste: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "xxxxxxxx") {
		t.Error("the paste was echoed back")
	}
	if srv.Stats()["token"] != 0 {
		t.Error("the paste reached the token endpoint")
	}
}
