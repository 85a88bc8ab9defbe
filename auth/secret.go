package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2/maybe"
	"github.com/zalando/go-keyring"

	"github.com/cgmtop/cgmtop/config"
)

// SecretStore keeps one real-time source's login for an account (a Share
// password and session, a Nightscout token) in the same store as the
// account's Dexcom tokens: the OS keyring, as item "<account>/<kind>", or
// a private file "<kind>.json" beside the token file. T is the source's
// login type; it is stored as JSON and never logged.
type SecretStore[T any] struct {
	kind, account string
	file          string // "" → keyring
}

// NewSecretStore returns the store for source kind of account, in the
// store the settings name ("keyring" or "file").
func NewSecretStore[T any](storeKind, account, kind string, paths config.Paths) (*SecretStore[T], error) {
	if err := config.CheckAccount(account); err != nil {
		return nil, err
	}
	s := &SecretStore[T]{kind: kind, account: account}
	switch storeKind {
	case "", "keyring":
	case "file":
		s.file = secretFile(paths, account, kind)
	default:
		return nil, fmt.Errorf("token store %q: use keyring or file", storeKind)
	}
	return s, nil
}

func secretFile(paths config.Paths, account, kind string) string {
	return filepath.Join(paths.AccountStateDir(account), kind+".json")
}

// keyringUser cannot clash with an account's own item: account names
// have no '/'.
func (s *SecretStore[T]) keyringUser() string { return s.account + "/" + s.kind }

// Where says where the login lives, for the user.
func (s *SecretStore[T]) Where() string {
	if s.file != "" {
		return "file " + s.file
	}
	return fmt.Sprintf("OS keyring (service %q, account %q)", KeyringService, s.keyringUser())
}

// Load returns the stored login, or an error wrapping ErrNoLogin.
func (s *SecretStore[T]) Load(ctx context.Context) (T, error) {
	var v T
	var data []byte
	if s.file != "" {
		b, err := os.ReadFile(s.file)
		if errors.Is(err, fs.ErrNotExist) {
			return v, s.noLogin()
		}
		if err != nil {
			return v, fmt.Errorf("read the %s login: %w", s.kind, err)
		}
		data = b
	} else {
		var secret string
		err := bounded(ctx, KeyringTimeout, func() (err error) {
			secret, err = keyring.Get(KeyringService, s.keyringUser())
			return err
		})
		if errors.Is(err, keyring.ErrNotFound) {
			return v, s.noLogin()
		}
		if err != nil {
			return v, fmt.Errorf("read the %s login from the keyring: %w", s.kind, err)
		}
		data = []byte(secret)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("the stored %s login (%s) is unreadable: run `cgmtop login %s` again", s.kind, s.Where(), s.kind)
	}
	return v, nil
}

func (s *SecretStore[T]) noLogin() error {
	return fmt.Errorf("not logged in to %s: run `cgmtop login %s`: %w", s.kind, s.kind, ErrNoLogin)
}

// Save replaces the stored login atomically.
func (s *SecretStore[T]) Save(ctx context.Context, v T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if s.file != "" {
		if err := config.EnsureDir(filepath.Dir(s.file)); err != nil {
			return fmt.Errorf("save the %s login: %w", s.kind, err)
		}
		if err := maybe.WriteFile(s.file, data, 0o600); err != nil {
			return fmt.Errorf("save the %s login: %w", s.kind, err)
		}
		return nil
	}
	err = bounded(ctx, KeyringTimeout, func() error {
		return keyring.Set(KeyringService, s.keyringUser(), string(data))
	})
	if err != nil {
		return fmt.Errorf("save the %s login in the keyring: %w", s.kind, err)
	}
	return nil
}

// Delete removes the stored login; nothing stored is not an error.
func (s *SecretStore[T]) Delete(ctx context.Context) error {
	if s.file != "" {
		if err := os.Remove(s.file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete the %s login: %w", s.kind, err)
		}
		return nil
	}
	err := bounded(ctx, KeyringTimeout, func() error { return keyring.Delete(KeyringService, s.keyringUser()) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("delete the %s login from the keyring: %w", s.kind, err)
	}
	return nil
}

// Check reports whether Save can work, before a login is spent on it.
func (s *SecretStore[T]) Check(ctx context.Context) error {
	if s.file != "" {
		return NewFileStore(s.file).Check(ctx)
	}
	return keyringProbe(ctx, KeyringTimeout)
}

// SourceKinds are the real-time sources whose logins Logout removes.
var SourceKinds = []string{"share", "nightscout"}

// logoutSources deletes every real-time source login of account from both
// stores, as Logout does for the Dexcom login.
func logoutSources(ctx context.Context, account string, paths config.Paths) error {
	var errs []error
	for _, k := range SourceKinds {
		if err := os.Remove(secretFile(paths, account, k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		err := bounded(ctx, KeyringTimeout, func() error { return keyring.Delete(KeyringService, account+"/"+k) })
		if err != nil && !errors.Is(err, keyring.ErrNotFound) && !errors.Is(err, ErrKeyringUnavailable) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
