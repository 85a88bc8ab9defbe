// Package gate records that a source refused an account's credentials, in
// a small file every cgmtop process of the account reads, so that none of
// them sends those credentials again until the user logs in anew.
package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// Gate is one source's mark for one account. The zero Gate (no Path)
// never closes: for tests and the demo.
type Gate struct {
	Path string
}

// For is the gate of source kind on account.
func For(p config.Paths, account, kind string) Gate {
	return Gate{Path: filepath.Join(p.AccountStateDir(account), kind+"-needs-login.json")}
}

// mark is the file's content: no secret, no health data.
type mark struct {
	Source string    `json:"source"`
	Code   string    `json:"code,omitempty"`
	Msg    string    `json:"message"`
	Since  time.Time `json:"since"`
}

// Check returns the recorded *client.LoginError when the gate is closed,
// and nil when it is open. A damaged mark counts as closed: when in doubt,
// send no password.
func (g Gate) Check() error {
	if g.Path == "" {
		return nil
	}
	data, err := os.ReadFile(g.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var m mark
	if err != nil || json.Unmarshal(data, &m) != nil || m.Msg == "" {
		return &client.LoginError{Msg: fmt.Sprintf("the login needs renewing (mark %s unreadable): log in again", g.Path)}
	}
	return &client.LoginError{Source: m.Source, Code: m.Code, Msg: m.Msg}
}

// Since returns when the gate closed, or the zero time when it is open.
func (g Gate) Since() time.Time {
	data, err := os.ReadFile(g.Path)
	if err != nil {
		return time.Time{}
	}
	var m mark
	if json.Unmarshal(data, &m) != nil {
		return time.Time{}
	}
	return m.Since
}

// Close records e so that every process stops sending credentials.
func (g Gate) Close(e *client.LoginError, now time.Time) error {
	if g.Path == "" {
		return nil
	}
	if err := config.EnsureDir(filepath.Dir(g.Path)); err != nil {
		return err
	}
	data, err := json.Marshal(mark{Source: e.Source, Code: e.Code, Msg: e.Msg, Since: now.UTC()})
	if err != nil {
		return err
	}
	return maybe.WriteFile(g.Path, data, 0o600)
}

// Open removes the mark: the user has logged in again.
func (g Gate) Open() error {
	if g.Path == "" {
		return nil
	}
	if err := os.Remove(g.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
