package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrNoLogin means no credentials are stored for the account.
var ErrNoLogin = errors.New("not logged in: run `cgmtop login`")

// Credentials are what cgmtop keeps between runs to reach an account.
//
// The access token is kept beside the refresh token, with when to renew it,
// so that every process of the account uses it until then: a background
// sync started by the status line, or the first sync after a login, does
// not spend a refresh (and risk the login on a lost reply) each time.
//
// Credentials never print their secrets: every fmt verb and slog show only
// the client id.
type Credentials struct {
	ClientID     string
	ClientSecret string
	RefreshToken string
	Updated      time.Time // when the refresh token was last issued
	BaseURL      string    // the Dexcom-compatible server the tokens belong to
	AccessToken  string    // the current access token; "" when none is kept
	AccessRenew  time.Time // when AccessToken is to be renewed; zero means unknown
}

// String hides the secrets.
func (c Credentials) String() string {
	return fmt.Sprintf("credentials for client %q at %s (secrets hidden)", c.ClientID, c.BaseURL)
}

// GoString hides the secrets from %#v too.
func (c Credentials) GoString() string { return c.String() }

// Format hides the secrets from every fmt verb, including %+v.
func (c Credentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue hides the secrets from slog.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", c.ClientID), slog.String("base_url", c.BaseURL))
}

// complete reports whether the credentials can refresh a token.
func (c Credentials) complete() bool {
	return c.ClientID != "" && c.RefreshToken != ""
}

// storedCredentials is the serialized form, kept apart from Credentials so
// that marshalling a Credentials by accident cannot reveal a secret.
type storedCredentials struct {
	Version      int       `json:"version"`
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret"`
	RefreshToken string    `json:"refresh_token"`
	Updated      time.Time `json:"updated"`
	BaseURL      string    `json:"base_url,omitempty"`
	AccessToken  string    `json:"access_token,omitempty"`
	AccessRenew  time.Time `json:"access_renew,omitzero"`
}

func toStored(c Credentials) storedCredentials {
	return storedCredentials{1, c.ClientID, c.ClientSecret, c.RefreshToken, c.Updated.UTC(), c.BaseURL, c.AccessToken, c.AccessRenew.UTC()}
}

func (s storedCredentials) credentials() Credentials {
	return Credentials{s.ClientID, s.ClientSecret, s.RefreshToken, s.Updated, s.BaseURL, s.AccessToken, s.AccessRenew}
}

// Store keeps one account's credentials. Load returns ErrNoLogin when
// nothing is stored; Delete of nothing is not an error.
type Store interface {
	Load(ctx context.Context) (Credentials, error)
	Save(ctx context.Context, c Credentials) error
	Delete(ctx context.Context) error
	// Check reports whether Save can work, so that a login is not wasted on a
	// store that will refuse it.
	Check(ctx context.Context) error
	// Where says where the credentials live, for the user.
	Where() string
}

// Reserver is a Store that can set aside the room for its next Save before
// a refresh token is spent, so that a full disk refuses the refresh rather
// than losing its successor. The file store is one; a keyring has no disk
// of ours to fill.
type Reserver interface {
	Reserve(ctx context.Context) (Reservation, error)
}

// Reservation is room set aside for one Save. Release it when the Save is
// not going to happen.
type Reservation interface {
	Save(ctx context.Context, c Credentials) error
	Release()
}

// Status is what `cgmtop auth status` shows: never a secret.
type Status struct {
	Where    string
	ClientID string
	BaseURL  string
	Updated  time.Time // last login or refresh
}

// LoadStatus reports what is stored, without revealing any secret. It
// returns ErrNoLogin when nothing is.
func LoadStatus(ctx context.Context, s Store) (Status, error) {
	c, err := s.Load(ctx)
	if err != nil {
		return Status{Where: s.Where()}, err
	}
	return Status{Where: s.Where(), ClientID: c.ClientID, BaseURL: c.BaseURL, Updated: c.Updated}, nil
}
