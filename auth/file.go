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

// reserveMin is the least room set aside for a renewed login: the JSON of
// a login with a long access token is about 2 KB.
const reserveMin = 8 << 10

// Reserve writes and syncs a file the size of a renewed login beside the
// token file, before the refresh token is spent. On a full or read-only disk
// this fails and nothing is spent; otherwise the renewed login is written
// into the room already taken and renamed over the token file. Only the
// holder of the account's refresh lock calls it, so one name serves.
func (f *fileStore) Reserve(ctx context.Context) (Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Dir(f.path)
	if err := config.EnsureDir(dir); err != nil {
		return nil, storageProblem(dir, err)
	}
	size := reserveMin
	if fi, err := os.Stat(f.path); err == nil {
		size = max(size, 2*int(fi.Size()))
	}
	r := &fileReservation{store: f, path: f.path + ".new", size: size}
	file, err := os.OpenFile(r.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, storageProblem(dir, err)
	}
	r.file = file
	if _, err := file.Write(make([]byte, size)); err != nil {
		r.Release()
		return nil, storageProblem(dir, err)
	}
	if err := file.Sync(); err != nil {
		r.Release()
		return nil, storageProblem(dir, err)
	}
	return r, nil
}

// fileReservation is room on disk, already written, for the next login.
type fileReservation struct {
	store *fileStore
	path  string
	size  int
	file  *os.File
}

// Save writes c over the reserved bytes (no new blocks are needed), cuts the
// file to length, syncs it and renames it over the token file.
func (r *fileReservation) Save(ctx context.Context, c Credentials) error {
	if r.file == nil {
		return r.store.Save(ctx, c)
	}
	dir := filepath.Dir(r.path)
	data, err := json.MarshalIndent(toStored(c), "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if _, err := r.file.WriteAt(data, 0); err != nil {
		r.Release()
		return storageProblem(dir, err)
	}
	if err := r.file.Truncate(int64(len(data))); err != nil {
		r.Release()
		return storageProblem(dir, err)
	}
	if err := r.file.Sync(); err != nil {
		r.Release()
		return storageProblem(dir, err)
	}
	if err := r.file.Close(); err != nil {
		r.file = nil
		os.Remove(r.path)
		return storageProblem(dir, err)
	}
	r.file = nil
	if err := os.Rename(r.path, r.store.path); err != nil {
		os.Remove(r.path)
		return storageProblem(dir, err)
	}
	syncDir(dir)
	return nil
}

// Release gives the room back when the refresh did not happen.
func (r *fileReservation) Release() {
	if r.file != nil {
		r.file.Close()
		r.file = nil
		os.Remove(r.path)
	}
}

// syncDir makes a rename durable; where a folder cannot be synced
// (Windows) the rename is still atomic.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
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
