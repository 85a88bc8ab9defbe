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
