package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
)

// Timing of the daemon for everyone.
const (
	// openRetry is how long an account whose sync could not start for a
	// reason other than its login (a keyring that did not answer, a full
	// disk) waits before the next try.
	openRetry = time.Minute
	// daemonStopWait bounds how long a signal waits for the engines: each
	// stops at its next context check, and SQLite's journal makes a write
	// cut short safe.
	daemonStopWait = 1500 * time.Millisecond
)

// daemonAccount is what the daemon knows of one account.
type daemonAccount struct {
	stamp      time.Time // the login it runs, or last ran
	running    bool
	needsLogin error     // why it stopped for want of a login; it waits for a new one
	retryAt    time.Time // when a sync that could not start is tried again
}

// lockedWriter lets the accounts' engines write to one stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// runDaemonAll is `cgmtop sync --daemon` without --account: an engine per
// logged-in account, each on its own cadence and source, so one account's
// refused login, expiry or rate limit never holds up another's. It looks
// at the accounts folder every few seconds: a new login starts its engine,
// a logout stops only that account's (accountSync.run sees it). It exits
// 78 when no account can sync (none logged in at the start, or every
// engine stopped with some login needing renewal), 0 when the last
// account logged out, and 0 on SIGTERM or SIGINT after stopping every
// engine.
func runDaemonAll(ctx context.Context, std stdio) error {
	e, err := loadEnv(config.DefaultAccount)
	if err != nil {
		return err
	}
	errw := &lockedWriter{w: std.err}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type ended struct {
		account string
		err     error
	}
	done := make(chan ended)
	accounts := map[string]*daemonAccount{}
	running := 0
	start := func(name string, stamp time.Time) {
		accounts[name] = &daemonAccount{stamp: stamp, running: true}
		running++
		go func() { done <- ended{name, syncAccount(ctx, name, errw)} }()
	}
	scan := func(now time.Time) {
		for _, name := range e.paths.AccountFolders() {
			stamp := loginStamp(env{paths: e.paths, account: name})
			a := accounts[name]
			switch {
			case stamp.IsZero():
			case a == nil:
				start(name, stamp)
			case a.running:
			case !stamp.Equal(a.stamp):
				start(name, stamp) // logged in anew
			case a.needsLogin == nil && !a.retryAt.IsZero() && !now.Before(a.retryAt):
				start(name, stamp)
			}
		}
	}

	scan(time.Now())
	if running == 0 {
		return &exitError{code: exitConfig, err: errors.New("no account is logged in: run `cgmtop login` (or `cgmtop login share`, `cgmtop login nightscout`) first")}
	}
	names := make([]string, 0, len(accounts))
	for n := range accounts {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprintf(errw, "Syncing %s on the sensor's cadence, and any account logged in from now on; Ctrl+C stops.\n", strings.Join(names, ", "))

	beat := followBeat()
	for {
		select {
		case <-ctx.Done():
			cancel()
			deadline := time.After(daemonStopWait)
			for running > 0 {
				select {
				case <-done:
					running--
				case <-deadline:
					return nil
				}
			}
			return nil
		case <-beat.C():
			scan(time.Now())
		case r := <-done:
			running--
			a := accounts[r.account]
			a.running = false
			switch {
			case ctx.Err() != nil:
			case errors.Is(r.err, errLoggedOut):
				fmt.Fprintf(errw, "%s: logged out (cgmtop logout): stopped syncing it.\n", r.account)
				a.stamp = time.Time{} // any later login starts it again
			case needsLogin(r.err):
				a.needsLogin = r.err
				fmt.Fprintf(errw, "%s: %v: stopped syncing it until it logs in again (`%s`).\n", r.account, r.err, loginCommandFor(r.account))
			default:
				a.retryAt = time.Now().Add(openRetry)
				fmt.Fprintf(errw, "%s: sync stopped (%v); trying again at %s.\n", r.account, r.err, a.retryAt.Format("15:04:05"))
			}
			scan(time.Now())
			if running > 0 || ctx.Err() != nil {
				continue
			}
			// Nothing syncs. Wait for an account that will retry by
			// itself; otherwise only the user can help.
			var refused []string
			waiting := false
			for n, a := range accounts {
				switch {
				case a.needsLogin != nil:
					refused = append(refused, n)
				case !a.retryAt.IsZero():
					waiting = true
				}
			}
			if waiting {
				continue
			}
			if len(refused) > 0 {
				slices.Sort(refused)
				return &exitError{code: exitConfig, err: fmt.Errorf("no account can sync: %s must log in again (`cgmtop login --account NAME`)", strings.Join(refused, ", "))}
			}
			fmt.Fprintln(errw, "Every account logged out: stopped syncing.")
			return nil
		}
	}
}

// syncAccount runs one account's engine until ctx ends, the account logs
// out (errLoggedOut) or its login is refused. Failed passes are reported
// with the account's name; the engine keeps trying those by itself.
func syncAccount(ctx context.Context, account string, errw io.Writer) error {
	e, err := loadEnv(account)
	if err != nil {
		return err
	}
	a, err := openAccountSync(ctx, e)
	if err != nil {
		recordFailure(ctx, e, err)
		return err
	}
	defer a.close()
	who := account
	if n := e.cfg.DisplayName(account); n != account {
		who += " (" + n + ")"
	}
	fmt.Fprintf(errw, "%s: syncing.\n", who)
	return a.run(ctx, func(r syncer.Result) {
		if r.Err != nil && !errors.Is(r.Err, client.ErrUnauthorized) {
			fmt.Fprintf(errw, "%s %s: sync failed: %v (next try %s)\n", time.Now().Format("15:04:05"), account, r.Err, r.Next.Local().Format("15:04:05"))
		}
	})
}

// loginCommandFor is the command that logs account in again.
func loginCommandFor(account string) string {
	if account == config.DefaultAccount {
		return "cgmtop login"
	}
	return "cgmtop login --account " + account
}

// needsLogin reports whether an account's sync stopped for want of a valid
// login: only a new `cgmtop login` helps, so it is not retried.
func needsLogin(err error) bool {
	return errors.Is(err, client.ErrUnauthorized) || errors.Is(err, client.ErrNotLoggedIn) || errors.Is(err, auth.ErrNoLogin)
}
