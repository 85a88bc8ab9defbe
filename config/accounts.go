package config

import (
	"fmt"
	"slices"
	"strings"
)

// Source kinds an account can read from.
const (
	SourceDexcom     = "dexcom"     // the official API: 90 days, events, devices; delayed
	SourceShare      = "share"      // Dexcom Share: real time, the last 24 hours, readings only
	SourceNightscout = "nightscout" // a Nightscout site: whatever it uploads
)

// realtimeKinds can stand beside the official API in a hybrid account.
var realtimeKinds = []string{SourceShare, SourceNightscout}

// Account is what one account reads from: the [accounts.NAME] table. The
// person's display name and thresholds can join it later without moving
// anything here.
type Account struct {
	// Sources lists the account's source kinds: one of dexcom, share,
	// nightscout, or dexcom plus one real-time kind (a hybrid: history and
	// events from the official API, the newest readings from the other).
	// Empty means ["dexcom"], what every account was before.
	Sources    []string           `toml:"sources,omitempty"`
	Share      ShareSettings      `toml:"share,omitempty"`
	Nightscout NightscoutSettings `toml:"nightscout,omitempty"`
}

// ShareSettings are the non-secret Share settings; the user name,
// password and session live in the token store.
type ShareSettings struct {
	Region string `toml:"region,omitempty"` // us, ous or jp: asked at login, never guessed
	URL    string `toml:"url,omitempty"`    // a custom server (cgmtop emulate) instead of the region's
}

// NightscoutSettings are the non-secret Nightscout settings; the token
// lives in the token store.
type NightscoutSettings struct {
	URL string `toml:"url,omitempty"`
}

// Account returns the settings of account name, defaults filled in.
func (c Config) Account(name string) Account {
	a := c.Accounts[name]
	if len(a.Sources) == 0 {
		a.Sources = []string{SourceDexcom}
	}
	return a
}

// SetAccount stores a's settings under name.
func (c *Config) SetAccount(name string, a Account) {
	if c.Accounts == nil {
		c.Accounts = map[string]Account{}
	}
	c.Accounts[name] = a
}

// Has reports whether the account reads from kind.
func (a Account) Has(kind string) bool { return slices.Contains(a.Sources, kind) }

// Realtime is the account's real-time source kind, or "".
func (a Account) Realtime() string {
	for _, k := range a.Sources {
		if slices.Contains(realtimeKinds, k) {
			return k
		}
	}
	return ""
}

// Hybrid reports whether the account combines the official API with a
// real-time source.
func (a Account) Hybrid() bool { return a.Has(SourceDexcom) && a.Realtime() != "" }

// Validate says what is wrong with an account's sources.
func (a Account) Validate(name string) error {
	for _, k := range a.Sources {
		if k != SourceDexcom && !slices.Contains(realtimeKinds, k) {
			return fmt.Errorf("settings: accounts.%s.sources: unknown source %q: use dexcom, share or nightscout", name, k)
		}
	}
	switch n := len(a.Sources); {
	case n > 2, n == 2 && (!a.Has(SourceDexcom) || a.Sources[0] == a.Sources[1]):
		return fmt.Errorf("settings: accounts.%s.sources %s: use one source, or dexcom plus one of share or nightscout",
			name, "["+strings.Join(a.Sources, ", ")+"]")
	}
	return nil
}
