// Package doctor checks a cgmtop setup from end to end and explains each
// finding with a fix: settings, logins, sources, keyring, caches, syncing,
// the clock, the terminal and tmux.
//
// A check reads; it never changes anything, and it never prints a glucose
// value, a token or a secret.
package doctor

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/config"
)

// Level is how much a finding matters.
type Level uint8

const (
	OK   Level = iota // works
	Info              // worth knowing; nothing to fix
	Warn              // works, but not as well as it could
	Fail              // broken: cgmtop cannot do its job until it is fixed
)

// mark is the finding's sign at the start of its line.
func (l Level) mark(ascii bool) string {
	if ascii {
		return [...]string{"ok  ", "--  ", "warn", "FAIL"}[l]
	}
	return [...]string{"✓", "·", "!", "✗"}[l]
}

// Finding is one line of the report.
type Finding struct {
	Topic string // settings, login, source, keyring, cache, sync, clock, terminal, tmux
	Level Level
	Say   string // what was found, in plain words
	Fix   string // what to do about it; empty when nothing needs doing
}

// Report is every finding, in the order the checks ran.
type Report []Finding

// Failed reports whether any finding is a failure.
func (r Report) Failed() bool {
	for _, f := range r {
		if f.Level == Fail {
			return true
		}
	}
	return false
}

// Write prints the report, one finding a line, its fix indented below it.
func (r Report) Write(w io.Writer, ascii bool) error {
	width := 0
	for _, f := range r {
		width = max(width, len(f.Topic))
	}
	var b strings.Builder
	for _, f := range r {
		fmt.Fprintf(&b, "%s %-*s  %s\n", f.Level.mark(ascii), width, f.Topic, f.Say)
		if f.Fix != "" {
			arrow := "→"
			if ascii {
				arrow = "->"
			}
			fmt.Fprintf(&b, "  %*s  %s %s\n", width, "", arrow, f.Fix)
		}
	}
	fails, warns := 0, 0
	for _, f := range r {
		switch f.Level {
		case Fail:
			fails++
		case Warn:
			warns++
		}
	}
	switch {
	case fails > 0 && warns > 0:
		fmt.Fprintf(&b, "\n%s to fix, %s worth a look.\n", plural(fails, "problem"), plural(warns, "warning"))
	case fails > 0:
		fmt.Fprintf(&b, "\n%s to fix.\n", plural(fails, "problem"))
	case warns > 0:
		fmt.Fprintf(&b, "\nNothing broken; %s worth a look.\n", plural(warns, "warning"))
	default:
		b.WriteString("\nAll good.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Probe is the result of one cheap request to an account's server.
type Probe struct {
	Server     string    // where it went, for the user
	ServerDate time.Time // the answer's Date header; zero when it had none
	Err        error     // the request or the login failed
}

// Env is the machine the checks look at. Every outside effect is a field,
// so tests can set up each situation for real (folders, files, a server)
// and swap only what a test machine lacks.
type Env struct {
	Paths     config.Paths
	Config    config.Config
	ConfigErr error // from config.Load: the settings file is broken

	Offline bool // no request to any server
	Now     func() time.Time
	Getenv  func(string) string

	// Keyring answers nil when an OS keyring responds (bounded in time).
	Keyring func(ctx context.Context) error
	// LoggedIn reports where an account's login is kept, or an error
	// (auth.ErrNoLogin when there is none).
	LoggedIn func(ctx context.Context, account string) (where string, err error)
	// Probe makes one cheap request to the account's server. nil, or
	// Offline, skips it.
	Probe func(ctx context.Context, account string) Probe
	// Tmux runs `tmux ARGS…` against the user's server and returns its
	// output; nil when tmux is not installed.
	Tmux func(ctx context.Context, args ...string) (string, error)
	// FreeSpace reports the bytes still free on the disk holding dir and
	// an id of that disk (FreeSpace in this package); nil skips the check.
	FreeSpace func(dir string) (free uint64, disk string, err error)
}

// Run runs every check and returns the findings.
func Run(ctx context.Context, env Env) Report {
	if env.Now == nil {
		env.Now = time.Now
	}
	var r Report
	r = append(r, checkSettings(env)...)
	accounts, found := checkAccountsFolder(env)
	r = append(r, found...)
	r = append(r, checkKeyring(ctx, env, len(accounts) > 0)...)
	for _, a := range accounts {
		r = append(r, checkAccount(ctx, env, a)...)
	}
	r = append(r, checkDisk(env)...)
	r = append(r, checkTerminal(env)...)
	r = append(r, checkTmux(ctx, env)...)
	return r
}
