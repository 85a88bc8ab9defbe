// Package config holds cgmtop's settings file and the places on disk where
// it keeps its cache, tokens, locks and log.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/adrg/xdg"
)

// DefaultAccount names the account used when none is given.
const DefaultAccount = "default"

// Paths are the files and folders cgmtop uses. Everything below DataDir and
// StateDir is private: folders 0700, files 0600.
type Paths struct {
	ConfigFile string // settings, TOML
	DataDir    string // health data: one cache database per account
	StateDir   string // tokens (file store), locks, log
}

// DefaultPaths follows the XDG base directory spec (and its macOS and
// Windows equivalents, through adrg/xdg).
func DefaultPaths() Paths {
	return Paths{
		ConfigFile: filepath.Join(xdg.ConfigHome, "cgmtop", "config.toml"),
		DataDir:    filepath.Join(xdg.DataHome, "cgmtop"),
		StateDir:   filepath.Join(xdg.StateHome, "cgmtop"),
	}
}

// Under puts every path below root; the demo uses it to keep nothing.
func Under(root string) Paths {
	return Paths{
		ConfigFile: filepath.Join(root, "config", "config.toml"),
		DataDir:    filepath.Join(root, "data"),
		StateDir:   filepath.Join(root, "state"),
	}
}

// CheckAccount rejects account names that are not safe as a folder name:
// a letter or digit, then up to 63 letters, digits, '.', '_' or '-'. It is
// a plain loop rather than a regular expression because `cgmtop status`,
// which tmux runs every few seconds, calls it on every start.
func CheckAccount(name string) error {
	ok := len(name) >= 1 && len(name) <= 64 && isAlnum(name[0])
	for i := 1; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("account name %q: use letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// AccountDataDir holds the account's cache database.
func (p Paths) AccountDataDir(account string) string {
	return filepath.Join(p.DataDir, "accounts", account)
}

// Database is the account's SQLite cache.
func (p Paths) Database(account string) string {
	return filepath.Join(p.AccountDataDir(account), "cache.db")
}

// AccountStateDir holds the account's token file (when the file store is
// chosen) and its locks.
func (p Paths) AccountStateDir(account string) string {
	return filepath.Join(p.StateDir, "accounts", account)
}

// TokenFile is where the file token store keeps credentials.
func (p Paths) TokenFile(account string) string {
	return filepath.Join(p.AccountStateDir(account), "token.json")
}

// Lock is a lock file for one kind of work (refresh, sync) on an account.
func (p Paths) Lock(account, name string) string {
	return filepath.Join(p.AccountStateDir(account), name+".lock")
}

// LogFile is cgmtop's log; it never holds glucose values or credentials.
func (p Paths) LogFile() string {
	return filepath.Join(p.StateDir, "cgmtop.log")
}

// EnsureDir creates dir and its missing parents as 0700, and tightens dir
// itself to 0700 if it already existed with looser permissions.
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("make %s private: %w", dir, err)
		}
	}
	return nil
}

// MakePrivate tightens cgmtop's own folders (the settings folder, DataDir,
// StateDir and every folder below them) to 0700 where they are open to
// other users: made by an older version, a copy or a restore, or by hand
// under a loose umask. A folder it cannot tighten is an error that names it.
// Folders that do not exist yet are left for EnsureDir.
func (p Paths) MakePrivate() error {
	if runtime.GOOS == "windows" {
		return nil // folder modes do not govern access there
	}
	for _, root := range []string{filepath.Dir(p.ConfigFile), p.DataDir, p.StateDir} {
		// A root may be a link to where the user keeps it; tighten what it
		// points at. Links further down are not followed.
		real := root
		fi, err := os.Lstat(root)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			real, err = filepath.EvalSymlinks(root)
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue // not made yet (or a dangling link): EnsureDir's job
		}
		if err != nil {
			return fmt.Errorf("check that %s is private: %w", root, err)
		}
		err = filepath.WalkDir(real, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				var fi fs.FileInfo
				if fi, err = d.Info(); err == nil && fi.Mode().Perm()&0o077 != 0 {
					err = os.Chmod(path, 0o700)
				}
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				// Gone meanwhile (another cgmtop's logout) is fine.
				return notPrivate(path, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func notPrivate(dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cgmtop's folder %s must be private (0700) and cgmtop cannot make it so (%v): run `chmod 700 %s` as its owner", dir, err, dir)
}
