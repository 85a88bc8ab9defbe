package main

import (
	"time"

	"github.com/spf13/cobra"
)

// periodFlags are --days, --from and --to, shared by report and export.
type periodFlags struct {
	days     *int
	from, to *string
}

func addPeriodFlags(cmd *cobra.Command, defaultDays int, what string) periodFlags {
	fl := cmd.Flags()
	p := periodFlags{
		days: fl.IntP("days", "d", defaultDays, what+": the last `N` days, today included (1–90)"),
		from: fl.String("from", "", "first day, `YYYY-MM-DD` (local time); instead of --days"),
		to:   fl.String("to", "", "last day, `YYYY-MM-DD` (local time), included; default today"),
	}
	cmd.MarkFlagsMutuallyExclusive("days", "from")
	return p
}

// resolve turns the flags into [from, to) in loc; days 0 means the
// whole cache (export's default).
func (p periodFlags) resolve(now time.Time, loc *time.Location) (from, to time.Time, err error) {
	to = now
	if *p.to != "" {
		d, err := time.ParseInLocation(time.DateOnly, *p.to, loc)
		if err != nil {
			return from, to, usageError("--to %q: want a date like 2025-03-14", *p.to)
		}
		if end := d.AddDate(0, 0, 1); end.Before(now) {
			to = end
		}
	}
	switch {
	case *p.from != "":
		d, err := time.ParseInLocation(time.DateOnly, *p.from, loc)
		if err != nil {
			return from, to, usageError("--from %q: want a date like 2025-03-01", *p.from)
		}
		from = d
	case *p.days < 0 || *p.days > 90:
		return from, to, usageError("--days %d: the cache keeps 90 days; use 1 to 90", *p.days)
	case *p.days == 0:
		from = time.Unix(0, 0)
	default:
		l := to.Add(-time.Nanosecond).In(loc)
		from = time.Date(l.Year(), l.Month(), l.Day()-(*p.days-1), 0, 0, 0, 0, loc)
	}
	if !from.Before(to) {
		return from, to, usageError("the period %s to %s is empty: --from must be on or before --to and today", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	return from, to, nil
}
