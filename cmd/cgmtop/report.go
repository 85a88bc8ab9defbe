package main

import (
	"context"
	"os"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/report"
	"github.com/cgmtop/cgmtop/theme"
)

// reportOptions are `cgmtop report`'s flags.
type reportOptions struct {
	account, format, units, theme string
	period                        periodFlags
	ascii, noColor                bool
}

func newReportCmd(std stdio) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "AGP report of a period: text, JSON, or an HTML page for a clinic",
		Long: `Print the Ambulatory Glucose Profile of a period from the cache, offline: time
in the five ranges with their goals, mean, GMI, CV, SD, sensor wear, low
episodes, the daily profile and one row per day.

Text fits 80 columns, and is plain in a pipe or with NO_COLOR. The HTML page is
self-contained and prints on one A4 or Letter page. A report is health data:
keep a saved one somewhere private.`,
		Example: `  cgmtop report                            # the last 14 days as text
  cgmtop report --days 90 --format json
  cgmtop report --from 2025-03-01 --to 2025-03-14 --format html > agp.html`,
		GroupID: "reports",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "`NAME` of the account to report on")
	opts.period = addPeriodFlags(cmd, 14, "the period")
	fl.StringVarP(&opts.format, "format", "f", "text", "`FORMAT`: text (80 columns), json, or html (one self-contained page to print or bring to a clinic)")
	mustComplete(cmd, "format", values("text	80 columns", "json", "html	one page to print"))
	addUnitsFlag(cmd, &opts.units)
	fl.BoolVar(&opts.ascii, "ascii", false, "text: ASCII only")
	fl.BoolVar(&opts.noColor, "no-color", false, "text: no colours or styles (also NO_COLOR, and whenever the output is not a terminal)")
	fl.StringVar(&opts.theme, "theme", "", "text: colour `THEME`, auto, dark, light or high-contrast (default from settings)")
	mustComplete(cmd, "theme", values(themes...))
	return cmd
}

func runReport(ctx context.Context, opts reportOptions, std stdio) error {
	period := opts.period
	if opts.format != "text" && opts.format != "json" && opts.format != "html" {
		return usageError("--format %q: use text, json or html", opts.format)
	}
	if err := checkTheme(opts.theme); err != nil {
		return err
	}
	if *period.days == 0 && *period.from == "" {
		return usageError("--days 0: a report needs a period of 1 to 90 days")
	}
	e, err := loadEnv(opts.account)
	if err != nil {
		return err
	}
	unit, err := e.unit(opts.units)
	if err != nil {
		return err
	}
	now := time.Now()
	from, to, err := period.resolve(now, time.Local)
	if err != nil {
		return err
	}
	db, err := cache.OpenReader(ctx, e.paths.Database(e.account))
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := agp.Build(ctx, db, from, to, time.Local)
	if err != nil {
		return err
	}
	switch opts.format {
	case "json":
		return report.JSON(std.out, p, unit, now)
	case "html":
		return report.HTML(std.out, p, unit, now)
	}
	if opts.theme != "" {
		e.cfg.Theme = opts.theme
	}
	th := theme.Resolve(e.cfg.Theme, true)
	if opts.noColor || os.Getenv("NO_COLOR") != "" || !isTerminal(std.out) {
		th = theme.NoColor()
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	return report.Text(std.out, p, report.Style{Theme: th, Unit: unit, ASCII: opts.ascii || e.cfg.ASCII}, now)
}

// isTerminal reports whether w is a terminal (not a pipe or a file).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
