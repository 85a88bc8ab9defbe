package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name cgmtop's items carry in the OS keyring.
const KeyringService = "cgmtop"

// KeyringTimeout bounds every keyring call: a locked keyring may wait for an
// unlock prompt nobody will answer (over SSH, say), and cgmtop must not hang.
const KeyringTimeout = 5 * time.Second

// ErrKeyringUnavailable means no OS keyring answered. cgmtop never falls back
// to a plaintext file by itself; the user chooses it.
var ErrKeyringUnavailable = errors.New("no OS keyring answered (none running, or locked): unlock it, or keep the login in a private file with `cgmtop login --token-store file`")

// probeUser is an item name no account can have (account names start with a
// letter or digit), so looking it up is a harmless probe.
const probeUser = ".cgmtop-probe"

type keyringStore struct {
	account string
	timeout time.Duration
}

// NewKeyringStore keeps the account's credentials as one item in the OS
// keyring (Secret Service, macOS Keychain, Windows Credential Manager),
// service "cgmtop", user = account.
func NewKeyringStore(account string) Store {
	return &keyringStore{account: account, timeout: KeyringTimeout}
}

func (k *keyringStore) Where() string {
	return fmt.Sprintf("OS keyring (service %q, account %q)", KeyringService, k.account)
}

func (k *keyringStore) Load(ctx context.Context) (Credentials, error) {
	var secret string
	err := bounded(ctx, k.timeout, func() (err error) {
		secret, err = keyring.Get(KeyringService, k.account)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return Credentials{}, ErrNoLogin
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("read login from keyring: %w", err)
	}
	var s storedCredentials
	if err := json.Unmarshal([]byte(secret), &s); err != nil || !s.credentials().complete() {
		// Say nothing about the content: it is a secret.
		return Credentials{}, fmt.Errorf("the login stored in the OS keyring is unreadable: run `cgmtop login` again")
	}
	return s.credentials(), nil
}

func (k *keyringStore) Save(ctx context.Context, c Credentials) error {
	data, err := json.Marshal(toStored(c))
	if err != nil {
		return err
	}
	err = bounded(ctx, k.timeout, func() error {
		return keyring.Set(KeyringService, k.account, string(data))
	})
	if err != nil {
		return fmt.Errorf("save login in keyring: %w", err)
	}
	return nil
}

func (k *keyringStore) Delete(ctx context.Context) error {
	err := bounded(ctx, k.timeout, func() error {
		return keyring.Delete(KeyringService, k.account)
	})
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("delete login from keyring: %w", err)
	}
	return nil
}

func (k *keyringStore) Check(ctx context.Context) error {
	return keyringProbe(ctx, k.timeout)
}

// KeyringAvailable reports whether an OS keyring answers: nil when one does,
// an error wrapping ErrKeyringUnavailable when none does in time.
func KeyringAvailable(ctx context.Context) error {
	return keyringProbe(ctx, KeyringTimeout)
}

func keyringProbe(ctx context.Context, timeout time.Duration) error {
	err := bounded(ctx, timeout, func() error {
		_, err := keyring.Get(KeyringService, probeUser)
		return err
	})
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	if errors.Is(err, ErrKeyringUnavailable) {
		return err
	}
	return fmt.Errorf("%w (%v)", ErrKeyringUnavailable, err)
}

// bounded runs a keyring call with a deadline. The call itself cannot be
// cancelled, so on timeout its goroutine is left to finish on its own; a
// keyring that never answers costs one parked goroutine, not a hung cgmtop.
func bounded(ctx context.Context, timeout time.Duration, call func() error) error {
	done := make(chan error, 1)
	go func() { done <- call() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, keyring.ErrNotFound) && !errors.Is(err, keyring.ErrSetDataTooBig) {
			return fmt.Errorf("%w (%v)", ErrKeyringUnavailable, oneLine(err.Error()))
		}
		return err
	case <-timer.C:
		return fmt.Errorf("%w (no answer within %s)", ErrKeyringUnavailable, timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}
