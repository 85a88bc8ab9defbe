package main

import (
	"context"
	"os"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/report"
	"github.com/cgmtop/cgmtop/theme"
)

func runReport(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("report", "cgmtop report [--days N | --from DATE [--to DATE]] [--format text|json|html] [flags]", std)
	account := fs.String("account", config.DefaultAccount, "which account to report on")
	period := addPeriodFlags(fs, 14, "the period")
	format := fs.String("format", "text", "text (80 columns), json, or html (one self-contained page to print or bring to a clinic)")
	units := fs.String("units", "", "mg/dL or mmol/L (default from settings)")
	ascii := fs.Bool("ascii", false, "text: ASCII only")
	noColor := fs.Bool("no-color", false, "text: no colours or styles (also NO_COLOR, and whenever the output is not a terminal)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("report takes no arguments, got %q", fs.Args())
	}
	if *format != "text" && *format != "json" && *format != "html" {
		return usageError("--format %q: use text, json or html", *format)
	}
	if *period.days == 0 && *period.from == "" {
		return usageError("--days 0: a report needs a period of 1 to 90 days")
	}
	e, err := loadEnv(*account)
	if err != nil {
		return err
	}
	unit := e.cfg.Unit()
	if *units != "" {
		if unit, err = client.ParseUnit(*units); err != nil {
			return usageError("--units: %v", err)
		}
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
	switch *format {
	case "json":
		return report.JSON(std.out, p, unit, now)
	case "html":
		return report.HTML(std.out, p, unit, now)
	}
	th := theme.Resolve(e.cfg.Theme, true)
	if *noColor || os.Getenv("NO_COLOR") != "" || !isTerminal(std.out) {
		th = theme.NoColor()
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	return report.Text(std.out, p, report.Style{Theme: th, Unit: unit, ASCII: *ascii || e.cfg.ASCII}, now)
}

// isTerminal reports whether w is a terminal (not a pipe or a file).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
