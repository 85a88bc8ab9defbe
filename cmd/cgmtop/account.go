package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
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
	store, err := tokenStore(e)
	if err != nil {
		return nil, err
	}
	creds, err := store.Load(ctx)
	if err != nil {
		if errors.Is(err, auth.ErrNoLogin) {
			return nil, errors.New("not logged in: run `cgmtop login` (or try `cgmtop --demo`)")
		}
		return nil, err
	}
	base := creds.BaseURL
	if base == "" {
		if base, err = apiBase(e.cfg.Region, e.cfg.APIURL); err != nil {
			return nil, err
		}
	}
	httpClient := dexcom.NewHTTPClient()
	oauth := dexcom.OAuthConfig(base, creds.ClientID, creds.ClientSecret, e.cfg.RedirectURI)
	tokens := auth.NewTokenSource(store, oauth, httpClient, e.paths.Lock(e.account, "refresh"), nil)
	log.Info("source", "server", base, "store", store.Where())
	return dexcom.New(base, tokens, dexcom.WithHTTPClient(httpClient), dexcom.WithUserAgent(userAgent())), nil
}

// apiBase is the server to use: a custom URL wins over a region.
func apiBase(region, apiURL string) (string, error) {
	if apiURL != "" {
		return apiURL, nil
	}
	return dexcom.BaseURL(region)
}

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
	db     *cache.DB
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
	return &accountSync{
		env: e, db: db, log: log,
		engine: newEngine(e, src, db, clock.Real{}, log),
		close:  func() { db.Close(); closeLog() },
	}, nil
}

// once runs one pass and refreshes the status snapshot.
func (a *accountSync) once(ctx context.Context) (syncer.Result, error) {
	res, err := a.engine.Sync(ctx)
	writeSnapshot(ctx, a.env, a.db, a.log)
	return res, err
}

// run syncs on the sensor's cadence until ctx ends.
func (a *accountSync) run(ctx context.Context, onSync func(syncer.Result)) error {
	return a.engine.Run(ctx, func(r syncer.Result) {
		writeSnapshot(ctx, a.env, a.db, a.log)
		if onSync != nil {
			onSync(r)
		}
	})
}
