package config

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Source kinds an account can read from.
const (
	SourceDexcom     = "dexcom"     // the official API: 90 days, events, devices; delayed
	SourceShare      = "share"      // Dexcom Share: real time, the last 24 hours, readings only
	SourceNightscout = "nightscout" // a Nightscout site: whatever it uploads
)

// realtimeKinds can stand beside the official API in a hybrid account.
var realtimeKinds = []string{SourceShare, SourceNightscout}

// Account is one person's settings: the [accounts.NAME] table. Besides
// what the account reads from, it holds the person's display name and the
// thresholds and alerts that differ from the global ones (a child's
// targets are not an adult's).
type Account struct {
	// Name is the person's display name ("Ana"); empty shows the account
	// name.
	Name string `toml:"name,omitempty"`
	// Thresholds override the global ones field by field; a zero field
	// falls back to the global value.
	Thresholds Thresholds `toml:"thresholds,omitempty"`
	// Alerts override the global alert settings field by field; an unset
	// field falls back to the global value.
	Alerts AlertOverrides `toml:"alerts,omitempty"`
	// Sources lists the account's source kinds: one of dexcom, share,
	// nightscout, or dexcom plus one real-time kind (a hybrid: history and
	// events from the official API, the newest readings from the other).
	// Empty means ["dexcom"], what every account was before.
	Sources    []string           `toml:"sources,omitempty"`
	Share      ShareSettings      `toml:"share,omitempty"`
	Nightscout NightscoutSettings `toml:"nightscout,omitempty"`
}

// AlertOverrides are one person's alert settings; nil or zero fields take
// the global value.
type AlertOverrides struct {
	UrgentLow     *bool `toml:"urgent_low,omitempty"`
	Low           *bool `toml:"low,omitempty"`
	High          *bool `toml:"high,omitempty"`
	Rising        *bool `toml:"rising,omitempty"`
	Falling       *bool `toml:"falling,omitempty"`
	Stale         *bool `toml:"stale,omitempty"`
	StaleMinutes  int   `toml:"stale_minutes,omitempty"`
	SnoozeMinutes int   `toml:"snooze_minutes,omitempty"`
	Bell          *bool `toml:"bell,omitempty"`
	Desktop       *bool `toml:"desktop,omitempty"`
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

// DisplayName is how the person of account name is called on screen: the
// account's name setting, else the account name itself.
func (c Config) DisplayName(account string) string {
	if n := strings.TrimSpace(c.Accounts[account].Name); n != "" {
		return n
	}
	return account
}

// Person is the settings as they apply to account name: its thresholds
// and alert choices laid over the global ones, field by field.
func (c Config) Person(name string) Config {
	a := c.Accounts[name]
	p := c
	over := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	t := a.Thresholds
	over(&p.Thresholds.UrgentLow, t.UrgentLow)
	over(&p.Thresholds.Low, t.Low)
	over(&p.Thresholds.High, t.High)
	over(&p.Thresholds.VeryHigh, t.VeryHigh)
	flag := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	o := a.Alerts
	flag(&p.Alerts.UrgentLow, o.UrgentLow)
	flag(&p.Alerts.Low, o.Low)
	flag(&p.Alerts.High, o.High)
	flag(&p.Alerts.Rising, o.Rising)
	flag(&p.Alerts.Falling, o.Falling)
	flag(&p.Alerts.Stale, o.Stale)
	flag(&p.Alerts.Bell, o.Bell)
	flag(&p.Alerts.Desktop, o.Desktop)
	over(&p.Alerts.StaleMinutes, o.StaleMinutes)
	over(&p.Alerts.SnoozeMinutes, o.SnoozeMinutes)
	return p
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
	if strings.ContainsFunc(a.Name, unicode.IsControl) || len(a.Name) > 40 {
		return fmt.Errorf("settings: accounts.%s.name: use up to 40 printable characters", name)
	}
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
