package dexcom

import (
	"context"
	"net/http"
	"net/url"
	"slices"
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

// Token requests, which golang.org/x/oauth2 builds without a User-Agent,
// name cgmtop when they go through NewHTTPClientWithUserAgent; the API
// requests keep the one the Client sets.
func TestTokenRequestsNameCgmtop(t *testing.T) {
	s, err := emulator.Start(emulator.Config{AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens := login(t, s)
	hc := NewHTTPClientWithUserAgent("cgmtop/9.9.9")
	tokens.hc = hc
	s.ExpireAccessTokens()
	c := New(s.URL(), tokens, WithHTTPClient(hc), WithUserAgent("cgmtop/9.9.9"))
	if _, err := c.DataRange(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tokens.count() != 1 {
		t.Fatalf("%d refreshes, want 1", tokens.count())
	}
	// The first exchange above went through a plain client; it shows what
	// the emulator records without the wrapper.
	got := s.UserAgents("token")
	t.Logf("User-Agents at the token endpoint: %q", got)
	if !slices.Contains(got, "cgmtop/9.9.9") || !slices.Contains(got, "Go-http-client/1.1") || len(got) != 2 {
		t.Errorf("token endpoint saw %q, want cgmtop/9.9.9 for the refresh (and Go's default for the unwrapped exchange)", got)
	}
	if got := s.UserAgents("dataRange"); !slices.Equal(got, []string{"cgmtop/9.9.9"}) {
		t.Errorf("dataRange saw %q", got)
	}
}
