package gate

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func TestGate(t *testing.T) {
	g := Gate{Path: filepath.Join(t.TempDir(), "state", "share-needs-login.json")}
	if err := g.Check(); err != nil {
		t.Fatalf("a new gate is open: %v", err)
	}
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	if err := g.Close(&client.LoginError{Source: "share", Code: "AccountPasswordInvalid", Msg: "refused"}, now); err != nil {
		t.Fatal(err)
	}
	err := g.Check()
	var le *client.LoginError
	if !errors.As(err, &le) || le.Code != "AccountPasswordInvalid" || !errors.Is(err, client.ErrUnauthorized) || !g.Since().Equal(now) {
		t.Fatalf("closed gate: %v, since %v", err, g.Since())
	}
	if fi, err := os.Stat(g.Path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mark mode: %v %v", fi.Mode(), err)
	}
	if err := os.WriteFile(g.Path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if g.Check() == nil {
		t.Fatal("a damaged mark must keep the gate closed")
	}
	if err := g.Open(); err != nil || g.Check() != nil {
		t.Fatalf("open: %v / %v", err, g.Check())
	}
	if (Gate{}).Check() != nil || (Gate{}).Close(&client.LoginError{}, now) != nil {
		t.Fatal("the zero gate never closes")
	}
}
