package config

import (
	"os"
	"path/filepath"
	"slices"
)

// AccountFolders lists the accounts that have a cache or a login on this
// machine: the folders under the data and state directories, sorted.
func (p Paths) AccountFolders() []string {
	var names []string
	for _, dir := range []string{
		filepath.Dir(p.AccountDataDir(DefaultAccount)),
		filepath.Dir(p.AccountStateDir(DefaultAccount)),
	} {
		entries, _ := os.ReadDir(dir) // none yet: nothing there
		for _, e := range entries {
			if e.IsDir() && CheckAccount(e.Name()) == nil && !slices.Contains(names, e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return names
}

// People lists every account cgmtop knows: those with a folder on this
// machine and those the settings name ([accounts.NAME], logged in or not),
// sorted by account name so a status bar keeps its order.
func (c Config) People(p Paths) []string {
	names := p.AccountFolders()
	for n := range c.Accounts {
		if CheckAccount(n) == nil && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}
