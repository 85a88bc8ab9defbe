package main

import (
	"bufio"
	"context"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/export"
)

func runExport(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("export", "cgmtop export [--format csv|jsonl] [--days N | --from DATE [--to DATE]] [flags]", std)
	account := fs.String("account", config.DefaultAccount, "which account to export")
	period := addPeriodFlags(fs, 0, "the period (default: everything cached)")
	format := fs.String("format", "csv", "csv, or jsonl (one JSON object a line)")
	units := fs.String("units", "", "mg/dL or mmol/L (default from settings)")
	what := fs.String("what", "all", "readings, events, or all (readings, then events)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("export takes no arguments, got %q", fs.Args())
	}
	f, ok := export.ParseFormat(*format)
	if !ok {
		return usageError("--format %q: use csv or jsonl", *format)
	}
	if *what != "all" && *what != "readings" && *what != "events" {
		return usageError("--what %q: use readings, events or all", *what)
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
	from, to, err := period.resolve(time.Now(), time.Local)
	if err != nil {
		return err
	}
	if *period.days == 0 && *period.from == "" {
		to = to.Add(24 * time.Hour) // everything: a reading stamped a little ahead too
	}
	db, err := cache.OpenReader(ctx, e.paths.Database(e.account))
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriterSize(std.out, 64<<10)
	w := export.NewWriter(out, f, unit)
	if *what != "events" {
		if err := db.EachReading(ctx, from, to, w.Reading); err != nil {
			return err
		}
	}
	if *what != "readings" {
		if err := db.EachEvent(ctx, from, to, w.Event); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Flush()
}
