package auth

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/internal/testio"
)

// After a whole login and refresh, no credential is anywhere but the token
// file: not in another file cgmtop wrote, not on stdout or stderr, not in
// what Login printed.
func TestNoCredentialLeaks(t *testing.T) {
	env := newEnv(t, emulator.Config{})
	ctx := testContext(t)

	// Catch anything written to the process's own stdout and stderr.
	captured := filepath.Join(t.TempDir(), "std")
	sink, err := os.Create(captured)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = sink, sink
	defer func() { os.Stdout, os.Stderr = stdout, stderr }()

	var out testio.Buffer
	b := &goBrowser{decision: "allow"}
	store := env.fileStore()
	tok, err := Connect(ctx, store, env.emu.URL(), LoginOptions{OAuth: env.oauth(), OpenBrowser: b.open, Out: &out})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ts := env.tokenSource(env.fileStore())
	refreshed, err := forceRefresh(ctx, ts)
	if err != nil {
		t.Fatal(err)
	}
	if err := apiCall(ctx, env.emu.URL(), ts); err != nil {
		t.Fatal(err)
	}
	creds, _ := store.Load(ctx)
	os.Stdout, os.Stderr = stdout, stderr
	sink.Close()

	secrets := map[string]string{
		"client secret":        emulator.DefaultClientSecret,
		"first access token":   tok.AccessToken,
		"first refresh token":  tok.RefreshToken,
		"refreshed access":     refreshed,
		"stored refresh token": creds.RefreshToken,
	}
	if len(b.codes) != 1 {
		t.Fatalf("the browser saw %d codes, want 1", len(b.codes))
	}
	secrets["authorization code"] = b.codes[0]

	check := func(where string, data []byte) {
		for name, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the %s", where, name)
			}
		}
	}
	check("Login's output", []byte(out.String()))
	std, _ := os.ReadFile(captured)
	check("stdout/stderr", std)

	tokenFile := env.paths.TokenFile("default")
	files := 0
	err = filepath.WalkDir(env.xdgRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		info, _ := d.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others (%v)", path, info.Mode().Perm())
		}
		if path == tokenFile {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		check(path, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 { // the token file and the refresh lock at least
		t.Errorf("found only %d files under the XDG folders: the scan looked in the wrong place", files)
	}
	if fi, err := os.Stat(tokenFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}
