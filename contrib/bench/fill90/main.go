// Command fill90 fills an account's cache with 90 days from the built-in
// Dexcom emulator through the real client and syncer, for trying and
// measuring the AGP screens, `cgmtop report` and `cgmtop export` on a full
// history. It honours XDG_* like cgmtop: run it with them pointed at a
// scratch folder.
//
//	XDG_DATA_HOME=/tmp/x/data XDG_STATE_HOME=/tmp/x/state XDG_CONFIG_HOME=/tmp/x/config go run ./contrib/bench/fill90
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
)

func main() {
	account := flag.String("account", config.DefaultAccount, "account whose cache to fill")
	seed := flag.Int64("seed", 1, "emulator seed")
	flag.Parse()
	if err := run(*account, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "fill90:", err)
		os.Exit(1)
	}
}

type staticTokens struct{ tok string }

func (s staticTokens) Token(context.Context) (string, error)   { return s.tok, nil }
func (s staticTokens) Refresh(context.Context) (string, error) { return s.tok, nil }

func run(account string, seed int64) error {
	ctx := context.Background()
	s, err := emulator.Start(emulator.Config{Seed: seed, AutoApprove: true, AccessTTL: 24 * time.Hour})
	if err != nil {
		return err
	}
	defer s.Close()
	cfg := s.Config()
	oc := dexcom.OAuthConfig(s.URL(), cfg.ClientID, cfg.ClientSecret, cfg.RedirectURI)
	noRedirect := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	resp, err := noRedirect.Get(oc.AuthCodeURL("st4te"))
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, noRedirect), loc.Query().Get("code"))
	if err != nil {
		return err
	}
	paths := config.DefaultPaths()
	db, err := cache.Open(ctx, paths.Database(account))
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := syncer.New(dexcom.New(s.URL(), staticTokens{tok.AccessToken}), db, syncer.Options{}).Sync(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%d readings into %s\n", res.Added, paths.Database(account))
	return nil
}
