package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadMissingGivesDefaults(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, Default()) {
		t.Fatalf("got %+v, want defaults", cfg)
	}
}

func TestSaveLoadRoundTripPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cgmtop", "config.toml")
	cfg := Default()
	cfg.Units = "mmol/L"
	cfg.Thresholds.High = 200
	if err := Save(path, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Fatalf("round trip: got %+v, want %+v", got, cfg)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	tests := map[string]string{
		"units = 'stone'":                  "units",
		"token_store = 'paper'":            "token_store",
		"colour = 'red'":                   "unknown setting",
		"[thresholds]\nlow = 300":          "thresholds must rise",
		"retention_days = 365":             "retention_days",
		"units = ":                         "settings file",
		"theme = 'neon'":                   "theme",
		"[alerts]\nurgent_low = 'perhaps'": "settings file",
	}
	for body, want := range tests {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) error = %v, want one mentioning %q", body, err, want)
		}
	}
}

func TestEnsureDirTightens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v, want 0700", fi.Mode().Perm())
	}
}

func TestCheckAccount(t *testing.T) {
	for _, ok := range []string{"default", "kid-2", "a.b_c"} {
		if err := CheckAccount(ok); err != nil {
			t.Errorf("CheckAccount(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden", strings.Repeat("a", 65)} {
		if err := CheckAccount(bad); err == nil {
			t.Errorf("CheckAccount(%q) accepted", bad)
		}
	}
}
