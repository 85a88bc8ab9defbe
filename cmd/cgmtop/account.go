package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/syncer"

	"github.com/google/renameio/v2/maybe"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

// loginMarker is a non-secret note that an account is logged in, so that
// `cgmtop status` can tell "not logged in" without touching the keyring.
type loginMarker struct {
	ClientID   string    `json:"client_id"`
	BaseURL    string    `json:"base_url"`
	TokenStore string    `json:"token_store"`
	At         time.Time `json:"logged_in_at"`
}

func markerPath(e env) string { return statusline.LoginMarkerPath(e.paths, e.account) }

// readMarker returns the account's login note, if there is one.
func readMarker(e env) (loginMarker, bool) {
	var m loginMarker
	data, err := os.ReadFile(markerPath(e))
	if err != nil {
		return m, false
	}
	return m, json.Unmarshal(data, &m) == nil
}

func writeMarker(e env, m loginMarker) error {
	path := markerPath(e)
	if err := config.EnsureDir(filepath.Dir(path)); err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return maybe.WriteFile(path, data, 0o600)
}

// tokenStore is the store the settings choose for the account.
func tokenStore(e env) (auth.Store, error) {
	return auth.NewStore(e.cfg.TokenStore, e.account, e.paths)
}

// openDexcom connects to the account's official Dexcom server with its
// stored login.
func openDexcom(ctx context.Context, e env, log *slog.Logger) (client.Source, error) {
	src, _, err := openDexcomOver(ctx, e, log, newHTTPClient())
	return src, err
}

// openDexcomOver is openDexcom on a given HTTP client; it also returns the
// server's base URL, for messages.
func openDexcomOver(ctx context.Context, e env, log *slog.Logger, httpClient *http.Client) (client.Source, string, error) {
	store, err := tokenStore(e)
	if err != nil {
		return nil, "", err
	}
	creds, err := store.Load(ctx)
	if err != nil {
		// On a fresh headless machine no keyring answers (no D-Bus), and
		// nothing was ever logged in: that is "not logged in", not a
		// keyring error. With a login marker the login is in that keyring,
		// and its error is the one to show.
		if errors.Is(err, auth.ErrNoLogin) ||
			errors.Is(err, auth.ErrKeyringUnavailable) && !exists(markerPath(e)) {
			return nil, "", fmt.Errorf("%w (or try `cgmtop --demo`)", client.ErrNotLoggedIn)
		}
		return nil, "", err
	}
	base := creds.BaseURL
	if base == "" {
		if base, err = apiBase(e.cfg.Region, e.cfg.APIURL); err != nil {
			return nil, "", err
		}
	} else if _, err := client.ServerURL(base); err != nil {
		// Kept by a version that let plain http leave the machine.
		return nil, "", fmt.Errorf("the stored login's server %w: run `cgmtop login` again", err)
	}
	oauth := dexcom.OAuthConfig(base, creds.ClientID, creds.ClientSecret, e.cfg.RedirectURI)
	tokens := auth.NewTokenSource(store, oauth, httpClient, e.paths.Lock(e.account, "refresh"), nil)
	log.Info("source", "server", base, "store", store.Where())
	return dexcom.New(base, tokens, dexcom.WithHTTPClient(httpClient), dexcom.WithUserAgent(userAgent())), base, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// apiBase is the server to use: a custom URL wins over a region.
func apiBase(region, apiURL string) (string, error) {
	if apiURL != "" {
		return client.ServerURL(apiURL)
	}
	return dexcom.BaseURL(region)
}

// newHTTPClient is the client for talking to Dexcom: every request, the
// OAuth token requests included, names cgmtop and its version.
func newHTTPClient() *http.Client { return dexcom.NewHTTPClientWithUserAgent(userAgent()) }

// removeAll deletes path and reports whether there was anything to delete.
func removeAll(path string) (bool, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return true, os.RemoveAll(path)
}

func fmtAge(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Minute)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return t.Local().Format("2006-01-02 15:04")
}

// newEngine makes the account's sync engine.
func newEngine(e env, src client.Source, db *cache.DB, clk clock.Clock, log *slog.Logger) *syncer.Engine {
	return syncer.New(src, db, syncer.Options{
		Clock:     clk,
		LockPath:  e.paths.Lock(e.account, "sync"),
		Retention: e.cfg.Retention(),
		Log:       log,
		// A new reading reaches `cgmtop status` before the pass goes on
		// to devices and records; the snapshot is written again after it.
		Stored: func() {
			if !loginStamp(e).IsZero() {
				writeSnapshot(context.Background(), e, db, log)
			}
		},
	})
}

// writeSnapshot refreshes the tiny file `cgmtop status` reads after a sync
// pass, so the status line never has to open the database.
func writeSnapshot(ctx context.Context, e env, db *cache.DB, log *slog.Logger) {
	f, err := db.Freshness(ctx)
	if err == nil {
		err = statusline.WriteSnapshot(statusline.SnapshotPath(e.paths, e.account), f)
	}
	if err != nil {
		log.Warn("status snapshot not written", "err", err)
	}
}

// accountSync is a sync engine on the account's cache, for the commands
// that sync without the monitor.
type accountSync struct {
	env    env
	src    client.Source
	db     *cache.DB
	fi     os.FileInfo // the file db opened, to notice it replaced
	engine *syncer.Engine
	log    *slog.Logger
	close  func()
}

func openAccountSync(ctx context.Context, e env) (*accountSync, error) {
	log, closeLog, err := openLog(e.paths)
	if err != nil {
		return nil, err
	}
	src, err := openSource(ctx, e, log)
	if err != nil {
		closeLog()
		return nil, err
	}
	db, err := cache.Open(ctx, e.paths.Database(e.account))
	if err != nil {
		closeLog()
		return nil, err
	}
	if msg := db.Recovered(); msg != "" {
		log.Warn("cache recovered", "detail", msg)
	}
	a := &accountSync{env: e, src: src, log: log}
	a.use(db)
	a.close = func() { a.db.Close(); closeLog() }
	return a, nil
}

// use makes db the cache the account syncs into.
func (a *accountSync) use(db *cache.DB) {
	a.db = db
	a.fi, _ = os.Stat(db.Path())
	a.engine = newEngine(a.env, a.src, db, clock.Real{}, a.log)
}

// errCacheReplaced stops a daemon's engine whose cache file was found
// damaged, or was moved aside and rebuilt by another cgmtop (`cgmtop sync`,
// the fix doctor gives): it must reopen the file at the cache's path.
var errCacheReplaced = errors.New("the cache was replaced")

// cacheReplaced reports whether the file at the cache's path is no longer
// the one the daemon has open. A missing file is a logout's business.
func (a *accountSync) cacheReplaced() bool {
	fi, err := os.Stat(a.db.Path())
	return err == nil && a.fi != nil && !os.SameFile(fi, a.fi)
}

// reopen opens the cache at its path afresh (moving it aside if it is
// still the damaged one) and syncs into it from now on.
func (a *accountSync) reopen(ctx context.Context) error {
	db, err := cache.Open(ctx, a.db.Path())
	if err != nil {
		return err
	}
	if msg := db.Recovered(); msg != "" {
		a.log.Warn("cache recovered", "detail", msg)
	} else {
		a.log.Info("cache reopened: another cgmtop rebuilt it")
	}
	a.db.Close()
	a.use(db)
	return nil
}

// once runs one pass and refreshes the status snapshot.
func (a *accountSync) once(ctx context.Context) (syncer.Result, error) {
	res, err := a.engine.Sync(ctx)
	writeSnapshot(ctx, a.env, a.db, a.log)
	return res, err
}

// run syncs on the sensor's cadence until ctx ends, or until `cgmtop
// logout` (then it returns errLoggedOut, having written nothing after it).
func (a *accountSync) run(ctx context.Context, onSync func(syncer.Result)) error {
	for {
		err := a.runOn(ctx, onSync)
		if !errors.Is(err, errCacheReplaced) || ctx.Err() != nil {
			return err
		}
		if err := a.reopen(ctx); err != nil {
			return err
		}
	}
}

// runOn is run on the cache the daemon has open, until it is damaged or
// replaced (errCacheReplaced).
func (a *accountSync) runOn(ctx context.Context, onSync func(syncer.Result)) error {
	stamp := loginStamp(a.env)
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	loggedOut := func() bool { return !stamp.IsZero() && loginStamp(a.env).IsZero() }
	go func() {
		beat := followBeat()
		for {
			select {
			case <-ctx.Done():
				return
			case <-beat.C():
				if loggedOut() {
					stop(errLoggedOut)
					return
				}
				if a.cacheReplaced() {
					stop(errCacheReplaced)
					return
				}
			}
		}
	}()
	err := a.engine.Run(ctx, func(r syncer.Result) {
		if loggedOut() {
			return
		}
		if errors.Is(r.Err, cache.ErrDamaged) {
			stop(errCacheReplaced)
		}
		writeSnapshot(ctx, a.env, a.db, a.log)
		if onSync != nil {
			onSync(r)
		}
	})
	if errors.Is(context.Cause(ctx), errLoggedOut) {
		a.log.Info("logged out: the sync daemon stopped")
		return errLoggedOut
	}
	if errors.Is(context.Cause(ctx), errCacheReplaced) {
		return errCacheReplaced
	}
	return err
}

// serverRevocation is how the login's server revokes a login, so that a
// copy taken before logout stops working too; nil when it cannot. Dexcom
// (and so the emulator) offers apps no revocation endpoint: logout can only
// delete cgmtop's copy, and says so. A later source whose server can revoke
// (RFC 7009) returns its revocation here.
func serverRevocation(loginMarker) func(context.Context, auth.Credentials) error {
	return nil
}

// revokeLogin revokes the stored login at its server before logout deletes
// it, and reports whether it did; a failure is a note, not a reason to keep
// the local copy.
func revokeLogin(ctx context.Context, e env, revoke func(context.Context, auth.Credentials) error, notes *[]string) bool {
	store, err := tokenStore(e)
	var creds auth.Credentials
	if err == nil {
		creds, err = store.Load(ctx)
	}
	if err == nil {
		err = revoke(ctx, creds)
	}
	if err != nil {
		*notes = append(*notes, "Could not revoke the login at the server ("+client.Printable(err.Error(), 200)+"): a copy of it made before now may keep working.")
		return false
	}
	*notes = append(*notes, "Revoked the login at the server: no copy of it works any more.")
	return true
}

// withoutUnreachableKeyring splits a logout error into the part that is not
// "no OS keyring answered", and whether that part was there.
func withoutUnreachableKeyring(err error) (rest error, unreachable bool) {
	if err == nil {
		return nil, false
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var kept []error
	for _, e := range errs {
		if errors.Is(e, auth.ErrKeyringUnavailable) {
			unreachable = true
		} else {
			kept = append(kept, e)
		}
	}
	return errors.Join(kept...), unreachable
}
