package main

import (
	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

// Shell completion of flag values. Cobra's `completion` command writes the
// scripts; they call the hidden `cgmtop __complete …`, which runs the
// functions registered here. A flag without one completes nothing (the
// root's default directive), never file names.

// values completes a flag from a fixed list; a value may carry a
// description after a tab.
func values(vs ...cobra.Completion) cobra.CompletionFunc {
	return cobra.FixedCompletions(vs, cobra.ShellCompDirectiveNoFileComp)
}

// mustComplete registers a flag's completion; the flag is defined just
// before, so a failure is a programming mistake.
func mustComplete(cmd *cobra.Command, flag string, f cobra.CompletionFunc) {
	if err := cmd.RegisterFlagCompletionFunc(flag, f); err != nil {
		panic(err)
	}
}

// addAccountFlag is -a/--account, completed with the accounts on this
// machine; usage names the value in backquotes, e.g. "`NAME` of the login".
func addAccountFlag(cmd *cobra.Command, p *string, usage string) {
	cmd.Flags().StringVarP(p, "account", "a", config.DefaultAccount, usage)
	mustComplete(cmd, "account", completeAccounts)
}

// completeAccounts completes an account name.
func completeAccounts(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return accountNames(config.DefaultPaths()), cobra.ShellCompDirectiveNoFileComp
}

// accountNames lists the accounts that have a cache or a login on this
// machine: the folders under the data and state directories.
func accountNames(p config.Paths) []string { return p.AccountFolders() }

// addUnitsFlag is --units.
func addUnitsFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVarP(p, "units", "u", "", "show glucose in `UNIT`: mg/dL or mmol/L (default from settings)")
	mustComplete(cmd, "units", values("mg/dL", "mmol/L"))
}

// themes are the settings' theme names, for --theme.
var themes = []cobra.Completion{
	"auto\tdark or light, from the terminal's background",
	"dark", "light",
	"high-contrast\tcolour-blind safe",
}

var regions = []cobra.Completion{
	"us\tUnited States",
	"eu\toutside the US and Japan",
	"jp\tJapan",
	"sandbox\tDexcom's test users",
}

// shareRegions are Dexcom Share's regions.
var shareRegions = []cobra.Completion{
	"us\tUnited States",
	"ous\toutside the US",
	"jp\tJapan and APAC",
}

// demoSources are the sources --demo can emulate.
var demoSources = []cobra.Completion{
	"dexcom\tthe official API",
	"share\tDexcom Share",
	"nightscout\ta Nightscout site",
	"hybrid\tthe official API and Share",
}

var tokenStores = []cobra.Completion{
	"keyring\tthe OS keyring (default)",
	"file\ta private file, for machines with no keyring",
}

// statusFormats are status's --format names.
func statusFormats() []cobra.Completion {
	names := make([]string, len(statusline.Formats))
	for i, f := range statusline.Formats {
		names[i] = string(f)
	}
	return names
}
