package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The groups of commands in `cgmtop --help`.
var commandGroups = []*cobra.Group{
	{ID: "monitor", Title: "Monitor:"},
	{ID: "accounts", Title: "Accounts:"},
	{ID: "status", Title: "Status line & sync:"},
	{ID: "reports", Title: "Reports:"},
	{ID: "other", Title: "Other:"},
}

// subcommands are cgmtop's commands; `cgmtop --help` lists them by group
// (GroupID), sorted by name.
var subcommands = []struct {
	name  string
	build func(stdio) *cobra.Command
}{
	{"monitor", newMonitorCmd},
	{"login", newLoginCmd},
	{"logout", newLogoutCmd},
	{"auth", newAuthCmd},
	{"status", newStatusCmd},
	{"sync", newSyncCmd},
	{"report", newReportCmd},
	{"export", newExportCmd},
	{"doctor", newDoctorCmd},
	{"emulate", newEmulateCmd},
	{"version", newVersionCmd},
}

// extraCommands are added by files built with a tag: the man page
// generator (mandoc.go) is one, left out of the binary that ships.
var extraCommands []func(stdio) *cobra.Command

// newRootCmd builds the command tree for args. It only declares: no I/O,
// nothing parsed or compiled. Declaring every command's flags and
// completions costs a fresh process 0.15 to 0.4 ms, which `cgmtop status`,
// started by tmux every few seconds, should not pay: when args begin with
// a command's name, only that command is built (about half the cost, most
// of it the process's first allocations). Help, completion and
// did-you-mean get the whole tree.
func newRootCmd(std stdio, args []string) *cobra.Command {
	var opts monitorOptions
	root := &cobra.Command{
		Use:   "cgmtop",
		Short: "Your continuous glucose monitor, in the terminal",
		Long: `cgmtop: your continuous glucose monitor, in the terminal.

With no command, cgmtop opens the live monitor of the logged-in account,
or the overview of everyone when several are (see 'cgmtop monitor --help'). Start with 'cgmtop --demo', which needs no
account and no network, or 'cgmtop login'.`,
		Example: `  cgmtop --demo                   # try it, on the built-in Dexcom emulator
  cgmtop login                    # connect your Dexcom account
  cgmtop                          # the live monitor
  cgmtop status --format tmux     # one line for tmux's status-right
  cgmtop report --days 90 --format html > agp.html`,
		Version: strings.TrimPrefix(versionString(), "cgmtop "),
		Args:    unknownCommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.accountSet = cmd.Flags().Changed("account")
			return runMonitor(cmd.Context(), opts, std)
		},
		SilenceErrors:              true,
		SilenceUsage:               true,
		SuggestionsMinimumDistance: 2,
	}
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	// cobra's usage, with the flags' help wrapped to 80 columns. A template
	// is parsed only when help is printed.
	root.SetUsageTemplate(strings.ReplaceAll(root.UsageTemplate(), ".FlagUsages", ".FlagUsagesWrapped 80"))
	root.SetIn(std.in)
	root.SetOut(std.out)
	root.SetErr(std.err)
	root.SetFlagErrorFunc(flagError)
	root.AddGroup(commandGroups...)
	root.SetCompletionCommandGroupID("other")
	root.CompletionOptions.SetDefaultShellCompDirective(cobra.ShellCompDirectiveNoFileComp)

	only := ""
	if len(args) > 0 {
		for _, c := range subcommands {
			if c.name == args[0] {
				only = c.name
			}
		}
	}
	for _, c := range subcommands {
		if only == "" || c.name == only {
			root.AddCommand(c.build(std))
		}
	}
	if only == "" {
		addMonitorFlags(root, &opts)
		root.Flags().BoolP("version", "v", false, "print the version")
		for _, build := range extraCommands {
			root.AddCommand(build(std))
		}
		root.SetHelpCommand(newHelpCmd())
		root.InitDefaultHelpCmd()
		root.InitDefaultCompletionCmd()
		addBuiltinExamples(root)
	} else {
		root.CompletionOptions.DisableDefaultCmd = true
	}
	finish(root)
	return root
}

// addBuiltinExamples gives cobra's own completion commands examples, like
// every other command, and a shorter summary.
func addBuiltinExamples(root *cobra.Command) {
	examples := map[string]string{
		"completion": `  cgmtop completion bash > ~/.local/share/bash-completion/completions/cgmtop
  cgmtop completion zsh > "${fpath[1]}/_cgmtop"
  cgmtop completion fish > ~/.config/fish/completions/cgmtop.fish
  cgmtop completion powershell | Out-String | Invoke-Expression`,
		"completion bash":       "  cgmtop completion bash > ~/.local/share/bash-completion/completions/cgmtop",
		"completion zsh":        `  cgmtop completion zsh > "${fpath[1]}/_cgmtop"`,
		"completion fish":       "  cgmtop completion fish | source",
		"completion powershell": "  cgmtop completion powershell | Out-String | Invoke-Expression",
	}
	for path, ex := range examples {
		if cmd, _, err := root.Find(strings.Fields(path)); err == nil && cmd != root {
			cmd.Example = ex
		}
	}
	if cmd, _, err := root.Find([]string{"completion"}); err == nil && cmd != root {
		cmd.Short = "Shell completion for bash, zsh, fish or powershell"
	}
}

// newHelpCmd is `cgmtop help [COMMAND]`: cobra's, but an unknown topic is
// a usage error (exit 2) with a suggestion, like an unknown command.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help for any command: 'cgmtop help status' is 'cgmtop status --help'.",
		Example: `  cgmtop help
  cgmtop help status
  cgmtop help auth status`,
		GroupID: "other",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err == nil && len(rest) > 0 {
				err = unknownCommand(cmd, rest)
			}
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return cmd.Help()
		},
	}
}

func newVersionCmd(std stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Long: `Print cgmtop's version, and the commit and date it was built from (also
'cgmtop --version').`,
		Example: "  cgmtop version",
		GroupID: "other",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(std.out, versionString())
			return err
		},
	}
}

// runError marks an error a command returned while running, as opposed to
// one cobra found on the command line before it (exit code 2).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// finish walks the tree: every command gets the same --help, and its
// RunE's errors are marked as the command's own.
func finish(c *cobra.Command) {
	c.Flags().BoolP("help", "h", false, "show this help")
	if runE := c.RunE; runE != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := runE(cmd, args); err != nil {
				return &runError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		finish(sub)
	}
}

// precheck finds two mistakes cobra would report badly. A mistyped
// command followed by flags (`cgmtop repot --days 3`) would be an unknown
// flag of the root rather than an unknown command. A long flag with one
// dash (-format, as Go's flag package took it) would be read as -f with
// the value "ormat".
func precheck(root *cobra.Command, args []string) error {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return nil // a shell asking for completions: cobra adds the command as it runs
	}
	cmd, rest, err := root.Find(args)
	if err != nil {
		return nil // cobra says what is wrong
	}
	if cmd.HasSubCommands() && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		return unknownCommand(cmd, rest[:1])
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if f := cmd.Flags().Lookup(name); f != nil {
			return fmt.Errorf("unknown flag %s: long flags take two dashes: -%s", a, a)
		}
	}
	return nil
}

// usageMessage rewords cobra's own errors where they read badly.
func usageMessage(err error) string {
	msg := err.Error()
	// "if any flags in the group [a b] are set none of the others can be; [a b] were all set"
	if strings.HasPrefix(msg, "if any flags in the group [") && strings.HasSuffix(msg, "] were all set") {
		_, set, _ := strings.Cut(strings.TrimSuffix(msg, "] were all set"), "; [")
		return "--" + strings.Join(strings.Fields(set), " and --") + " cannot be used together"
	}
	return msg
}

// noArgs is cobra.NoArgs with cgmtop's wording.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("'%s' takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// noArgsBecause is noArgs with a reason, for a command whose secret
// someone might try to give as an argument.
func noArgsBecause(why string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("'%s' takes no arguments, got %q (%s)", cmd.CommandPath(), args, why)
		}
		return nil
	}
}

// unknownCommand rejects arguments to a command that only has
// subcommands, suggesting the nearest names.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for '%s'", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean '" + strings.Join(s, "' or '") + "'?"
	} else {
		msg += "; see '" + cmd.CommandPath() + " --help'"
	}
	return errors.New(msg)
}

// flagError rewrites pflag's errors as one line that says what to do.
func flagError(cmd *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist) && notExist.GetSpecifiedShortnames() != "":
		// -format, as Go's flag package accepted: a long flag with one dash.
		word := notExist.GetSpecifiedShortnames()
		if name, _, _ := strings.Cut(word, "="); cmd.Flags().Lookup(name) != nil {
			return fmt.Errorf("unknown flag -%s: long flags take two dashes: --%s", word, word)
		}
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if s := nearestFlag(cmd, name); s != "" {
			return fmt.Errorf("unknown flag --%s; did you mean --%s?", name, s)
		}
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		want := map[string]string{
			"int":      "a whole number",
			"int64":    "a whole number",
			"float64":  "a number",
			"duration": "a duration such as 90s, 5m or 2h",
			"bool":     "true or false",
		}[f.Value.Type()]
		if want != "" {
			return fmt.Errorf("--%s %q: want %s", f.Name, invalid.GetValue(), want)
		}
	}
	return fmt.Errorf("%v; see '%s --help'", err, cmd.CommandPath())
}

// nearestFlag is the command's flag closest to a mistyped name, if one is
// close enough to be what was meant.
func nearestFlag(cmd *cobra.Command, name string) string {
	best, bestDist := "", 3
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
