package cache

import (
	"context"
	"database/sql"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// Glucose is one reading as the statistics count it: a mg/dL value, its
// time, and the local clock it was shown on.
type Glucose struct {
	Unix int64 // system time, unix seconds
	// Offset is display time minus system time, in seconds, as the
	// display device showed it: its zone offset plus any clock skew.
	// HasOffset is false when the source sent no display time.
	Offset    int64
	HasOffset bool
	MgDL      int // stats.Value: HIGH and LOW at the sensor's bounds
}

// EachGlucose calls fn for every reading in [from, to) that has a value
// (stats.Value), oldest first, one row at a time: a pass over 90 days
// holds one reading in memory, not 26,000. An error from fn stops the pass
// and is returned as it is.
func (db *DB) EachGlucose(ctx context.Context, from, to time.Time, fn func(Glucose) error) error {
	lo, hi := secondsRange(from, to)
	// The value CASE is the one in sumSegments: the two must count a
	// reading the same way.
	rows, err := db.r.QueryContext(ctx, `SELECT t, dt + tz, v FROM (
		SELECT t, dt, tz, CASE status WHEN ?2 THEN ?4 WHEN ?3 THEN ?5 WHEN ?1 THEN CASE WHEN value > 0 THEN value END END AS v
		FROM readings WHERE t >= ?6 AND t < ?7 LIMIT -1)
	WHERE v IS NOT NULL ORDER BY t`,
		statusCode(client.StatusOK), statusCode(client.StatusHigh), statusCode(client.StatusLow),
		stats.HighValue, stats.LowValue, lo, hi)
	if err != nil {
		return db.fail("read readings for statistics", err)
	}
	defer rows.Close()
	var (
		g   Glucose
		off sql.NullInt64
		v   int64
	)
	for rows.Next() {
		if err := rows.Scan(&g.Unix, &off, &v); err != nil {
			return db.fail("read readings for statistics", err)
		}
		g.Offset, g.HasOffset, g.MgDL = off.Int64, off.Valid, int(v)
		if err := fn(g); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail("read readings for statistics", err)
	}
	return nil
}

// EachReading calls fn for every reading in [from, to), oldest first, one
// row at a time, for exports that must not hold a whole history. An error
// from fn stops the pass and is returned as it is.
func (db *DB) EachReading(ctx context.Context, from, to time.Time, fn func(client.Reading) error) error {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT t, dt, tz, value, status, trend, rate
		FROM readings WHERE t >= ? AND t < ? ORDER BY t`, lo, hi)
	if err != nil {
		return db.fail("read readings", err)
	}
	defer rows.Close()
	row := newReadingRow()
	for rows.Next() {
		r, err := row.scan(rows)
		if err != nil {
			return db.fail("read readings", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail("read readings", err)
	}
	return nil
}

// EachEvent calls fn for every event in [from, to), oldest first, one row
// at a time. An error from fn stops the pass and is returned as it is.
func (db *DB) EachEvent(ctx context.Context, from, to time.Time, fn func(client.Event) error) error {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT id, t, dt, tz, type, subtype, value, unit
		FROM events WHERE t >= ? AND t < ? ORDER BY t, id`, lo, hi)
	if err != nil {
		return db.fail("read events", err)
	}
	defer rows.Close()
	var (
		zones  zoneCache
		t      int64
		dt, tz sql.NullInt64
	)
	for rows.Next() {
		var e client.Event
		if err := rows.Scan(&e.ID, &t, &dt, &tz, &e.Type, &e.SubType, &e.Value, &e.Unit); err != nil {
			return db.fail("read events", err)
		}
		e.Time, e.DisplayTime = time.Unix(t, 0).UTC(), zones.display(t, dt, tz)
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.fail("read events", err)
	}
	return nil
}
