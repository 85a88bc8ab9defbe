package main

import (
	"bufio"
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/export"
)

// exportOptions are `cgmtop export`'s flags.
type exportOptions struct {
	account, format, units, what string
	period                       periodFlags
}

func newExportCmd(std stdio) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Every cached reading and event as CSV or JSON Lines",
		Long: `Write the cached readings, then the events, to standard output as CSV or JSON
Lines, streaming. Reading columns: kind, time_utc, display_time, value, unit,
status, trend, trend_rate_per_min; event columns: event_type, event_subtype,
event_value, event_unit, event_id. An export is health data: keep a saved one
somewhere private.`,
		Example: `  cgmtop export > readings.csv                         # everything cached
  cgmtop export --format jsonl --units mmol/L --days 30
  cgmtop export --what events --from 2025-03-01`,
		GroupID: "reports",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "`NAME` of the account to export")
	opts.period = addPeriodFlags(cmd, 0, "the period (default: everything cached)")
	fl.StringVarP(&opts.format, "format", "f", "csv", "`FORMAT`: csv, or jsonl (one JSON object a line)")
	mustComplete(cmd, "format", values("csv", "jsonl	one JSON object a line"))
	addUnitsFlag(cmd, &opts.units)
	fl.StringVar(&opts.what, "what", "all", "`WHAT` to write: readings, events, or all (readings, then events)")
	mustComplete(cmd, "what", values("all", "readings", "events"))
	return cmd
}

func runExport(ctx context.Context, opts exportOptions, std stdio) error {
	period := opts.period
	f, ok := export.ParseFormat(opts.format)
	if !ok {
		return usageError("--format %q: use csv or jsonl", opts.format)
	}
	if opts.what != "all" && opts.what != "readings" && opts.what != "events" {
		return usageError("--what %q: use readings, events or all", opts.what)
	}
	e, err := loadEnv(opts.account)
	if err != nil {
		return err
	}
	unit, err := e.unit(opts.units)
	if err != nil {
		return err
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
	if opts.what != "events" {
		if err := db.EachReading(ctx, from, to, w.Reading); err != nil {
			return err
		}
	}
	if opts.what != "readings" {
		if err := db.EachEvent(ctx, from, to, w.Event); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Flush()
}
