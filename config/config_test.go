package config

import (
	"os"
	"os/exec"
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
		"units = 'stone'":                      "units",
		"token_store = 'paper'":                "token_store",
		"colour = 'red'":                       "unknown setting",
		"[thresholds]\nlow = 300":              "thresholds must rise",
		"retention_days = 365":                 "retention_days",
		"units = ":                             "settings file",
		"theme = 'neon'":                       "theme",
		"[alerts]\nurgent_low = 'perhaps'":     "settings file",
		"api_url = 'http://192.168.1.20:8080'": "api_url",
		"api_url = 'ftp://x'":                  "api_url",
		"api_url = 'dexcom.example'":           "api_url",
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

// Folders an older version, a copy or a loose umask left open are made
// private; files, and folders that are not cgmtop's, are left alone.
func TestMakePrivate(t *testing.T) {
	root := t.TempDir()
	p := Under(filepath.Join(root, "home"))
	loose := []string{
		filepath.Dir(p.ConfigFile),
		p.DataDir, p.AccountDataDir("default"),
		p.StateDir, p.AccountStateDir("kid"),
	}
	for _, dir := range loose {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(p.DataDir, "note")
	os.WriteFile(file, nil, 0o644)
	parent := filepath.Join(root, "home")
	os.Chmod(parent, 0o755)

	if err := p.MakePrivate(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range loose {
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s is %v after MakePrivate, want 0700", dir, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(parent); fi.Mode().Perm() != 0o755 {
		t.Errorf("the folder above cgmtop's own became %v: not cgmtop's to change", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o644 {
		t.Errorf("a file became %v: MakePrivate changes folders only", fi.Mode().Perm())
	}

	// Missing folders are fine: nothing is created.
	if err := Under(filepath.Join(root, "none")).MakePrivate(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "none")); err == nil {
		t.Error("MakePrivate created folders")
	}

	// A data folder kept elsewhere through a link is tightened where it is.
	elsewhere := filepath.Join(root, "big-disk", "cgmtop")
	os.MkdirAll(elsewhere, 0o755)
	linked := Under(filepath.Join(root, "linked"))
	os.MkdirAll(filepath.Dir(linked.DataDir), 0o700)
	if err := os.Symlink(elsewhere, linked.DataDir); err != nil {
		t.Fatal(err)
	}
	if err := linked.MakePrivate(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(elsewhere); fi.Mode().Perm() != 0o700 {
		t.Errorf("linked data folder is %v, want 0700", fi.Mode().Perm())
	}
}

// A folder cgmtop cannot make private stops it with a message naming the
// folder. An immutable folder stands in for one owned by someone else,
// which a test cannot make (as root, every chmod succeeds; as a user,
// there is no one else's folder to use).
func TestMakePrivateRefuses(t *testing.T) {
	p := Under(t.TempDir())
	stuck := p.AccountDataDir("default")
	if err := os.MkdirAll(stuck, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(stuck, 0o755)
	if out, err := exec.Command("chattr", "+i", stuck).CombinedOutput(); err != nil {
		t.Skipf("cannot make a folder immutable here (chattr +i: %v %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", stuck).Run() })
	err := p.MakePrivate()
	if err == nil {
		t.Fatal("MakePrivate succeeded on a folder it cannot change")
	}
	t.Logf("error: %v", err)
	if !strings.Contains(err.Error(), stuck) || !strings.Contains(err.Error(), "chmod 700") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line naming %s and the fix", err, stuck)
	}
}

func TestCheckAccount(t *testing.T) {
	for _, ok := range []string{"default", "kid-2", "a.b_c", "9", strings.Repeat("a", 64)} {
		if err := CheckAccount(ok); err != nil {
			t.Errorf("CheckAccount(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden", "-x", "_x", "a b", "ana\n", "é", "a\x00", strings.Repeat("a", 65)} {
		if err := CheckAccount(bad); err == nil {
			t.Errorf("CheckAccount(%q) accepted", bad)
		}
	}
}

// BenchmarkMakePrivate is the cost `cgmtop status` (run by tmux every few
// seconds) pays for checking a typical tree that is already private.
func BenchmarkMakePrivate(b *testing.B) {
	p := Under(b.TempDir())
	for _, account := range []string{"default", "kid"} {
		for _, f := range []string{p.Database(account), p.Database(account) + "-wal", p.TokenFile(account), p.Lock(account, "sync"), p.Lock(account, "refresh")} {
			if err := EnsureDir(filepath.Dir(f)); err != nil {
				b.Fatal(err)
			}
			os.WriteFile(f, nil, 0o600)
		}
	}
	EnsureDir(filepath.Dir(p.ConfigFile))
	os.WriteFile(p.ConfigFile, nil, 0o600)
	os.WriteFile(p.LogFile(), nil, 0o600)
	b.ResetTimer()
	for b.Loop() {
		if err := p.MakePrivate(); err != nil {
			b.Fatal(err)
		}
	}
}
