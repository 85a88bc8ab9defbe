//go:build !windows && !plan9

package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// xdgHomes are the XDG base folders cgmtop uses, worked out as adrg/xdg
// works them out (TestXDGHomesMatchAdrgXDG compares the two) without
// linking it on Unix: its package init works out every XDG and user folder,
// reads user-dirs.dirs and asks for the user id on every start, about 1 %
// of a `cgmtop status`, which needs three environment variables. They are
// read on each call, so a changed environment needs no reload.
func xdgHomes() (configHome, dataHome, stateHome string) {
	home := os.Getenv("HOME")
	if home == "" {
		home = "/"
	}
	if runtime.GOOS == "darwin" {
		support := filepath.Join(home, "Library", "Application Support")
		return envPath(home, "XDG_CONFIG_HOME", support),
			envPath(home, "XDG_DATA_HOME", support),
			envPath(home, "XDG_STATE_HOME", support)
	}
	return envPath(home, "XDG_CONFIG_HOME", filepath.Join(home, ".config")),
		envPath(home, "XDG_DATA_HOME", filepath.Join(home, ".local", "share")),
		envPath(home, "XDG_STATE_HOME", filepath.Join(home, ".local", "state"))
}

// envPath is the variable's value if it is an absolute path once a leading
// ~ or $HOME is expanded, else fallback if that is absolute, else "".
func envPath(home, name, fallback string) string {
	for _, p := range []string{os.Getenv(name), fallback} {
		if p = expandHome(home, p); p != "" && filepath.IsAbs(p) {
			return p
		}
	}
	return ""
}

func expandHome(home, p string) string {
	switch {
	case p == "":
		return p
	case p[0] == '~':
		return filepath.Join(home, p[1:])
	case strings.HasPrefix(p, "$HOME"):
		return filepath.Join(home, p[5:])
	}
	return p
}
