package cache

import (
	"context"
	"database/sql"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// SameReading is how far apart two sources may time one sensor reading:
// Share and the official API, say, stamp it a few seconds apart.
const SameReading = 30 * time.Second

// PutReadings stores readings keyed by their UTC time (to the second),
// replacing any stored at the same time, in one transaction. added counts
// the readings that were not stored before.
//
// A reading that names its source is skipped when a reading of another
// source (or of none: stored before the account had several) lies within
// SameReading of it: that is the same sensor reading, and the first to
// arrive keeps its source and arrival time. Readings without a source are
// stored as before.
func (db *DB) PutReadings(ctx context.Context, rs []client.Reading) (added int, err error) {
	err = db.write(ctx, "save readings", func(tx *sql.Tx) error {
		// Two inserts: a reading without a source (one-source accounts, the
		// bulk of a backfill) needs no look at its neighbours, and the
		// guarded form costs twice as much per row.
		plain, err := tx.PrepareContext(ctx, `INSERT INTO readings (t, dt, tz, value, status, trend, rate, src, arrived)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (t) DO NOTHING`)
		if err != nil {
			return err
		}
		defer plain.Close()
		var guarded *sql.Stmt
		near := int64(SameReading / time.Second)
		var upd *sql.Stmt
		for _, r := range rs {
			t := r.Time.Unix()
			dt, tz := displayColumns(r.Time, r.DisplayTime)
			rate := sql.NullFloat64{Float64: r.TrendRate, Valid: r.HasRate}
			status, trend := statusCode(r.Status), trendCode(r.Trend)
			src := sql.NullString{String: r.Source, Valid: r.Source != ""}
			arrived := sql.NullInt64{Int64: r.Arrived.UnixMilli(), Valid: !r.Arrived.IsZero()}
			var res sql.Result
			if !src.Valid {
				res, err = plain.ExecContext(ctx, t, dt, tz, r.Value, status, trend, rate, src, arrived)
			} else {
				if guarded == nil {
					guarded, err = tx.PrepareContext(ctx, `INSERT INTO readings (t, dt, tz, value, status, trend, rate, src, arrived)
						SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
						WHERE NOT EXISTS (SELECT 1 FROM readings
							WHERE t BETWEEN ?1 - ?10 AND ?1 + ?10 AND t != ?1 AND (src IS NULL OR src != ?8))
						ON CONFLICT (t) DO NOTHING`)
					if err != nil {
						return err
					}
					defer guarded.Close()
				}
				res, err = guarded.ExecContext(ctx, t, dt, tz, r.Value, status, trend, rate, src, arrived, near)
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added++
				continue
			}
			if upd == nil {
				upd, err = tx.PrepareContext(ctx, `UPDATE readings SET dt = ?, tz = ?, value = ?, status = ?, trend = ?, rate = ?,
					src = COALESCE(src, ?), arrived = COALESCE(arrived, ?) WHERE t = ?`)
				if err != nil {
					return err
				}
				defer upd.Close()
			}
			if _, err := upd.ExecContext(ctx, dt, tz, r.Value, status, trend, rate, src, arrived, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// Readings returns the readings in [from, to), oldest first, in UTC.
func (db *DB) Readings(ctx context.Context, from, to time.Time) ([]client.Reading, error) {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT t, dt, tz, value, status, trend, rate
		FROM readings WHERE t >= ? AND t < ? ORDER BY t`, lo, hi)
	if err != nil {
		return nil, db.fail("read readings", err)
	}
	// One reading every five minutes is the norm: size the slice for it so
	// a 90-day load is one allocation, not a dozen doublings.
	row := newReadingRow()
	out := make([]client.Reading, 0, expectedReadings(lo, hi))
	for rows.Next() {
		r, err := row.scan(rows)
		if err != nil {
			rows.Close()
			return nil, db.fail("read readings", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read readings", err)
	}
	return out, nil
}

// Freshness returns the newest reading, the one before it and the sync
// status. It walks the end of the readings' primary key and reads one row
// of sync status: its cost does not grow with the history.
func (db *DB) Freshness(ctx context.Context) (Freshness, error) {
	var f Freshness
	rows, err := db.r.QueryContext(ctx, `SELECT t, dt, tz, value, status, trend, rate
		FROM readings ORDER BY t DESC LIMIT 2`)
	if err != nil {
		return f, db.fail("read the newest reading", err)
	}
	row := newReadingRow()
	for i := 0; rows.Next(); i++ {
		r, err := row.scan(rows)
		if err != nil {
			rows.Close()
			return f, db.fail("read the newest reading", err)
		}
		if i == 0 {
			f.Latest = r
		} else {
			f.Previous = r
		}
	}
	if err := rows.Err(); err != nil {
		return f, db.fail("read the newest reading", err)
	}
	if !f.Latest.Time.IsZero() {
		f.Latest.Source, f.Latest.Arrived = db.origin(ctx, f.Latest.Time)
	}
	f.Sync, err = db.SyncStatus(ctx)
	return f, err
}

// origin is the source and arrival time of the reading at t. A cache not
// yet upgraded to keep them (a reader ahead of the syncing process) has
// none: that is not an error.
func (db *DB) origin(ctx context.Context, t time.Time) (string, time.Time) {
	var src sql.NullString
	var arrived sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT src, arrived FROM readings WHERE t = ?`, t.Unix()).Scan(&src, &arrived)
	if err != nil || !arrived.Valid {
		return src.String, time.Time{}
	}
	return src.String, time.UnixMilli(arrived.Int64).UTC()
}

// readingRow decodes rows of SELECT t, dt, tz, value, status, trend, rate.
// Its scan targets are allocated once per query, not once per row: for a
// 90-day load that is the difference between 2 and 9 allocations a row.
type readingRow struct {
	t, value, status, trend int64
	dt, tz                  sql.NullInt64
	rate                    sql.NullFloat64
	dest                    []any
	zones                   zoneCache
}

func newReadingRow() *readingRow {
	r := &readingRow{}
	r.dest = []any{&r.t, &r.dt, &r.tz, &r.value, &r.status, &r.trend, &r.rate}
	return r
}

func (r *readingRow) scan(rows *sql.Rows) (client.Reading, error) {
	if err := rows.Scan(r.dest...); err != nil {
		return client.Reading{}, err
	}
	return client.Reading{
		Time:        time.Unix(r.t, 0).UTC(),
		DisplayTime: r.zones.display(r.t, r.dt, r.tz),
		Value:       int(r.value),
		Status:      statusFromCode(r.status),
		Trend:       trendFromCode(r.trend),
		TrendRate:   r.rate.Float64,
		HasRate:     r.rate.Valid,
	}, nil
}

// expectedReadings is how many five-minute readings fit in [lo, hi),
// bounded so an open-ended range does not reserve gigabytes.
func expectedReadings(lo, hi int64) int {
	const most = 91 * 24 * 12 // the 90-day window, and a day to spare
	if hi <= lo {
		return 0
	}
	n := (hi - lo) / 300
	if n > most {
		return most
	}
	return int(n) + 1
}

// secondsRange turns [from, to) into whole seconds so that a stored time t
// (whole seconds) is in the range exactly when lo <= t < hi.
func secondsRange(from, to time.Time) (lo, hi int64) {
	lo, hi = from.Unix(), to.Unix()
	if from.Nanosecond() > 0 {
		lo++
	}
	if to.Nanosecond() > 0 {
		hi++
	}
	return lo, hi
}

// displayColumns encodes a display time relative to its system time: two
// small integers, NULL when there is no display time.
func displayColumns(t, display time.Time) (dt, tz sql.NullInt64) {
	if display.IsZero() {
		return dt, tz
	}
	_, off := display.Zone()
	return sql.NullInt64{Int64: display.Unix() - t.Unix(), Valid: true}, sql.NullInt64{Int64: int64(off), Valid: true}
}

// zoneCache hands out one *time.Location per zone offset, so decoding a long
// history does not allocate a location per row.
type zoneCache map[int64]*time.Location

func (zc *zoneCache) display(t int64, dt, tz sql.NullInt64) time.Time {
	if !dt.Valid {
		return time.Time{}
	}
	d := time.Unix(t+dt.Int64, 0)
	if tz.Int64 == 0 {
		return d.UTC()
	}
	loc, ok := (*zc)[tz.Int64]
	if !ok {
		if *zc == nil {
			*zc = make(zoneCache, 1)
		}
		loc = time.FixedZone("", int(tz.Int64))
		(*zc)[tz.Int64] = loc
	}
	return d.In(loc)
}

// Status and trend are stored as small integers whose meaning is fixed here,
// not by the order of client's constants, so reordering those cannot change
// what an existing cache means.
func statusCode(s client.Status) int64 {
	switch s {
	case client.StatusOK:
		return 1
	case client.StatusHigh:
		return 2
	case client.StatusLow:
		return 3
	}
	return 0
}

func statusFromCode(c int64) client.Status {
	switch c {
	case 1:
		return client.StatusOK
	case 2:
		return client.StatusHigh
	case 3:
		return client.StatusLow
	}
	return client.StatusUnknown
}

// trendCodes lists the trends by their stored code. Append only.
var trendCodes = [...]client.Trend{
	client.TrendUnknown,
	client.TrendNone,
	client.TrendDoubleUp,
	client.TrendSingleUp,
	client.TrendFortyFiveUp,
	client.TrendFlat,
	client.TrendFortyFiveDown,
	client.TrendSingleDown,
	client.TrendDoubleDown,
	client.TrendNotComputable,
	client.TrendRateOutOfRange,
}

func trendCode(t client.Trend) int64 {
	for c, tt := range trendCodes {
		if tt == t {
			return int64(c)
		}
	}
	return 0
}

func trendFromCode(c int64) client.Trend {
	if c < 0 || c >= int64(len(trendCodes)) {
		return client.TrendUnknown
	}
	return trendCodes[c]
}
