// Package config holds cgmtop's settings file and the places on disk where
// it keeps its cache, tokens, locks and log.
package config

import (
	"fmt"
	"os"
	"path/filepath"

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
