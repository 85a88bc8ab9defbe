package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adrg/xdg"
	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/internal/testnet"
)

// testEnv is one emulator, one redirect port and private XDG folders.
type testEnv struct {
	emu      *emulator.Server
	redirect string
	paths    config.Paths
	xdgRoot  string
}

// newEnv starts the emulator with a redirect URI on a free loopback port and
// points XDG at a temp folder, so the test sees every file cgmtop writes.
func newEnv(t *testing.T, cfg emulator.Config) *testEnv {
	t.Helper()
	root := t.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		t.Setenv(v, filepath.Join(root, strings.ToLower(strings.TrimPrefix(v, "XDG_"))))
	}
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = fmt.Sprintf("http://localhost:%d/callback", testnet.FreePort(t))
	}
	emu, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return &testEnv{emu: emu, redirect: cfg.RedirectURI, paths: config.DefaultPaths(), xdgRoot: root}
}

func (e *testEnv) oauth() *oauth2.Config {
	c := e.emu.Config()
	return dexcom.OAuthConfig(e.emu.URL(), c.ClientID, c.ClientSecret, e.redirect)
}

func (e *testEnv) fileStore() Store { return NewFileStore(e.paths.TokenFile("default")) }

func (e *testEnv) lockPath() string { return e.paths.Lock("default", "refresh") }

func (e *testEnv) tokenSource(s Store) *TokenSource {
	return NewTokenSource(s, dexcom.OAuthConfig(e.emu.URL(), "", "", ""), dexcom.NewHTTPClient(), e.lockPath(), nil)
}

// goBrowser stands in for a user's browser in the flow tests: it loads the
// login page, presses a button of the consent form, and follows (or hands
// over) the redirect. The real-browser test uses Chromium instead.
type goBrowser struct {
	decision string                    // "allow" or "deny"
	tamper   func(u *url.URL) *url.URL // rewrites the redirect before it is followed
	deliver  func(redirect string)     // instead of following: e.g. paste it
	before   func(code string)         // sees the code first (to reuse it)

	mu    sync.Mutex
	codes []string
	errs  []error
}

func (b *goBrowser) open(authURL string) error {
	go func() {
		if err := b.visit(authURL); err != nil {
			b.mu.Lock()
			b.errs = append(b.errs, err)
			b.mu.Unlock()
		}
	}()
	return nil
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func (b *goBrowser) visit(authURL string) error {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], unescapeHTML(m[2]))
	}
	if form.Get("client_id") == "" {
		return fmt.Errorf("no consent form on the login page (HTTP %d)", resp.StatusCode)
	}
	form.Set("decision", b.decision)
	form.Set("user", "g7")
	u, _ := url.Parse(authURL)
	resp, err = noFollow.PostForm(u.Scheme+"://"+u.Host+"/v2/oauth2/login", form)
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return fmt.Errorf("consent gave no redirect (HTTP %d)", resp.StatusCode)
	}
	if code := loc.Query().Get("code"); code != "" {
		b.mu.Lock()
		b.codes = append(b.codes, code)
		b.mu.Unlock()
		if b.before != nil {
			b.before(code)
		}
	}
	if b.tamper != nil {
		loc = b.tamper(loc)
	}
	if b.deliver != nil {
		b.deliver(loc.String())
		return nil
	}
	resp, err = http.Get(loc.String())
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// apiCall reads the emulator's dataRange with a token from ts, as the Dexcom
// client does: one Refresh and retry after a 401.
func apiCall(ctx context.Context, base string, ts *TokenSource) error {
	tok, err := ts.Token(ctx)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v3/users/self/dataRange", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0:
			if tok, err = ts.Refresh(ctx); err != nil {
				return err
			}
		default:
			return fmt.Errorf("dataRange: HTTP %d", resp.StatusCode)
		}
	}
}

func requireEmpty(t *testing.T, s Store) {
	t.Helper()
	if _, err := s.Load(context.Background()); !errors.Is(err, ErrNoLogin) {
		t.Errorf("store after a failed login: Load() = %v, want ErrNoLogin (nothing stored)", err)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func testOAuth(redirect string) *oauth2.Config {
	return dexcom.OAuthConfig("http://127.0.0.1:1", "id", "secret", redirect)
}
