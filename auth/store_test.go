package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/cgmtop/cgmtop/config"
)

var sample = Credentials{
	ClientID:     "my-client",
	ClientSecret: "s3cret-client-secret",
	RefreshToken: "r3fresh-token-value",
	Updated:      time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	BaseURL:      "https://sandbox-api.dexcom.com",
}

// roundTrip exercises any Store: empty, save, load, replace, delete, delete
// again.
func roundTrip(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if _, err := s.Load(ctx); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("Load of an empty store = %v, want ErrNoLogin", err)
	}
	if err := s.Save(ctx, sample); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, err := s.Load(ctx)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.ClientSecret != sample.ClientSecret || got.RefreshToken != sample.RefreshToken ||
		got.ClientID != sample.ClientID || !got.Updated.Equal(sample.Updated) || got.BaseURL != sample.BaseURL {
		t.Fatalf("Load after Save: credentials differ")
	}
	next := sample
	next.RefreshToken = "rotated-refresh-token"
	if err := s.Save(ctx, next); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx); got.RefreshToken != next.RefreshToken {
		t.Fatal("Save did not replace the stored refresh token")
	}
	st, err := LoadStatus(ctx, s)
	if err != nil || st.ClientID != sample.ClientID || st.Where != s.Where() || !st.Updated.Equal(sample.Updated) {
		t.Fatalf("LoadStatus = %+v, %v", st, err)
	}
	if text := fmt.Sprintf("%+v", st); strings.Contains(text, sample.ClientSecret) || strings.Contains(text, "rotated-refresh-token") {
		t.Fatalf("status shows a secret: %s", text)
	}
	for range 2 {
		if err := s.Delete(ctx); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if _, err := s.Load(ctx); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("Load after Delete = %v, want ErrNoLogin", err)
	}
	if _, err := LoadStatus(ctx, s); !errors.Is(err, ErrNoLogin) {
		t.Fatalf("LoadStatus after Delete = %v, want ErrNoLogin", err)
	}
}

func TestFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "cgmtop", "accounts", "default", "token.json")
	s := NewFileStore(path)
	roundTrip(t, s)

	if err := s.Save(context.Background(), sample); err != nil {
		t.Fatal(err)
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
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the token folder holds %d entries, want only token.json (no temp files left)", len(entries))
	}

	// A loosened file is made private again on the next read.
	os.Chmod(path, 0o644)
	if _, err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Load of a loosened file: %v, want 0600", fi.Mode().Perm())
	}

	// A damaged file is an error that names the fix, not a crash or a leak.
	os.WriteFile(path, []byte(`{"refresh_token": "half`), 0o600)
	if _, err := s.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "cgmtop login") || errors.Is(err, ErrNoLogin) {
		t.Errorf("Load of a damaged file = %v", err)
	}
}

func TestKeyringStoreMock(t *testing.T) {
	keyring.MockInit()
	roundTrip(t, NewKeyringStore("default"))
	if err := KeyringAvailable(context.Background()); err != nil {
		t.Errorf("KeyringAvailable with a working keyring: %v", err)
	}
}

// With no keyring, the store refuses and points at the file store; it never
// writes plaintext on its own.
func TestKeyringUnavailable(t *testing.T) {
	keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	s := NewKeyringStore("default")
	ctx := context.Background()
	for name, err := range map[string]error{
		"Check":            s.Check(ctx),
		"Save":             s.Save(ctx, sample),
		"KeyringAvailable": KeyringAvailable(ctx),
	} {
		if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "--token-store file") {
			t.Errorf("%s = %v, want ErrKeyringUnavailable suggesting --token-store file", name, err)
		}
	}
	if _, err := s.Load(ctx); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Load = %v, want ErrKeyringUnavailable", err)
	}
	// Connect stops before the browser: the login would be wasted.
	_, err := Connect(ctx, s, "http://127.0.0.1:1", LoginOptions{
		OAuth:       testOAuth("http://localhost:1/cb"),
		OpenBrowser: func(string) error { t.Error("browser opened though the keyring refuses"); return nil },
	})
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Connect = %v, want ErrKeyringUnavailable", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*", "*")); len(files) != 0 {
		t.Errorf("files written with no keyring: %v", files)
	}
}

// A keyring that never answers (locked, waiting on a prompt) costs a
// bounded wait, not a hang.
func TestKeyringCallsAreBounded(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	err := bounded(context.Background(), 50*time.Millisecond, func() error { <-release; return nil })
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("bounded = %v, want ErrKeyringUnavailable after the timeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := bounded(ctx, time.Minute, func() error { <-release; return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("bounded with a cancelled context = %v", err)
	}
}

func TestCredentialsNeverPrint(t *testing.T) {
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("login", "creds", sample)
	for _, text := range []string{
		fmt.Sprint(sample), fmt.Sprintf("%v|%+v|%#v|%s|%q|%x", sample, sample, sample, sample, sample, sample),
		fmt.Sprintf("%v", &sample), fmt.Sprintf("%+v", []Credentials{sample}), logged.String(),
	} {
		if strings.Contains(text, sample.ClientSecret) || strings.Contains(text, sample.RefreshToken) {
			t.Errorf("credentials printed a secret: %s", text)
		}
		if !strings.Contains(text, sample.ClientID) {
			t.Errorf("credentials printed without their client id: %s", text)
		}
	}
}

// The real Secret Service: gnome-keyring in a private D-Bus session. The
// test re-runs itself inside `dbus-run-session`, where the daemon is
// unlocked with a throwaway password.
func TestSecretService(t *testing.T) {
	if os.Getenv("CGMTOP_TEST_IN_DBUS") == "1" {
		if err := KeyringAvailable(context.Background()); err != nil {
			t.Fatalf("gnome-keyring did not answer: %v", err)
		}
		roundTrip(t, NewKeyringStore("default"))
		// Accounts are separate items.
		ctx := context.Background()
		a, b := NewKeyringStore("kid-1"), NewKeyringStore("kid-2")
		if err := a.Save(ctx, sample); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Load(ctx); !errors.Is(err, ErrNoLogin) {
			t.Fatalf("account kid-2 sees kid-1's login: %v", err)
		}
		a.Delete(ctx)
		return
	}
	for _, bin := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("no %s: install gnome-keyring and dbus-x11 to test the real Secret Service", bin)
		}
	}
	home := t.TempDir()
	script := `echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" -test.run '^TestSecretService$' -test.count=1`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), "CGMTOP_TEST_IN_DBUS=1", "HOME="+home,
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_RUNTIME_DIR="+filepath.Join(home, "run"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	os.MkdirAll(filepath.Join(home, "run"), 0o700)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("under dbus-run-session: %v\n%s", err, out)
	}
	t.Logf("Secret Service round trip:\n%s", out)
}

func TestNewStoreAndLogout(t *testing.T) {
	keyring.MockInit()
	paths := config.Under(t.TempDir())
	ctx := context.Background()
	for _, kind := range []string{"keyring", "file"} {
		s, err := NewStore(kind, "default", paths)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, sample); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewStore("paper", "default", paths); err == nil {
		t.Error("NewStore accepted an unknown kind")
	}
	if _, err := NewStore("file", "../escape", paths); err == nil {
		t.Error("NewStore accepted an unsafe account name")
	}
	if err := Logout(ctx, "keyring", "default", paths); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"keyring", "file"} {
		s, _ := NewStore(kind, "default", paths)
		requireEmpty(t, s)
	}

	// With no keyring, a file-store user can still log out; a keyring user
	// is told the keyring could not be reached.
	keyring.MockInitWithError(errors.New("no dbus"))
	t.Cleanup(keyring.MockInit)
	if err := Logout(ctx, "file", "default", paths); err != nil {
		t.Errorf("Logout (file) with no keyring: %v", err)
	}
	if err := Logout(ctx, "keyring", "default", paths); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Logout (keyring) with no keyring = %v", err)
	}
}
