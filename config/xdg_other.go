//go:build windows || plan9

package config

import "github.com/adrg/xdg"

// xdgHomes are the XDG base folders cgmtop uses; on Windows adrg/xdg finds
// them among the known folders.
func xdgHomes() (configHome, dataHome, stateHome string) {
	return xdg.ConfigHome, xdg.DataHome, xdg.StateHome
}
