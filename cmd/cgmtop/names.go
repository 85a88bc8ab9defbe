package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cgmtop/cgmtop/config"
)

// addNameFlag is --name, the person's display name. Whether it was given
// is asked of the flag set, so an empty --name clears the name.
func addNameFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "name", "", "the person's display `NAME` (\"Ana\"), shown by the status line, the overview and alerts; kept in the settings")
}

// nameAccount stores name as the account's display name in cfg. The
// account's table is taken as stored (not Config.Account, which fills in
// defaults the user never wrote).
func nameAccount(cfg *config.Config, account, name string) {
	a := cfg.Accounts[account]
	a.Name = strings.TrimSpace(name)
	cfg.SetAccount(account, a)
}

// onlyRenames reports whether a login command was given nothing but
// --name (and --account): on an account already logged in, that renames
// the person without a new login.
func onlyRenames(cmd *cobra.Command) bool {
	only := cmd.Flags().Changed("name")
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Name != "name" && f.Name != "account" {
			only = false
		}
	})
	return only
}

// rename is `cgmtop login --name NAME` on an account already logged in.
func rename(e env, name string, std stdio) error {
	cfg := e.cfg
	nameAccount(&cfg, e.account, name)
	if err := cfg.Validate(); err != nil {
		return usageError("--name: %v", err)
	}
	if err := config.Save(e.paths.ConfigFile, cfg); err != nil {
		return err
	}
	if n := cfg.Accounts[e.account].Name; n != "" {
		fmt.Fprintf(std.out, "Account %s is now shown as %q (no new login needed).\n", e.account, n)
	} else {
		fmt.Fprintf(std.out, "Account %s is shown by its account name again.\n", e.account)
	}
	return nil
}
