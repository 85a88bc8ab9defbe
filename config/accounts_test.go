package config

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountSourcesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg := Default()
	cfg.SetAccount("default", Account{Sources: []string{SourceDexcom, SourceShare}, Share: ShareSettings{Region: "ous"}})
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Account("default")
	if !a.Hybrid() || a.Realtime() != SourceShare || a.Share.Region != "ous" {
		t.Fatalf("account = %+v", a)
	}
	if other := got.Account("kid"); len(other.Sources) != 1 || other.Sources[0] != SourceDexcom {
		t.Fatalf("an account with no settings reads the official API, got %v", other.Sources)
	}
}

func TestAccountSourcesValidate(t *testing.T) {
	for _, tc := range []struct {
		sources []string
		bad     string
	}{
		{[]string{"share"}, ""},
		{[]string{"nightscout"}, ""},
		{[]string{"dexcom", "nightscout"}, ""},
		{[]string{"libre"}, "unknown source"},
		{[]string{"share", "nightscout"}, "dexcom plus one"},
		{[]string{"dexcom", "dexcom"}, "dexcom plus one"},
		{[]string{"dexcom", "share", "nightscout"}, "dexcom plus one"},
	} {
		err := Account{Sources: tc.sources}.Validate("a")
		if (err == nil) != (tc.bad == "") || err != nil && !strings.Contains(err.Error(), tc.bad) {
			t.Errorf("%v: err = %v", tc.sources, err)
		}
	}
}

func TestPersonOverridesGlobalSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	no := false
	cfg := Default()
	cfg.SetAccount("kid", Account{
		Name:       "Ben",
		Thresholds: Thresholds{Low: 80, High: 200},
		Alerts:     AlertOverrides{Bell: &no, SnoozeMinutes: 10},
	})
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	kid := got.Person("kid")
	want := Thresholds{UrgentLow: 54, Low: 80, High: 200, VeryHigh: 250}
	if kid.Thresholds != want {
		t.Errorf("kid thresholds = %+v, want %+v", kid.Thresholds, want)
	}
	if kid.Alerts.Bell || !kid.Alerts.Desktop || kid.Alerts.SnoozeMinutes != 10 || !kid.Alerts.UrgentLow {
		t.Errorf("kid alerts = %+v", kid.Alerts)
	}
	if mum := got.Person("mum"); mum.Thresholds != Default().Thresholds || mum.Alerts != Default().Alerts {
		t.Errorf("an account without its own settings takes the global ones, got %+v", mum)
	}
	if got.DisplayName("kid") != "Ben" || got.DisplayName("mum") != "mum" {
		t.Errorf("display names %q %q", got.DisplayName("kid"), got.DisplayName("mum"))
	}
}

func TestPersonThresholdsValidated(t *testing.T) {
	cfg := Default()
	cfg.SetAccount("kid", Account{Thresholds: Thresholds{High: 60}}) // below the global low
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "accounts.kid.thresholds") {
		t.Fatalf("err = %v", err)
	}
	cfg.SetAccount("kid", Account{Name: "Ben\x1b[31m"})
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "accounts.kid.name") {
		t.Fatalf("err = %v", err)
	}
}
