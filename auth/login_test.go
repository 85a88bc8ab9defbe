package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testio"
)

func TestConnectThroughConsentPage(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	ctx := testContext(t)
	store := env.fileStore()
	b := &goBrowser{decision: "allow"}
	var out testio.Buffer
	tok, err := Connect(ctx, store, env.emu.URL(), LoginOptions{
		OAuth: env.oauth(), HTTPClient: dexcom.NewHTTPClient(), OpenBrowser: b.open, Out: &out,
	})
	if err != nil {
		t.Fatalf("Connect: %v (browser: %v)", err, b.errs)
	}
	creds, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.RefreshToken != tok.RefreshToken || creds.ClientID != emulator.DefaultClientID ||
		creds.ClientSecret != emulator.DefaultClientSecret || creds.BaseURL != env.emu.URL() {
		t.Errorf("stored %+v does not match the login", creds)
	}
	if !strings.Contains(out.String(), "cgmtop is connected") {
		t.Errorf("output lacks the success line:\n%s", out.String())
	}

	// The tokens work against the API, seeded and then after a forced refresh.
	ts := env.tokenSource(store)
	ts.Seed(tok)
	if err := apiCall(ctx, env.emu.URL(), ts); err != nil {
		t.Fatalf("API call with the new login: %v", err)
	}
	env.emu.ExpireAccessTokens()
	if err := apiCall(ctx, env.emu.URL(), ts); err != nil {
		t.Fatalf("API call after the access token expired: %v", err)
	}

	// Single use: the callback server is gone once the login is done.
	if resp, err := http.Get(env.redirect + "?code=x&state=y"); err == nil {
		resp.Body.Close()
		t.Errorf("callback still answers after the login (HTTP %d)", resp.StatusCode)
	}
}

func TestLoginPages(t *testing.T) {
	for _, tc := range []struct {
		decision, wantMark string
	}{{"allow", `id="connected"`}, {"deny", `id="failed"`}} {
		t.Run(tc.decision, func(t *testing.T) {
			env := newEnv(t, emulator.Config{})
			page := make(chan string, 1)
			b := &goBrowser{decision: tc.decision, deliver: func(redirect string) {
				resp, err := http.Get(redirect)
				if err != nil {
					page <- err.Error()
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				page <- string(body)
			}}
			_, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: b.open})
			if (err == nil) != (tc.decision == "allow") {
				t.Fatalf("Login error = %v", err)
			}
			if got := <-page; !strings.Contains(got, tc.wantMark) {
				t.Errorf("the browser got a page without %s:\n%s", tc.wantMark, got)
			}
		})
	}
}

// pastedFlow answers the no-browser prompt as a user over SSH would: opens
// the printed link "on another machine" and pastes back what it lands on.
// It returns the terminal input Login reads.
func pastedFlow(t *testing.T, out *testio.Buffer, b *goBrowser, toPaste func(redirect string) string) io.Reader {
	in, paste := io.Pipe()
	t.Cleanup(func() { paste.Close() })
	b.deliver = func(redirect string) {
		fmt.Fprintln(paste, "   ")
		fmt.Fprintln(paste, toPaste(redirect))
	}
	go followPrintedLink(out, b)
	return in
}

// followPrintedLink waits for Login to print the link, then visits it.
func followPrintedLink(out *testio.Buffer, b *goBrowser) {
	linkRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/v2/oauth2/login\?\S+`)
	for range 1000 {
		if link := linkRE.FindString(out.String()); link != "" {
			if err := b.visit(link); err != nil {
				b.mu.Lock()
				b.errs = append(b.errs, err)
				b.mu.Unlock()
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func redirectPort(env *testEnv) string {
	u, _ := url.Parse(env.redirect)
	return u.Port()
}

func TestNoBrowserPaste(t *testing.T) {
	for name, toPaste := range map[string]func(string) string{
		"redirect URL": func(r string) string { return r },
		"bare code":    func(r string) string { u, _ := url.Parse(r); return u.Query().Get("code") },
	} {
		t.Run(name, func(t *testing.T) {
			env := newEnv(t, emulator.Config{})
			var out testio.Buffer
			b := &goBrowser{decision: "allow"}
			store := env.fileStore()
			opts := LoginOptions{OAuth: env.oauth(), NoBrowser: true, In: pastedFlow(t, &out, b, toPaste), Out: &out,
				OpenBrowser: func(string) error { t.Error("a browser was opened in no-browser mode"); return nil }}
			if _, err := Connect(testContext(t), store, env.emu.URL(), opts); err != nil {
				t.Fatalf("Connect: %v (browser: %v)", err, b.errs)
			}
			if _, err := store.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			port := redirectPort(env)
			if want := "ssh -L " + port + ":localhost:" + port + " "; !strings.Contains(out.String(), want) {
				t.Errorf("instructions lack %q:\n%s", want, out.String())
			}
		})
	}
}

// Over SSH with a forwarded port the browser reaches the callback server
// itself while the terminal still waits for a paste.
func TestNoBrowserForwardedPort(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	var out testio.Buffer
	in, paste := io.Pipe()
	defer paste.Close()
	b := &goBrowser{decision: "allow"}
	go followPrintedLink(&out, b)
	tok, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), NoBrowser: true, In: in, Out: &out})
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Login = %v, %v (browser: %v)", tok, err, b.errs)
	}
}

// Every failure is one line that says what to do, and leaves nothing stored.
func TestLoginFailures(t *testing.T) {
	tests := []struct {
		name    string
		browser func(env *testEnv) *goBrowser
		secret  string        // a wrong client secret
		timeout time.Duration // a short wait
		paste   string        // typed into the terminal instead
		want    string
	}{
		{name: "reused code", want: "already used", browser: func(env *testEnv) *goBrowser {
			return &goBrowser{decision: "allow", before: func(code string) {
				// Someone else redeems the code first.
				env.oauth().Exchange(context.Background(), code)
			}}
		}},
		{name: "wrong client secret", secret: "not-the-secret", want: "invalid_client",
			browser: func(*testEnv) *goBrowser { return &goBrowser{decision: "allow"} }},
		{name: "access denied", want: "denied",
			browser: func(*testEnv) *goBrowser { return &goBrowser{decision: "deny"} }},
		{name: "callback timeout", timeout: 300 * time.Millisecond, want: "timed out"},
		{name: "pasted garbage", paste: "I clicked allow, now what?", want: "neither the redirect address nor an authorization code"},
		{name: "pasted URL with wrong state", paste: "http://localhost/callback?code=abcdefgh&state=nope", want: "wrong state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, emulator.Config{})
			cfg := env.oauth()
			if tc.secret != "" {
				cfg.ClientSecret = tc.secret
			}
			var out testio.Buffer
			opts := LoginOptions{OAuth: cfg, Out: &out, Timeout: tc.timeout,
				OpenBrowser: func(string) error { return nil }}
			if tc.browser != nil {
				opts.OpenBrowser = tc.browser(env).open
			}
			if tc.paste != "" {
				opts.NoBrowser, opts.In = true, strings.NewReader(tc.paste+"\n")
			}
			store := env.fileStore()
			_, err := Connect(testContext(t), store, env.emu.URL(), opts)
			if err == nil {
				t.Fatal("Connect succeeded")
			}
			t.Logf("error: %v", err)
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line mentioning %q", msg, tc.want)
			}
			if tc.paste != "" && strings.Contains(err.Error()+out.String(), tc.paste) {
				t.Errorf("the pasted text was echoed back")
			}
			requireEmpty(t, store)
		})
	}
}

func TestPortBusy(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:"+redirectPort(env))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: func(string) error {
		t.Error("browser opened though the callback port is taken")
		return nil
	}})
	if err == nil || !strings.Contains(err.Error(), "port "+redirectPort(env)) || !strings.Contains(err.Error(), "--redirect-uri") {
		t.Fatalf("Login with the port taken: %v; want the port and --redirect-uri named", err)
	}
}

func TestRedirectURIs(t *testing.T) {
	for uri, wantErr := range map[string]bool{
		"http://localhost:8765/callback": false,
		"http://127.0.0.1:9/cb":          false,
		"http://[::1]:8765/callback":     false,
		"https://localhost:8765/cb":      true,
		"http://example.com:8765/cb":     true,
		"localhost:8765":                 true,
		"":                               true,
	} {
		if _, err := parseRedirect(uri); (err != nil) != wantErr {
			t.Errorf("parseRedirect(%q) error = %v, want error %v", uri, err, wantErr)
		}
	}
}

func TestParsePasted(t *testing.T) {
	tests := []struct {
		in         string
		code       string
		checkState bool
		ok         bool
	}{
		{"http://localhost:8765/callback?code=abc123xyz&state=s1", "abc123xyz", true, true},
		{"localhost:8765/callback?state=s1&code=abc123xyz#frag", "abc123xyz", true, true},
		{"code=abc123xyz&state=s1", "abc123xyz", true, true},
		{"abc123xyz_-.~", "abc123xyz_-.~", false, true},
		{"http://localhost:8765/callback?error=access_denied&state=s1", "", true, true},
		{"hello there", "", false, false},
		{"http://localhost:8765/callback", "", false, false},
		{"abc", "", false, false},
		{"http://localhost:8765/callback?state=s1", "", false, false},
	}
	for _, tc := range tests {
		q, check, err := parsePasted(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (q.Get("code") != tc.code || check != tc.checkState)) {
			t.Errorf("parsePasted(%q) = %v, %v, %v; want code %q, state check %v, ok %v", tc.in, q, check, err, tc.code, tc.checkState, tc.ok)
		}
	}
}

func TestShouldUseBrowser(t *testing.T) {
	tests := []struct {
		env  map[string]string
		goos string
		want bool
	}{
		{map[string]string{"DISPLAY": ":0"}, "linux", true},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "linux", true},
		{map[string]string{}, "linux", false},
		{map[string]string{}, "freebsd", false},
		{map[string]string{"DISPLAY": ":0", "SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, "linux", false},
		{map[string]string{"SSH_TTY": "/dev/pts/1"}, "darwin", false},
		{map[string]string{}, "darwin", true},
		{map[string]string{}, "windows", true},
	}
	for _, tc := range tests {
		if got := shouldUseBrowser(func(k string) string { return tc.env[k] }, tc.goos); got != tc.want {
			t.Errorf("shouldUseBrowser(%v, %s) = %v, want %v", tc.env, tc.goos, got, tc.want)
		}
	}
}

// $BROWSER is honoured: its command gets the URL, "%s" or appended.
func TestBrowserEnv(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "browser.sh")
	got := filepath.Join(dir, "opened")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s|%s' \"$1\" \"$2\" > "+got+".tmp && mv "+got+".tmp "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for browserEnv, want := range map[string]string{
		"/nonexistent/browser:" + script: "http://127.0.0.1:1/x?a=b|",
		script + " --new-tab %s":         "--new-tab|http://127.0.0.1:1/x?a=b",
	} {
		os.Remove(got)
		t.Setenv("BROWSER", browserEnv)
		if err := OpenBrowser("http://127.0.0.1:1/x?a=b"); err != nil {
			t.Fatal(err)
		}
		var data []byte
		for range 500 {
			if data, _ = os.ReadFile(got); data != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if string(data) != want {
			t.Errorf("BROWSER=%q: the browser got %q, want %q", browserEnv, data, want)
		}
	}
	t.Setenv("BROWSER", "/nonexistent/browser")
	if err := OpenBrowser("http://127.0.0.1:1/"); err == nil {
		t.Error("OpenBrowser with no runnable $BROWSER succeeded")
	}
}

// A browser that cannot open falls back to the printed link and a paste.
func TestBrowserFailsFallsBackToPaste(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	var out testio.Buffer
	b := &goBrowser{decision: "allow"}
	in := pastedFlow(t, &out, b, func(r string) string { return r })
	_, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), In: in, Out: &out,
		OpenBrowser: func(string) error { return errors.New("no browser here") }})
	if err != nil {
		t.Fatalf("Login: %v (browser: %v)", err, b.errs)
	}
	if !strings.Contains(out.String(), "Could not open a browser") {
		t.Errorf("no word about the browser failing:\n%s", out.String())
	}
}

// A stray visit to the callback (no code, no error) leaves the login waiting.
func TestStrayCallbackVisit(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	b := &goBrowser{decision: "allow"}
	open := func(authURL string) error {
		resp, err := http.Get(env.redirect)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("stray visit: HTTP %d", resp.StatusCode)
		}
		if resp, err := http.Get(strings.Replace(env.redirect, "/callback", "/favicon.ico", 1)); err == nil {
			resp.Body.Close()
		}
		return b.open(authURL)
	}
	if _, err := Login(testContext(t), LoginOptions{OAuth: env.oauth(), OpenBrowser: open}); err != nil {
		t.Fatalf("Login after a stray visit: %v", err)
	}
}
