package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/syncer"
)

// syncOptions are `cgmtop sync`'s flags.
type syncOptions struct {
	account            string
	daemon, background bool
	everyone           bool // --daemon without --account: every logged-in account
}

func newSyncCmd(std stdio) *cobra.Command {
	var opts syncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Fetch new readings into the cache, once or as a service",
		Long: `Fetch new readings and events from the account's server into the cache that
the monitor, status, report and export read.

With --daemon it keeps syncing on the sensor's 5-minute cadence, waits out
network trouble and rate limits, and exits 78 (EX_CONFIG) when the login has
expired or is missing, so a service manager does not restart it in a loop.
While it runs, 'cgmtop status' starts no syncs of its own.

--daemon without --account syncs every logged-in account, each on its own
cadence and source: one account's expired login or rate limit never holds up
another's, a logout stops only that account, and an account logged in later
is picked up within seconds. It exits 78 only when no account can sync (none
logged in at the start, or every one stopped with a login to renew), and 0
after the last account logs out.`,
		Example: `  cgmtop sync                              # one pass, and what it fetched
  cgmtop sync --daemon                     # everyone, as a service, stopped by a signal
  cgmtop sync --daemon --account ana       # one account only

  # the service the .deb and .rpm packages install
  systemctl --user enable --now cgmtop-sync.service`,
		GroupID: "status",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.everyone = opts.daemon && !cmd.Flags().Changed("account")
			return runSync(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "`NAME` of the login to sync (default \"default\"; with --daemon, every logged-in account)")
	fl.Lookup("account").DefValue = "" // the usage says both defaults
	fl.BoolVarP(&opts.daemon, "daemon", "d", false, "keep syncing on the sensor's cadence until stopped (for a systemd or launchd service)")
	fl.BoolVar(&opts.background, "background", false, "one quiet pass, as started by cgmtop status (output goes to the log only)")
	fl.MarkHidden("background") // status's own; not for people
	cmd.MarkFlagsMutuallyExclusive("daemon", "background")
	return cmd
}

func runSync(ctx context.Context, opts syncOptions, std stdio) error {
	if opts.everyone {
		return runDaemonAll(ctx, std)
	}
	e, err := loadEnv(opts.account)
	if err != nil {
		return err
	}
	a, err := openAccountSync(ctx, e)
	if err != nil {
		// Say so in the cache, or `cgmtop status` would show stale data
		// with no reason while it keeps starting syncs that cannot work.
		recordFailure(ctx, e, err)
		if opts.background {
			return nil
		}
		if opts.daemon {
			return &exitError{code: exitConfig, err: err}
		}
		return err
	}
	defer a.close()

	if opts.daemon {
		fmt.Fprintf(std.err, "Syncing account %q on the sensor's cadence; Ctrl+C stops.\n", e.account)
		err := a.run(ctx, func(r syncer.Result) {
			// A refused login ends the daemon with its own message below.
			if r.Err != nil && !errors.Is(r.Err, client.ErrUnauthorized) {
				fmt.Fprintf(std.err, "%s sync failed: %v (next try %s)\n", time.Now().Format("15:04:05"), r.Err, r.Next.Local().Format("15:04:05"))
			}
		})
		switch {
		case err == nil, errors.Is(err, context.Canceled):
			return nil
		case errors.Is(err, errLoggedOut):
			// Not a failure: a service manager should not restart it.
			fmt.Fprintln(std.err, "Logged out (cgmtop logout): stopped syncing.")
			return nil
		case errors.Is(err, client.ErrUnauthorized):
			return &exitError{code: exitConfig, err: err}
		}
		return err
	}

	runCtx := ctx
	if !opts.background {
		runCtx = sayRateLimitWaits(ctx, std.err)
	}
	res, err := a.once(runCtx)
	if opts.background {
		if err != nil && !errors.Is(err, syncer.ErrBusy) {
			a.log.Warn("background sync failed", "err", err)
		}
		return nil
	}
	if errors.Is(err, syncer.ErrBusy) {
		fmt.Fprintln(std.out, "Another cgmtop is syncing this account right now; its readings will be in the cache shortly.")
		return nil
	}
	if ctx.Err() != nil {
		return interrupted("sync interrupted: run `cgmtop sync` again to finish")
	}
	if err != nil {
		return err
	}
	now := time.Now()
	fmt.Fprintf(std.out, "Added %d readings; newest %s; next reading expected %s.\n",
		res.Added, fmtAge(now, res.Newest), res.Next.Local().Format("15:04"))
	return nil
}

// recordFailure notes a sync that could not even start in the account's
// cache, if it has one, keeping the last success.
func recordFailure(ctx context.Context, e env, cause error) {
	path := e.paths.Database(e.account)
	if _, err := os.Stat(path); err != nil {
		return // nothing cached: status already says "not logged in" or "no data"
	}
	db, err := cache.Open(ctx, path)
	if err != nil {
		return
	}
	defer db.Close()
	st, _ := db.SyncStatus(ctx)
	now := time.Now()
	st.LastAttempt, st.LastError, st.NextPoll = now, cause.Error(), now.Add(time.Minute)
	if db.PutSyncStatus(ctx, st) == nil {
		writeSnapshot(ctx, e, db, slog.New(slog.DiscardHandler))
	}
}
