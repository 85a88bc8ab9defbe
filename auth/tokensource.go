package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/lockfile"
)

// lockWait bounds the wait for another process's refresh. A refresh is one
// HTTP call, and the kernel drops the lock of a process that dies.
const lockWait = time.Minute

// refreshTimeout bounds one refresh call to the token endpoint.
const refreshTimeout = 30 * time.Second

// TokenSource hands out access tokens for a stored login and renews them.
// It implements the dexcom.Tokens interface.
//
// Refresh tokens may be single-use, so a refresh that is lost or raced
// would log the user out. TokenSource therefore serializes refreshes across
// processes with a file lock, re-reads the store under that lock (another
// process may have rotated the token already, and stored an access token
// this one can use), sets aside the room for the new refresh token before
// spending the old one, and saves it before handing out the access token
// that came with it.
type TokenSource struct {
	store      Store
	oauth      *oauth2.Config
	httpClient *http.Client
	lockPath   string
	clock      clock.Clock

	refreshMu sync.Mutex // one refresh at a time in this process

	mu      sync.Mutex
	access  string
	expiry  time.Time // by clock; zero means unknown
	deadRT  string    // a refresh token the server refused: don't retry it
	unsaved *Credentials
}

// NewTokenSource returns a TokenSource for the login in store. oauth gives
// the token endpoint; the client id and secret come from the store when it
// has them. lockPath is config.Paths.Lock(account, "refresh"); clk may be
// nil for the wall clock.
func NewTokenSource(store Store, oauth *oauth2.Config, httpClient *http.Client, lockPath string, clk clock.Clock) *TokenSource {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &TokenSource{store: store, oauth: oauth, httpClient: httpClient, lockPath: lockPath, clock: clk}
}

// Seed hands the TokenSource an access token just obtained by Connect, so
// the first call need not refresh.
func (ts *TokenSource) Seed(tok *oauth2.Token) {
	if tok == nil || tok.AccessToken == "" {
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.access, ts.expiry = tok.AccessToken, ts.expiryOf(tok)
}

// Token returns an access token, refreshing it when it is missing or about
// to expire.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	access, fresh := ts.access, ts.freshLocked()
	ts.mu.Unlock()
	if fresh {
		return access, nil
	}
	return ts.refresh(ctx, access)
}

// Refresh gets a new access token even if the current one looks valid: the
// server has just refused it. Callers that hit 401 together share one
// refresh.
func (ts *TokenSource) Refresh(ctx context.Context) (string, error) {
	ts.mu.Lock()
	refused := ts.access
	ts.mu.Unlock()
	return ts.refresh(ctx, refused)
}

// freshLocked reports whether the access token has life left, keeping a
// margin so that a request does not carry a token that expires in flight.
func (ts *TokenSource) freshLocked() bool {
	if ts.access == "" {
		return false
	}
	if ts.expiry.IsZero() {
		return true
	}
	return ts.clock.Now().Before(ts.expiry)
}

// expiryOf is when to renew tok, on ts's clock.
func (ts *TokenSource) expiryOf(tok *oauth2.Token) time.Time {
	return renewAt(ts.clock.Now(), tok)
}

// renewAt is when to renew tok, received at now: a tenth of its lifetime
// (at most a minute) before it ends. expires_in is used rather than
// tok.Expiry, which oauth2 computes on the wall clock.
func renewAt(now time.Time, tok *oauth2.Token) time.Time {
	if tok.ExpiresIn <= 0 {
		if tok.Expiry.IsZero() {
			return time.Time{}
		}
		return now.Add(time.Until(tok.Expiry) * 9 / 10)
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	return now.Add(life - min(life/10, time.Minute))
}

// adopt takes the access token another process (or the login) stored, if
// it is not the one refused and has life left. A stored token without a
// renewal time is not trusted: nobody knows when it ends.
func (ts *TokenSource) adopt(creds Credentials, refused string) (string, bool) {
	if creds.AccessToken == "" || creds.AccessToken == refused || creds.AccessRenew.IsZero() ||
		!ts.clock.Now().Before(creds.AccessRenew) {
		return "", false
	}
	ts.mu.Lock()
	ts.access, ts.expiry = creds.AccessToken, creds.AccessRenew
	ts.mu.Unlock()
	return creds.AccessToken, true
}

// refresh replaces the access token refused (empty when there was none).
// Every process of the account shares one access token through the store,
// so that across all of them the refresh token is spent about once per
// access token lifetime, and never unless its successor can be saved.
func (ts *TokenSource) refresh(ctx context.Context, refused string) (string, error) {
	ts.refreshMu.Lock()
	defer ts.refreshMu.Unlock()

	// Another goroutine may have refreshed while this one waited.
	ts.mu.Lock()
	if ts.access != "" && ts.access != refused && ts.freshLocked() {
		access := ts.access
		ts.mu.Unlock()
		return access, nil
	}
	ts.mu.Unlock()

	// Another process may have stored a newer one: no lock is needed to
	// read, since stores replace their contents atomically.
	if creds, err := ts.store.Load(ctx); err == nil {
		if access, ok := ts.adopt(creds, refused); ok {
			return access, nil
		}
	}

	unlock, err := ts.lock(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()

	if err := ts.saveUnsaved(ctx); err != nil {
		return "", err
	}
	creds, err := ts.store.Load(ctx)
	if errors.Is(err, ErrNoLogin) {
		return "", fmt.Errorf("no stored login: %w", client.ErrNotLoggedIn)
	}
	if err != nil {
		return "", err
	}
	// Renewed by another process while this one waited for the lock.
	if access, ok := ts.adopt(creds, refused); ok {
		return access, nil
	}
	ts.mu.Lock()
	dead := creds.RefreshToken == ts.deadRT
	ts.mu.Unlock()
	if dead {
		// Already refused: don't hammer the server until the user logs in.
		return "", loginDead("Dexcom refused the stored login")
	}

	// Prove the renewed login can be saved before spending the refresh
	// token: on a full disk, fail here with the stored login intact.
	save := ts.store.Save
	if r, ok := ts.store.(Reserver); ok {
		room, err := r.Reserve(ctx)
		if err != nil {
			return "", err
		}
		defer room.Release()
		save = room.Save
	}

	tok, err := ts.exchange(ctx, creds)
	if oauthCode(err) == "invalid_grant" {
		// Someone outside our lock (an older cgmtop, another lock path) may
		// have rotated it: take theirs and try once more.
		again, lerr := ts.store.Load(ctx)
		if lerr == nil && again.RefreshToken != creds.RefreshToken {
			creds = again
			tok, err = ts.exchange(ctx, creds)
		}
	}
	if err != nil {
		switch code := oauthCode(err); code {
		case "invalid_grant":
			ts.mu.Lock()
			ts.deadRT, ts.access = creds.RefreshToken, ""
			ts.mu.Unlock()
			return "", loginDead("Dexcom refused the stored login (invalid_grant)")
		case "invalid_client", "unauthorized_client":
			ts.mu.Lock()
			ts.deadRT, ts.access = creds.RefreshToken, ""
			ts.mu.Unlock()
			return "", fmt.Errorf("%s: %w", code, client.ErrClientRefused)
		}
		return "", renewError(err)
	}

	rotated := tok.RefreshToken != "" && tok.RefreshToken != creds.RefreshToken
	if rotated {
		creds.RefreshToken = tok.RefreshToken
	}
	expiry := ts.expiryOf(tok)
	creds.Updated = time.Now().UTC()
	creds.AccessToken, creds.AccessRenew = tok.AccessToken, expiry
	if err := save(ctx, creds); err != nil && rotated {
		// The server may already have retired the old refresh token, so the
		// new one must not be lost: keep it and retry the save on the next
		// refresh. The access token is withheld until it is saved.
		ts.mu.Lock()
		ts.unsaved, ts.access = &creds, ""
		ts.mu.Unlock()
		return "", fmt.Errorf("save the renewed login: %w", err)
	}
	// Unrotated, a failed save loses only the shared access token and the
	// "last refreshed" time.
	ts.mu.Lock()
	ts.access, ts.expiry = tok.AccessToken, expiry
	ts.mu.Unlock()
	return tok.AccessToken, nil
}

// saveUnsaved retries saving a rotated refresh token whose save failed.
func (ts *TokenSource) saveUnsaved(ctx context.Context) error {
	ts.mu.Lock()
	pending := ts.unsaved
	ts.mu.Unlock()
	if pending == nil {
		return nil
	}
	if err := ts.store.Save(ctx, *pending); err != nil {
		return fmt.Errorf("save the renewed login: %w", err)
	}
	ts.mu.Lock()
	ts.unsaved = nil
	ts.mu.Unlock()
	return nil
}

func (ts *TokenSource) exchange(ctx context.Context, creds Credentials) (*oauth2.Token, error) {
	cfg := *ts.oauth
	if creds.ClientID != "" {
		cfg.ClientID = creds.ClientID
	}
	if creds.ClientSecret != "" {
		cfg.ClientSecret = creds.ClientSecret
	}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, ts.httpClient), refreshTimeout)
	defer cancel()
	return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: creds.RefreshToken}).Token()
}

// lock takes the account's refresh lock, shared by every cgmtop process.
func (ts *TokenSource) lock(ctx context.Context) (unlock func(), err error) {
	if ts.lockPath == "" {
		return func() {}, nil
	}
	if err := config.EnsureDir(filepath.Dir(ts.lockPath)); err != nil {
		return nil, fmt.Errorf("refresh lock: %w", err)
	}
	unlock, err = lockfile.Take(ctx, ts.lockPath, lockWait)
	if errors.Is(err, lockfile.ErrBusy) {
		return nil, fmt.Errorf("another cgmtop has been renewing the login for over %s (lock %s): try again", lockWait, ts.lockPath)
	}
	return unlock, err
}

// renewError describes a refresh that failed for a reason other than a
// refused login, without the token endpoint's body, and keeps what callers
// sort errors by: a 429 is a *client.RateLimitError, a 5xx a
// *client.APIError, and a network failure stays wrapped as it came. Any
// other refusal keeps the server's words, made printable.
func renewError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		switch code := re.Response.StatusCode; {
		case code == http.StatusTooManyRequests:
			return fmt.Errorf("renew the Dexcom access token: %w", &client.RateLimitError{})
		case code >= 500:
			return fmt.Errorf("renew the Dexcom access token: %w", &client.APIError{StatusCode: code, Code: oneLine(re.ErrorCode)})
		}
	}
	return &renewFailed{err: err}
}

// renewFailed is a refresh that did not reach an answer.
type renewFailed struct{ err error }

func (e *renewFailed) Error() string { return "renew the Dexcom access token: " + describe(e.err) }
func (e *renewFailed) Unwrap() error { return e.err }
