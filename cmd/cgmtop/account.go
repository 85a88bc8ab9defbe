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

	"github.com/google/renameio/v2"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/config"
)

// loginMarker is a non-secret note that an account is logged in, so that
// `cgmtop status` can tell "not logged in" without touching the keyring.
type loginMarker struct {
	ClientID   string    `json:"client_id"`
	BaseURL    string    `json:"base_url"`
	TokenStore string    `json:"token_store"`
	At         time.Time `json:"logged_in_at"`
}

func markerPath(e env) string {
	return filepath.Join(e.paths.AccountStateDir(e.account), "login.json")
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
	return renameio.WriteFile(path, data, 0o600)
}

// tokenStore is the store the settings choose for the account.
func tokenStore(e env) auth.Store {
	if e.cfg.TokenStore == "file" {
		return auth.NewFileStore(e.paths.TokenFile(e.account))
	}
	return auth.NewKeyringStore(e.account)
}

// openSource connects to the account's Dexcom server with its stored login.
func openSource(ctx context.Context, e env, log *slog.Logger) (client.Source, error) {
	store := tokenStore(e)
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
