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

	"github.com/cgmtop/cgmtop/config"
)

type fileStore struct {
	path string
}

// NewFileStore keeps credentials as JSON in a file only the user can read
// (0600, in a 0700 folder), replaced atomically so that a crash mid-write
// never leaves half a token. Use config.Paths.TokenFile(account) for path.
func NewFileStore(path string) Store {
	return &fileStore{path: path}
}

func (f *fileStore) Where() string { return "file " + f.path }

func (f *fileStore) Load(ctx context.Context) (Credentials, error) {
	if err := ctx.Err(); err != nil {
		return Credentials{}, err
	}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, ErrNoLogin
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("read login: %w", err)
	}
	// A copy or restore may have loosened the mode; the file holds secrets.
	if fi, err := os.Stat(f.path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(f.path, 0o600); err != nil {
			return Credentials{}, fmt.Errorf("make %s private: %w", f.path, err)
		}
	}
	var s storedCredentials
	if err := json.Unmarshal(data, &s); err != nil || !s.credentials().complete() {
		return Credentials{}, fmt.Errorf("login file %s is unreadable: run `cgmtop login` again", f.path)
	}
	return s.credentials(), nil
}

func (f *fileStore) Save(ctx context.Context, c Credentials) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := config.EnsureDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	data, err := json.MarshalIndent(toStored(c), "", "  ")
	if err != nil {
		return err
	}
	if err := maybe.WriteFile(f.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("save login: %w", err)
	}
	return nil
}

func (f *fileStore) Delete(ctx context.Context) error {
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete login: %w", err)
	}
	return nil
}

// Check makes sure the folder exists, is private and takes a file.
func (f *fileStore) Check(ctx context.Context) error {
	dir := filepath.Dir(f.path)
	if err := config.EnsureDir(dir); err != nil {
		return fmt.Errorf("login file folder: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return fmt.Errorf("cannot write the login file in %s: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
