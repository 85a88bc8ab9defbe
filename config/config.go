package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/renameio/v2/maybe"

	"github.com/cgmtop/cgmtop/client"
)

// Config is the settings file. Zero fields take their defaults.
type Config struct {
	Units         string     `toml:"units"`          // "mg/dL" or "mmol/L"
	Region        string     `toml:"region"`         // us, eu, jp, sandbox
	APIURL        string     `toml:"api_url"`        // overrides region: a custom Dexcom-compatible server
	ClientID      string     `toml:"client_id"`      // the user's own Dexcom developer app
	RedirectURI   string     `toml:"redirect_uri"`   // must match the app's registration exactly
	TokenStore    string     `toml:"token_store"`    // "keyring" or "file"
	RetentionDays int        `toml:"retention_days"` // readings older than this are purged
	Theme         string     `toml:"theme"`          // auto, dark, light, high-contrast
	ASCII         bool       `toml:"ascii"`          // ASCII arrows instead of Unicode
	Thresholds    Thresholds `toml:"thresholds"`
	Alerts        Alerts     `toml:"alerts"`
	// Accounts holds per-account settings, [accounts.NAME]; an account
	// with none reads the official API.
	Accounts map[string]Account `toml:"accounts,omitempty"`
}

// Thresholds are the range limits in mg/dL; the consensus values by default.
type Thresholds struct {
	UrgentLow int `toml:"urgent_low"`
	Low       int `toml:"low"`
	High      int `toml:"high"`
	VeryHigh  int `toml:"very_high"`
}

// Alerts says which alerts are on and how they reach the user.
type Alerts struct {
	UrgentLow     bool `toml:"urgent_low"`
	Low           bool `toml:"low"`
	High          bool `toml:"high"`
	Rising        bool `toml:"rising"`
	Falling       bool `toml:"falling"`
	Stale         bool `toml:"stale"`
	StaleMinutes  int  `toml:"stale_minutes"`
	SnoozeMinutes int  `toml:"snooze_minutes"`
	Bell          bool `toml:"bell"`
	Desktop       bool `toml:"desktop"` // OSC 9 / OSC 777 notifications
}

// Default is the configuration of a new install.
func Default() Config {
	return Config{
		Units:         "mg/dL",
		Region:        "us",
		RedirectURI:   "http://localhost:8765/callback",
		TokenStore:    "keyring",
		RetentionDays: 90,
		Theme:         "auto",
		Thresholds:    Thresholds{UrgentLow: 54, Low: 70, High: 180, VeryHigh: 250},
		Alerts: Alerts{
			UrgentLow: true, Stale: true, StaleMinutes: 15, SnoozeMinutes: 30,
			Bell: true, Desktop: true,
		},
	}
}

// Load reads the settings file; a missing file gives the defaults.
func Load(path string) (Config, error) {
	cfg := Default()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read settings: %w", err)
	}
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return Default(), fmt.Errorf("settings file %s: %w", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return Default(), fmt.Errorf("settings file %s: unknown setting %q", path, keys[0].String())
	}
	return cfg, cfg.Validate()
}

// Save writes the settings file atomically, private to the user.
func Save(path string, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := EnsureDir(filepath.Dir(path)); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# cgmtop settings. Glucose thresholds are in mg/dL whatever the display unit.\n")
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		return err
	}
	if err := maybe.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// Validate says what is wrong with a configuration, in the user's terms.
func (c Config) Validate() error {
	if _, err := client.ParseUnit(c.Units); err != nil {
		return fmt.Errorf("settings: units: %w", err)
	}
	if c.APIURL != "" {
		if _, err := client.ServerURL(c.APIURL); err != nil {
			return fmt.Errorf("settings: api_url %w", err)
		}
	}
	switch c.TokenStore {
	case "keyring", "file":
	default:
		return fmt.Errorf("settings: token_store %q: use keyring or file", c.TokenStore)
	}
	if err := c.Thresholds.validate("thresholds"); err != nil {
		return err
	}
	if c.RetentionDays < 1 || c.RetentionDays > 90 {
		return fmt.Errorf("settings: retention_days %d: use 1 to 90 (Dexcom keeps 90 days)", c.RetentionDays)
	}
	switch c.Theme {
	case "auto", "dark", "light", "high-contrast":
	default:
		return fmt.Errorf("settings: theme %q: use auto, dark, light or high-contrast", c.Theme)
	}
	for name, a := range c.Accounts {
		if err := a.Validate(name); err != nil {
			return err
		}
		if err := c.Person(name).Thresholds.validate("accounts." + name + ".thresholds"); err != nil {
			return err
		}
	}
	return nil
}

// validate says what is wrong with the thresholds of table key.
func (t Thresholds) validate(key string) error {
	if !(0 < t.UrgentLow && t.UrgentLow <= t.Low && t.Low < t.High && t.High <= t.VeryHigh && t.VeryHigh <= 400) {
		return fmt.Errorf("settings: %s must rise: 0 < urgent_low ≤ low < high ≤ very_high ≤ 400 mg/dL (have %d/%d/%d/%d)",
			key, t.UrgentLow, t.Low, t.High, t.VeryHigh)
	}
	return nil
}

// Unit is the display unit.
func (c Config) Unit() client.Unit {
	u, _ := client.ParseUnit(c.Units)
	return u
}

// Retention is how long readings are kept.
func (c Config) Retention() time.Duration {
	return time.Duration(c.RetentionDays) * 24 * time.Hour
}

// StaleAfter is how old the newest reading may be before it is stale.
func (c Config) StaleAfter() time.Duration {
	if c.Alerts.StaleMinutes <= 0 {
		return 15 * time.Minute
	}
	return time.Duration(c.Alerts.StaleMinutes) * time.Minute
}
