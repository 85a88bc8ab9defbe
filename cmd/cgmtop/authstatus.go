package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/config"
)

func newAuthCmd(std stdio) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Who is logged in, to which sources, and where the logins are kept",
		Long: `Look at the logins cgmtop keeps. 'cgmtop login' and 'cgmtop logout' make and
remove them.`,
		Example: `  cgmtop auth status
  cgmtop auth status --account mum`,
		GroupID:                    "accounts",
		Args:                       unknownCommand,
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	var account string
	status := &cobra.Command{
		Use:   "status",
		Short: "Each account's sources, their logins and their state",
		Long: `Show every account (or the one --account names): its sources, where each
login is kept and its state, then the cache's last sync and where the newest
reading came from. No secret is shown and nothing is sent. It exits 1 when no
account is logged in.`,
		Example: `  cgmtop auth status
  cgmtop auth status --account mum`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuthStatus(cmd.Context(), account, std)
		},
	}
	status.Flags().StringVarP(&account, "account", "a", "", "show only the account `NAME` (default: every account)")
	mustComplete(status, "account", completeAccounts)
	cmd.AddCommand(status)
	return cmd
}

// runAuthStatus is `cgmtop auth status`: each source of each account (or
// of the one account names), where its login is kept and its state, then
// the cache's last sync and where the newest reading came from. No secret
// is shown and nothing is sent.
func runAuthStatus(ctx context.Context, account string, std stdio) error {
	name := account
	if name == "" {
		name = config.DefaultAccount
	}
	e, err := loadEnv(name)
	if err != nil {
		return err
	}
	names := []string{name}
	if account == "" {
		names = knownAccounts(e)
	}
	loggedIn := false
	for i, n := range names {
		if i > 0 {
			fmt.Fprintln(std.out)
		}
		e.account = n
		if showAccount(ctx, e, std) {
			loggedIn = true
		}
	}
	if !loggedIn {
		return &exitError{code: 1, err: errors.New("not logged in: run `cgmtop login` (official API), `cgmtop login share` or `cgmtop login nightscout`")}
	}
	return nil
}

// knownAccounts are the accounts with settings or a folder, the default
// first.
func knownAccounts(e env) []string {
	out := []string{config.DefaultAccount}
	for _, n := range e.cfg.People(e.paths) {
		if n != config.DefaultAccount {
			out = append(out, n)
		}
	}
	return out
}

// showAccount prints one account and reports whether any of its sources
// has a stored login.
func showAccount(ctx context.Context, e env, std stdio) bool {
	acct := e.cfg.Account(e.account)
	kinds := make([]string, len(acct.Sources))
	for i, k := range acct.Sources {
		kinds[i] = sourceKinds[k].name
	}
	mode := ""
	if acct.Hybrid() {
		mode = " (history from the first, the newest readings from the second)"
	}
	who := e.account
	if n := e.cfg.DisplayName(e.account); n != e.account {
		who += fmt.Sprintf(" (%s)", client.Printable(n, 40))
	}
	fmt.Fprintf(std.out, "Account %s: %s%s\n", who, strings.Join(kinds, " + "), mode)
	has := false
	now := time.Now()
	for _, k := range acct.Sources {
		kind := sourceKinds[k]
		where, details, err := kind.describe(ctx, e)
		state := "logged in"
		switch {
		case errors.Is(err, auth.ErrNoLogin):
			state = "not logged in: run `cgmtop login" + map[bool]string{true: "", false: " " + k}[k == config.SourceDexcom] + "`"
		case err != nil:
			state = "login unreadable: " + err.Error()
		default:
			has = true
			if gerr := gate.For(e.paths, e.account, k).Check(); gerr != nil {
				state = "NEEDS LOGIN (refused " + fmtAge(now, gate.For(e.paths, e.account, k).Since()) + "): " + gerr.Error()
			}
		}
		fmt.Fprintf(std.out, "  %-12s %s\n", k, state)
		for _, d := range details {
			fmt.Fprintf(std.out, "  %-12s %s\n", "", d)
		}
		if where != "" {
			fmt.Fprintf(std.out, "  %-12s kept in %s\n", "", where)
		}
	}
	if db, err := cache.OpenReader(ctx, e.paths.Database(e.account)); err == nil {
		defer db.Close()
		if f, err := db.Freshness(ctx); err == nil {
			s := f.Sync
			line := "last sync " + fmtAge(now, s.LastSuccess)
			if s.LastError != "" {
				// Written by any cgmtop version, from a server's words.
				line += " (last attempt failed: " + client.Printable(s.LastError, 200) + ")"
			}
			fmt.Fprintf(std.out, "  %-12s %s\n", "cache", line)
			if r := f.Latest; !r.Time.IsZero() {
				line := "newest reading " + fmtAge(now, r.Time)
				if r.Source != "" {
					line += ", via " + sourceKinds[r.Source].name
				}
				if !r.Arrived.IsZero() {
					line += fmt.Sprintf(", arrived %s after the sensor", r.Arrived.Sub(r.Time).Round(time.Second))
				}
				fmt.Fprintf(std.out, "  %-12s %s\n", "", line)
			}
		}
	}
	return has
}
