package dexcom

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// oauthTokens is Tokens over golang.org/x/oauth2, as the login package does
// it but without storage: enough to exercise the 401 → refresh path against
// the emulator's real token endpoint.
type oauthTokens struct {
	cfg *oauth2.Config
	hc  *http.Client

	mu        sync.Mutex
	tok       *oauth2.Token
	refreshes int
}

func (o *oauthTokens) Token(context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.tok.AccessToken, nil
}

func (o *oauthTokens) Refresh(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, o.hc)
	// A token with only a refresh token makes the source refresh at once.
	tok, err := o.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: o.tok.RefreshToken}).Token()
	if err != nil {
		return "", err
	}
	o.tok = tok
	o.refreshes++
	return tok.AccessToken, nil
}

func (o *oauthTokens) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refreshes
}

// login runs the authorization-code flow against an auto-approving
// emulator: GET the login URL without following the redirect, take the
// code from Location, exchange it.
func login(t testing.TB, s *emulator.Server) *oauthTokens {
	t.Helper()
	cfg := OAuthConfig(s.URL(), emulator.DefaultClientID, emulator.DefaultClientSecret, emulator.DefaultRedirectURI)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const state = "state-7d1f"
	resp, err := hc.Get(cfg.AuthCodeURL(state))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode/100 != 3 {
		t.Fatalf("login answered %d with Location %q, want a redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != state {
		t.Fatalf("redirect lost the state parameter")
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{})
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatalf("exchanging the code: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatal("token response lacks an access or refresh token")
	}
	return &oauthTokens{cfg: cfg, hc: &http.Client{}, tok: tok}
}
