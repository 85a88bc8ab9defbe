package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/clock"
	"golang.org/x/oauth2"
)

func TestOAuthHappyPath(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow)})
	tok := login(t, s)
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("incomplete token: type %q, access %t, refresh %t", tok.TokenType, tok.AccessToken != "", tok.RefreshToken != "")
	}
	if got := tok.ExpiresIn; got != int64((2 * time.Hour).Seconds()) {
		t.Errorf("expires_in = %d, want 7200", got)
	}
	code, body := get(t, s, tok.AccessToken, "/v3/users/self/devices")
	if code != http.StatusOK {
		t.Fatalf("devices answered %d: %s", code, body)
	}
	st := s.Stats()
	if st["login"] != 1 || st["token"] != 1 || st["devices"] != 1 {
		t.Errorf("stats = %v", st)
	}
}

func TestOAuthPKCE(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true})
	oc := oauthConfig(s)

	verifier := oauth2.GenerateVerifier()
	q := redirectParams(t, oc.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	if _, err := oc.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("matching verifier refused: %v", err)
	}

	q = redirectParams(t, oc.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	_, err := oc.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")

	q = redirectParams(t, oc.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	_, err = oc.Exchange(context.Background(), q.Get("code"))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
}

func wantOAuthError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v, want an oauth2.RetrieveError", err)
	}
	if re.Response.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("got HTTP %d %q, want %d %q", re.Response.StatusCode, re.ErrorCode, status, code)
	}
}

func TestOAuthCodeRules(t *testing.T) {
	clk := clock.NewManual(testNow)
	s := startServer(t, Config{AutoApprove: true, Clock: clk})
	oc := oauthConfig(s)
	ctx := context.Background()

	t.Run("reused code", func(t *testing.T) {
		code := redirectParams(t, oc.AuthCodeURL("s")).Get("code")
		if _, err := oc.Exchange(ctx, code); err != nil {
			t.Fatal(err)
		}
		_, err := oc.Exchange(ctx, code)
		wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("wrong secret", func(t *testing.T) {
		code := redirectParams(t, oc.AuthCodeURL("s")).Get("code")
		bad := *oc
		bad.ClientSecret = "not-the-secret"
		_, err := bad.Exchange(ctx, code)
		wantOAuthError(t, err, http.StatusUnauthorized, "invalid_client")
	})
	t.Run("redirect differs from login", func(t *testing.T) {
		code := redirectParams(t, oc.AuthCodeURL("s")).Get("code")
		other := *oc
		other.RedirectURL = "http://localhost:9999/callback"
		_, err := other.Exchange(ctx, code)
		wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("expired code", func(t *testing.T) {
		code := redirectParams(t, oc.AuthCodeURL("s")).Get("code")
		clk.Advance(CodeTTL + time.Second)
		_, err := oc.Exchange(ctx, code)
		wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	})
}

func TestLoginRejectsWrongClient(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true})
	oc := oauthConfig(s)
	tests := []struct {
		name    string
		mutate  func(*oauth2.Config)
		mention string
	}{
		{"redirect uri", func(c *oauth2.Config) { c.RedirectURL = "http://localhost:8765/callback/" }, "redirect_uri"},
		{"redirect port", func(c *oauth2.Config) { c.RedirectURL = "http://127.0.0.1:8765/callback" }, "redirect_uri"},
		{"client id", func(c *oauth2.Config) { c.ClientID = "someone-else" }, "client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := *oc
			tt.mutate(&c)
			resp, err := noRedirect.Get(c.AuthCodeURL("s"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			page, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), tt.mention) {
				t.Fatalf("got %d %q, want 400 naming %s", resp.StatusCode, page, tt.mention)
			}
		})
	}
	resp, err := noRedirect.Get(strings.Replace(oc.AuthCodeURL("s"), "response_type=code", "response_type=token", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("response_type=token answered %d, want 400", resp.StatusCode)
	}
}

func TestConsentPage(t *testing.T) {
	s := startServer(t, Config{})
	oc := oauthConfig(s)
	code, page := get(t, s, "", strings.TrimPrefix(oc.AuthCodeURL("xyz"), s.URL()))
	if code != http.StatusOK || !strings.Contains(string(page), "Allow") || !strings.Contains(string(page), "User G6") {
		t.Fatalf("consent page: %d %.300s", code, page)
	}
	post := func(decision, user string) url.Values {
		form := url.Values{
			"client_id": {oc.ClientID}, "redirect_uri": {oc.RedirectURL}, "state": {"xyz"},
			"scope": {"offline_access"}, "decision": {decision}, "user": {user},
		}
		resp, err := noRedirect.PostForm(s.URL()+"/v2/oauth2/login", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("%s answered %d, want 302", decision, resp.StatusCode)
		}
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if got := loc.Scheme + "://" + loc.Host + loc.Path; got != oc.RedirectURL {
			t.Fatalf("redirected to %s", got)
		}
		return loc.Query()
	}
	if q := post("deny", "g7"); q.Get("error") != "access_denied" || q.Get("state") != "xyz" || q.Has("code") {
		t.Errorf("deny redirect query = %v", q)
	}
	q := post("allow", "g6")
	if q.Get("state") != "xyz" || q.Get("code") == "" {
		t.Fatalf("allow redirect query = %v", q)
	}
	tok, err := oc.Exchange(context.Background(), q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, s, tok.AccessToken, "/v3/users/self/devices")
	if !strings.Contains(string(body), `"transmitterGeneration":"g6"`) {
		t.Errorf("choosing G6 on the consent page logged in as %.200s", body)
	}
}

func TestRefreshRotates(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true})
	oc := oauthConfig(s)
	ctx := context.Background()
	first := login(t, s)

	old := &oauth2.Token{RefreshToken: first.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
	second, err := oc.TokenSource(ctx, old).Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not hand out a new refresh and access token")
	}
	_, err = oc.TokenSource(ctx, old).Token()
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")

	bad := *oc
	bad.ClientSecret = "wrong"
	_, err = bad.TokenSource(ctx, &oauth2.Token{RefreshToken: second.RefreshToken}).Token()
	wantOAuthError(t, err, http.StatusUnauthorized, "invalid_client")

	if code, _ := get(t, s, second.AccessToken, "/v3/users/self/devices"); code != http.StatusOK {
		t.Errorf("new access token answered %d", code)
	}
}

func TestAccessTokenExpiry(t *testing.T) {
	clk := clock.NewManual(testNow)
	s := startServer(t, Config{AutoApprove: true, Clock: clk, AccessTTL: 10 * time.Minute})
	tok := login(t, s)
	if tok.ExpiresIn != 600 {
		t.Errorf("expires_in = %d, want 600", tok.ExpiresIn)
	}
	const path = "/v3/users/self/devices"
	if code, _ := get(t, s, tok.AccessToken, path); code != http.StatusOK {
		t.Fatalf("fresh token answered %d", code)
	}
	clk.Advance(10 * time.Minute)
	if code, _ := get(t, s, tok.AccessToken, path); code != http.StatusUnauthorized {
		t.Errorf("token past its TTL answered %d, want 401", code)
	}

	tok = login(t, s)
	s.ExpireAccessTokens()
	if code, _ := get(t, s, tok.AccessToken, path); code != http.StatusUnauthorized {
		t.Errorf("after ExpireAccessTokens answered %d, want 401", code)
	}
	for _, h := range []string{"", "garbage"} {
		if code, _ := get(t, s, h, path); code != http.StatusUnauthorized {
			t.Errorf("token %q answered %d, want 401", h, code)
		}
	}
}
