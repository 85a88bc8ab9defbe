package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
)

func runSync(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("sync", "cgmtop sync [--daemon] [--account NAME]", std)
	account := fs.String("account", config.DefaultAccount, "which login to sync")
	daemon := fs.Bool("daemon", false, "keep syncing on the sensor's cadence until stopped (for a systemd or launchd service)")
	background := fs.Bool("background", false, "one quiet pass, as started by `cgmtop status` (output goes to the log only)")
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
		return err
	}
	defer a.close()

	if *daemon {
		fmt.Fprintf(std.err, "Syncing account %q on the sensor's cadence; Ctrl+C stops.\n", e.account)
		err := a.run(ctx, func(r syncer.Result) {
			if r.Err != nil {
				fmt.Fprintf(std.err, "%s sync failed: %v (next try %s)\n", time.Now().Format("15:04:05"), r.Err, r.Next.Local().Format("15:04:05"))
			}
		})
		if errors.Is(err, context.Canceled) {
			return nil
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
