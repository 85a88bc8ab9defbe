package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

// statusOptions are `cgmtop status`'s flags.
type statusOptions struct {
	account, format, template, units string
	ascii, noColor, noSync, all      bool
}

func newStatusCmd(std stdio) *cobra.Command {
	var opts statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "One line for tmux, status bars and prompts, from the cache",
		Long: `Print one line: the newest reading, its trend arrow, change and age.

status reads only the local cache and returns in a few milliseconds; it never
touches the network or the login. When the cache is due for a new reading and
nothing is syncing, it starts one background 'cgmtop sync' and returns at once.
With --format i3blocks it exits 33 on an urgent reading (i3blocks' "urgent").

With --all it shows everyone cgmtop follows on one line, each on their own
thresholds, in account order: "Ana 112→ 3m · Ben 245↑ 1m". tmux and polybar
mark an urgent person; waybar's tooltip lists everyone; json gives "people";
i3blocks exits 33 when anyone is urgent.

Template fields: .Value .Arrow .Delta .Age .Unit .Status .Stale .Class .Time
.Reason .Trend .Urgent .Text, and .People: each person with .Name .Account
and the same fields (with --all, the top-level fields are the most urgent
person's).`,
		Example: `  cgmtop status                                # 112 → +3 4m
  cgmtop status --format prompt --no-sync      # in PS1 or PROMPT
  cgmtop status --template '{{.Value}} {{.Arrow}}' --units mmol/L
  cgmtop status --all                          # Ana 112→ 3m · Ben 245↑ 1m
  cgmtop status --all -t '{{range .People}}{{.Name}}={{.Value}} {{end}}'

  # in ~/.tmux.conf
  set -g status-right '#(cgmtop status --format tmux) | %H:%M'`,
		GroupID: "status",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "`NAME` of the account to show")
	fl.BoolVarP(&opts.all, "all", "A", false, "everyone cgmtop follows on one line, each on their own thresholds")
	cmd.MarkFlagsMutuallyExclusive("all", "account")
	fl.StringVarP(&opts.format, "format", "f", "plain", "output `FORMAT`: "+strings.Join(statusFormats(), ", "))
	mustComplete(cmd, "format", values(statusFormats()...))
	fl.StringVarP(&opts.template, "template", "t", "", "a Go `TEMPLATE` instead of a format, e.g. '{{.Value}} {{.Arrow}}'")
	addUnitsFlag(cmd, &opts.units)
	fl.BoolVar(&opts.ascii, "ascii", false, "ASCII arrows")
	fl.BoolVar(&opts.noColor, "no-color", false, "no colours or styles (also NO_COLOR)")
	fl.BoolVar(&opts.noSync, "no-sync", false, "never start a background sync (when 'cgmtop sync --daemon' runs as a service)")
	return cmd
}

func runStatus(ctx context.Context, opts statusOptions, std stdio) error {
	f, ok := parseFormat(opts.format)
	if !ok {
		return usageError("--format %q: use one of %s", opts.format, strings.Join(statusFormats(), ", "))
	}
	// Parsed once here: a bad template is a usage error before anything
	// is read, and Run, which tmux calls every few seconds, does not parse
	// and try it again.
	var t *template.Template
	if opts.template != "" {
		var err error
		if t, err = statusline.ParseTemplate(opts.template); err != nil {
			return usageError("--template: %v", err)
		}
	}
	e, err := loadSettings(opts.account)
	var usage *exitError
	if errors.As(err, &usage) {
		return err
	}
	if err != nil {
		// A broken settings file: a status bar shows only stdout, so the
		// line says "config error" there, and the details go to stderr.
		fmt.Fprintln(std.err, "cgmtop:", err)
		e = env{paths: config.DefaultPaths(), account: opts.account, cfg: config.Default()}
	}
	code := statusline.Run(ctx, statusline.Options{
		ConfigError: err != nil,
		Paths:       e.paths,
		Account:     e.account,
		Config:      e.cfg,
		Format:      f,
		Template:    t,
		Units:       opts.units,
		ASCII:       opts.ascii || asciiOnly(os.Getenv),
		NoColor:     opts.noColor,
		NoSync:      opts.noSync,
		All:         opts.all,
		Now:         time.Now(),
	}, std.out)
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

func parseFormat(s string) (statusline.Format, bool) {
	for _, f := range statusline.Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}
