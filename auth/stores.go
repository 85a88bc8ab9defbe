package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/cgmtop/cgmtop/config"
)

// NewStore returns the store the settings name: "keyring" (the default) or
// "file" (config.Paths.TokenFile(account)).
func NewStore(kind, account string, paths config.Paths) (Store, error) {
	if err := config.CheckAccount(account); err != nil {
		return nil, err
	}
	switch kind {
	case "", "keyring":
		return NewKeyringStore(account), nil
	case "file":
		return NewFileStore(paths.TokenFile(account)), nil
	}
	return nil, fmt.Errorf("token store %q: use keyring or file", kind)
}

// Logout deletes the account's login from both stores, whichever the
// settings name, since the user may have switched between them. A keyring
// that does not answer is an error only when the settings use the keyring.
func Logout(ctx context.Context, kind, account string, paths config.Paths) error {
	if err := config.CheckAccount(account); err != nil {
		return err
	}
	fileErr := NewFileStore(paths.TokenFile(account)).Delete(ctx)
	keyErr := NewKeyringStore(account).Delete(ctx)
	if errors.Is(keyErr, ErrKeyringUnavailable) && kind == "file" {
		keyErr = nil // nothing of ours can be in a keyring we cannot reach
	}
	return errors.Join(fileErr, keyErr, logoutSources(ctx, account, paths))
}
