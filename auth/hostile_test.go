package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testio"
)

// The login against a hostile machine and hostile input (issue 12): other
// programs on the callback port, other web pages sending requests to it,
// servers whose words carry terminal escapes, and pastes that never end.

// requireIPv6 skips when this machine cannot listen on [::1].
func requireIPv6(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here (%v)", err)
	}
	ln.Close()
}

// get fetches u with the given Host header ("" keeps u's) and returns the
// status and body.
func get(t *testing.T, u, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Another program on [::1]:PORT would get the code whenever the browser
// picks IPv6 for localhost: the login refuses to start, at once, and says
// which address is taken.
func TestCallbackTakenOnIPv6(t *testing.T) {
	requireIPv6(t)
	env := newEnv(t, emulator.Config{})
	port := redirectPort(env)
	squatter, err := net.Listen("tcp", "[::1]:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Close()
	_, err = Login(testContext(t), LoginOptions{OAuth: env.oauth(), Timeout: time.Minute,
		OpenBrowser: func(string) error { t.Error("browser opened though [::1] holds the callback port"); return nil }})
	if err == nil {
		t.Fatal("Login started with another program on [::1]:" + port)
	}
	t.Logf("error: %v", err)
	for _, want := range []string{"port " + port, "[::1]", "another program", "--redirect-uri"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// Nothing is left listening on 127.0.0.1 either.
	if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err != nil {
		t.Errorf("127.0.0.1:%s still taken after the refused login: %v", port, err)
	} else {
		ln.Close()
	}
}

// For a localhost redirect, cgmtop itself answers on both loopback
// families, so no other program can.
func TestCallbackOnEveryLocalhostAddress(t *testing.T) {
	requireIPv6(t)
	env := newEnv(t, emulator.Config{})
	port := redirectPort(env)
	b := &goBrowser{decision: "allow"}
	open := func(authURL string) error {
		for _, host := range []string{"127.0.0.1", "[::1]"} {
			if code, body := get(t, "http://"+host+":"+port+"/callback", "localhost:"+port); code != http.StatusBadRequest || !strings.Contains(body, "cgmtop") {
				t.Errorf("%s:%s did not answer as cgmtop's callback: HTTP %d", host, port, code)
			}
		}
		return b.open(authURL)
	}
	if _, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: open}); err != nil {
		t.Fatalf("Login: %v (browser: %v)", err, b.errs)
	}
}

// Any web page open during the login can send requests to the callback.
// Without this login's state they get 400, do not end the login, and cannot
// hand it a code; the real browser then finishes it.
func TestStrayCallbacksCannotEndLogin(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	port := redirectPort(env)
	var out testio.Buffer
	honest := &goBrowser{decision: "allow"}
	forged := &goBrowser{decision: "allow", tamper: func(u *url.URL) *url.URL {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
		return u
	}}
	open := func(authURL string) error {
		base := "http://localhost:" + port + "/callback"
		for _, query := range []string{
			"error=access_denied",
			"error=access_denied&state=wrong",
			"error=server_error&error_description=%1B%5D0%3Bpwned%07&state=",
			"code=stolen-elsewhere",
			"code=stolen-elsewhere&state=wrong",
			"state=wrong",
		} {
			if code, body := get(t, base+"?"+query, ""); code != http.StatusBadRequest || !strings.Contains(body, "Not this login") {
				t.Errorf("stray ?%s: HTTP %d, want 400 and the not-this-login page", query, code)
			}
		}
		// A foreign site whose name was rebound to 127.0.0.1.
		if code, _ := get(t, base+"?code=x&state=y", "evil.example:"+port); code != http.StatusMisdirectedRequest {
			t.Errorf("request for another host: HTTP %d, want 421", code)
		}
		// A real redirect whose state was swapped: turned away as well.
		if err := forged.visit(authURL); err != nil {
			t.Errorf("forged redirect: %v", err)
		}
		return honest.open(authURL)
	}
	tok, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: open, Out: &out})
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Login after stray requests: %v (browser: %v)", err, honest.errs)
	}
	if n := strings.Count(out.String(), "Ignored a request"); n != 1 {
		t.Errorf("the terminal was told about stray requests %d times, want once:\n%s", n, out.String())
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("terminal output carries an escape from a stray request: %q", out.String())
	}
}

// stateOf returns the state a login put in its link.
func stateOf(t *testing.T, authURL string) string {
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

// mustBeTerminalSafe fails when s carries anything a terminal acts on.
func mustBeTerminalSafe(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Errorf("%s carries %U: %q", what, r, s)
			return
		}
	}
}

// hostile is what a malicious or broken server writes: a title change, a
// screen clear, an OSC 52 clipboard write, a C1 CSI, a bidi override and a
// fake second line.
const hostile = "\x1b]0;owned\x07\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07\u009b31m\u202eevil\nFAKE: run curl x|sh"

// The OAuth error a login page sends back reaches the terminal without a
// single control character, and access_denied is explained by what the
// server said.
func TestCallbackErrorTextIsStripped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"server error", url.Values{"error": {"server_error" + hostile}, "error_description": {hostile}},
			[]string{"Dexcom login failed: server_error", "owned", "FAKE: run curl"}},
		{"access denied with a reason", url.Values{"error": {"access_denied"}, "error_description": {"The app is suspended" + hostile}},
			[]string{"Dexcom denied access: The app is suspended"}},
		{"access denied, no reason", url.Values{"error": {"access_denied"}},
			[]string{"without saying why", "Deny", "choose Allow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, emulator.Config{})
			var out testio.Buffer
			open := func(authURL string) error {
				q := tc.params
				q.Set("state", stateOf(t, authURL))
				go func() {
					if resp, err := http.Get(env.redirect + "?" + q.Encode()); err == nil {
						resp.Body.Close()
					}
				}()
				return nil
			}
			_, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: open, Out: &out})
			if err == nil {
				t.Fatal("Login succeeded")
			}
			t.Logf("error: %v", err)
			mustBeTerminalSafe(t, "the error", err.Error())
			mustBeTerminalSafe(t, "the terminal output", strings.ReplaceAll(out.String(), "\n", " "))
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// hostileTokenServer is a token endpoint that refuses everything with an
// OAuth error full of terminal escapes.
func hostileTokenServer(t *testing.T, errCode string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": errCode + hostile, "error_description": hostile})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Token endpoint refusals, at login and at refresh, reach the user clean.
func TestTokenErrorTextIsStripped(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	tokenSrv := hostileTokenServer(t, "invalid_request")
	cfg := env.oauth()
	cfg.Endpoint.TokenURL = tokenSrv.URL + "/v2/oauth2/token"
	b := &goBrowser{decision: "allow"}
	_, err := Login(testContext(t), LoginOptions{OAuth: cfg, OpenBrowser: b.open, HTTPClient: dexcom.NewHTTPClient()})
	if err == nil {
		t.Fatal("Login succeeded against a refusing token endpoint")
	}
	t.Logf("login error: %v", err)
	mustBeTerminalSafe(t, "the login error", err.Error())
	if !strings.Contains(err.Error(), "owned") {
		t.Errorf("the server's words were dropped rather than cleaned: %q", err)
	}

	store := env.fileStore()
	if err := store.Save(context.Background(), Credentials{ClientID: "id", RefreshToken: "rt", BaseURL: tokenSrv.URL}); err != nil {
		t.Fatal(err)
	}
	ts := NewTokenSource(store, dexcom.OAuthConfig(tokenSrv.URL, "id", "secret", ""), dexcom.NewHTTPClient(), env.lockPath(), nil)
	_, err = ts.Token(testContext(t))
	if err == nil {
		t.Fatal("refresh succeeded against a refusing token endpoint")
	}
	t.Logf("refresh error: %v", err)
	mustBeTerminalSafe(t, "the refresh error", err.Error())
}

// A paste far longer than any address is refused at once, with a message,
// instead of silently stopping the reader while the login waits 5 minutes.
func TestPasteTooLong(t *testing.T) {
	for name, paste := range map[string]string{
		"1 MiB line":         strings.Repeat("a", 1<<20) + "\n",
		"1 MiB with no end":  strings.Repeat("code=", 1<<20/5),
		"a line over 64 KiB": "http://localhost/callback?code=" + strings.Repeat("x", 64<<10) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			env := newEnv(t, emulator.Config{})
			var out testio.Buffer
			// The timeout is long: only the refusal, not the clock, may end
			// this login.
			_, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), NoBrowser: true,
				In: strings.NewReader(paste), Out: &out, Timeout: 90 * time.Second})
			if err == nil || !strings.Contains(err.Error(), "longer than 64 KiB") {
				t.Fatalf("Login with a %d-byte paste: %v; want the too-long refusal", len(paste), err)
			}
			if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timed out") {
				t.Fatalf("the login waited instead of refusing: %v", err)
			}
			if strings.Contains(err.Error()+out.String(), "aaaaaaaa") {
				t.Error("the paste was echoed back")
			}
		})
	}
}

// Over SSH the terminal shows the paste prompt: a stray request is noted
// above a fresh prompt, and the paste that follows still logs in.
func TestStrayCallbackWhilePasting(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	var out testio.Buffer
	b := &goBrowser{decision: "allow"}
	in := pastedFlow(t, &out, b, func(redirect string) string {
		if resp, err := http.Get(env.redirect + "?error=access_denied&state=wrong"); err == nil {
			resp.Body.Close()
		}
		return redirect
	})
	tok, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), NoBrowser: true, In: in, Out: &out,
		OpenBrowser: func(string) error { t.Error("a browser was opened in no-browser mode"); return nil }})
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Login: %v (browser: %v)", err, b.errs)
	}
	if n := strings.Count(out.String(), pastePrompt); n != 2 || !strings.Contains(out.String(), "Ignored a request") {
		t.Errorf("want the note and the prompt again (prompt shown %d times):\n%s", n, out.String())
	}
}

// FuzzParsePasted: whatever is pasted, parsing neither panics nor repeats
// the paste in its error (it may hold the code).
func FuzzParsePasted(f *testing.F) {
	for _, s := range []string{"http://localhost:8765/callback?code=abc123xyz&state=s1", "abc123xyz", "code=\x1b]52;c;x\x07", "?error=access_denied&error_description=%1B%5B2J", "%zz?code="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, _, err := parsePasted(line)
		if err != nil && len(line) > 8 && strings.Contains(err.Error(), line) {
			t.Fatalf("the error repeats the paste: %v", err)
		}
	})
}
