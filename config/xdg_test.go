//go:build !windows && !plan9

package config

import (
	"os"
	"testing"

	"github.com/adrg/xdg"
)

// TestXDGHomesMatchAdrgXDG: cgmtop's folders stay where adrg/xdg, which
// chose them before, puts them, for every way the variables can be set.
func TestXDGHomesMatchAdrgXDG(t *testing.T) {
	for _, home := range []string{"/home/ann", "/", "relative/home", "", "unset"} {
		for _, value := range []string{"", "unset", "/abs/dir", "relative/dir", "~", "~/dir", "~dir", "$HOME", "$HOME/dir", "$HOMEdir", "/abs/../dir/"} {
			t.Run(home+"|"+value, func(t *testing.T) {
				setenv(t, "HOME", home)
				for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
					setenv(t, v, value)
				}
				xdg.Reload()
				t.Cleanup(xdg.Reload)
				c, d, s := xdgHomes()
				if c != xdg.ConfigHome || d != xdg.DataHome || s != xdg.StateHome {
					t.Errorf("got config %q data %q state %q, adrg/xdg %q %q %q", c, d, s, xdg.ConfigHome, xdg.DataHome, xdg.StateHome)
				}
			})
		}
	}
	// The variables set to different folders land in the right places.
	setenv(t, "HOME", "/home/ann")
	setenv(t, "XDG_CONFIG_HOME", "/c")
	setenv(t, "XDG_DATA_HOME", "/d")
	setenv(t, "XDG_STATE_HOME", "/s")
	if p := DefaultPaths(); p.ConfigFile != "/c/cgmtop/config.toml" || p.DataDir != "/d/cgmtop" || p.StateDir != "/s/cgmtop" {
		t.Errorf("DefaultPaths() = %+v", p)
	}
}

// setenv sets name for the test; "unset" removes it.
func setenv(t *testing.T, name, value string) {
	t.Setenv(name, value)
	if value == "unset" {
		os.Unsetenv(name)
	}
}
