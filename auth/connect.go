package auth

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// Connect is `cgmtop login`: it makes sure the store can take the login,
// runs the handoff, and saves the client id and secret with the refresh
// token, replacing any earlier login of the account. Nothing is saved unless
// everything succeeded. The returned token's access token is good for
// TokenSource.Seed, sparing an immediate refresh.
func Connect(ctx context.Context, store Store, baseURL string, opts LoginOptions) (*oauth2.Token, error) {
	// Find a refusing keyring before the user spends a minute in the browser.
	if err := store.Check(ctx); err != nil {
		return nil, err
	}
	tok, err := Login(ctx, opts)
	if err != nil {
		return nil, err
	}
	creds := Credentials{
		ClientID:     opts.OAuth.ClientID,
		ClientSecret: opts.OAuth.ClientSecret,
		RefreshToken: tok.RefreshToken,
		Updated:      time.Now().UTC(),
		BaseURL:      baseURL,
		// Kept for the first sync, which would otherwise refresh at once.
		AccessToken: tok.AccessToken,
		AccessRenew: renewAt(time.Now(), tok),
	}
	if err := store.Save(ctx, creds); err != nil {
		return nil, fmt.Errorf("logged in, but could not keep the login (%w): run `cgmtop login` again", err)
	}
	return tok, nil
}
