package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// env is what every command that touches an account needs: where things
// live, which account, and the settings.
type env struct {
	paths   config.Paths
	account string
	cfg     config.Config
}

func loadEnv(account string) (env, error) {
	e, err := loadSettings(account)
	if err != nil {
		return env{}, err
	}
	// The README promises private folders; ones left open (by an older
	// version, a copy or a restore) are closed before anything is read.
	if err := e.paths.MakePrivate(); err != nil {
		return env{}, err
	}
	return e, nil
}

// unit is the glucose unit to show: the --units flag's when given, else
// the settings'.
func (e env) unit(flag string) (client.Unit, error) {
	if flag == "" {
		return e.cfg.Unit(), nil
	}
	u, err := client.ParseUnit(flag)
	if err != nil {
		return u, usageError("--units: %v", err)
	}
	return u, nil
}

// loadSettings is loadEnv without tightening the folders, for `cgmtop
// status`: it only reads, tmux runs it every few seconds, and the walk
// would cost it a tenth of its start-up. The background sync it starts, and
// every other command, tighten them.
func loadSettings(account string) (env, error) {
	if err := config.CheckAccount(account); err != nil {
		return env{}, usageError("--account: %v", err)
	}
	paths := config.DefaultPaths()
	cfg, err := config.Load(paths.ConfigFile)
	if err != nil {
		return env{}, err
	}
	return env{paths: paths, account: account, cfg: cfg}, nil
}

// openLog opens cgmtop's log file, private to the user. Nothing logged may
// contain a glucose value, a token or a secret; the packages log only
// counts, times and error classes.
func openLog(paths config.Paths) (*slog.Logger, func(), error) {
	path := paths.LogFile()
	if err := config.EnsureDir(filepath.Dir(path)); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }, nil
}

// asciiOnly reports whether the locale rules out UTF-8, as under LANG=C or
// with no locale at all: the terminal then shows arrows, blocks and braille
// as garbage, so cgmtop draws in ASCII by itself. The first of LC_ALL,
// LC_CTYPE and LANG that is set decides, as in C's setlocale. Windows
// terminals are Unicode whatever the environment says.
func asciiOnly(getenv func(string) string) bool {
	if runtime.GOOS == "windows" {
		return false
	}
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(name); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return true
}
