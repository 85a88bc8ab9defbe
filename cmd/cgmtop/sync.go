package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
)

// exitConfig (EX_CONFIG) ends `sync --daemon` when only the user can help,
// such as an expired login; the systemd unit does not restart on it.
const exitConfig = 78

func runSync(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("sync", "cgmtop sync [--daemon] [--account NAME]", std)
	account := fs.String("account", config.DefaultAccount, "which login to sync")
	daemon := fs.Bool("daemon", false, "keep syncing on the sensor's cadence until stopped (for a systemd or launchd service)")
	background := fs.Bool("background", false, "one quiet pass, as started by cgmtop status (output goes to the log only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("sync takes no arguments, got %q", fs.Args())
	}
	e, err := loadEnv(*account)
	if err != nil {
		return err
	}
	a, err := openAccountSync(ctx, e)
	if err != nil {
		// Say so in the cache, or `cgmtop status` would show stale data
		// with no reason while it keeps starting syncs that cannot work.
		recordFailure(ctx, e, err)
		if *background {
			return nil
		}
		if *daemon {
			return &exitError{code: exitConfig, err: err}
		}
		return err
	}
	defer a.close()

	if *daemon {
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
		case errors.Is(err, client.ErrUnauthorized):
			return &exitError{code: exitConfig, err: err}
		}
		return err
	}

	res, err := a.once(ctx)
	if *background {
		if err != nil && !errors.Is(err, syncer.ErrBusy) {
			a.log.Warn("background sync failed", "err", err)
		}
		return nil
	}
	if errors.Is(err, syncer.ErrBusy) {
		fmt.Fprintln(std.out, "Another cgmtop is syncing this account right now; its readings will be in the cache shortly.")
		return nil
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
