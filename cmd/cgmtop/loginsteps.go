package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/config"
)

// The steps every `cgmtop login …` shares, so the three logins cannot drift
// apart in what they store, in what order, and in what they say.

// loginEnv is the account a real-time login (`login share`, `login
// nightscout`) works on, with the flags every login has applied to its
// settings: --token-store and --name.
func loginEnv(account, storeKind string, nameGiven bool, name string) (env, error) {
	e, err := loadEnv(account)
	if err != nil {
		return e, err
	}
	if storeKind != "" {
		e.cfg.TokenStore = storeKind
	}
	if nameGiven {
		nameAccount(&e.cfg, e.account, name)
	}
	if err := e.cfg.Validate(); err != nil {
		return e, usageError("%v", err)
	}
	return e, nil
}

// keepLogin records a login of kind that its server just accepted and that
// is already in the token store: it lifts an old refusal, adds kind to the
// account's sources (alone: as its only one), saves cfg and marks the
// account logged in. e.cfg becomes cfg.
func keepLogin(e *env, cfg config.Config, kind string, alone bool) error {
	if err := gate.For(e.paths, e.account, kind).Open(); err != nil {
		return fmt.Errorf("clear the old refused-login mark: %w", err)
	}
	addSource(&cfg, e.account, kind, alone || !officialLoggedIn(*e))
	if err := config.Save(e.paths.ConfigFile, cfg); err != nil {
		return err
	}
	e.cfg = cfg
	if exists(markerPath(*e)) {
		return nil
	}
	return writeMarker(*e, loginMarker{TokenStore: cfg.TokenStore, At: time.Now().UTC()})
}

// firstSync is every login's last step: one sync, so the monitor and the
// status line have data at once. fetching is the line said before it;
// joined, if not "", is the real-time source kind the login added, whose
// delay the engine is told after the sync (whatever it learned before, the
// official API's hour or the first sync's reading age, is wrong for it). A
// sync that fails leaves the login in place: the monitor retries.
func firstSync(ctx context.Context, e env, std stdio, fetching, joined string) error {
	fmt.Fprintln(std.out, fetching)
	n, err := syncOnce(sayRateLimitWaits(ctx, std.err), e)
	if joined != "" {
		if serr := sourceAdded(ctx, e, joined); serr != nil && err == nil {
			err = serr
		}
	}
	if ctx.Err() != nil {
		return interrupted("first sync interrupted: the login is kept, and `cgmtop` fetches your readings when it starts")
	}
	if err != nil {
		fmt.Fprintf(std.out, "First sync did not finish (%v); `cgmtop` will retry.\n", err)
		return nil
	}
	fmt.Fprintf(std.out, "Cached %d readings. Run `cgmtop` to watch them.\n", n)
	return nil
}

// sayRateLimitWaits makes a client that waits out a rate limit by itself
// say so on w at once, with when it asks again: a command in the
// foreground would otherwise sit silent for the whole wait and look hung.
// Ctrl+C still ends the wait (the client waits on ctx).
func sayRateLimitWaits(ctx context.Context, w io.Writer) context.Context {
	return client.WithRateLimitNotice(ctx, func(rw client.RateLimitWait) {
		fmt.Fprintf(w, "%s is rate limiting: trying again in %s (at %s); Ctrl+C stops.\n",
			rw.Server, fmtWait(rw.Wait), time.Now().Add(rw.Wait).Format("15:04:05"))
	})
}

// fmtWait says a wait of seconds to minutes the way a person would: "30 s",
// "1 min 30 s", "5 min".
func fmtWait(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}
