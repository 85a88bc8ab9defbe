package cache

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// PutEvents stores user-entered events keyed by ID, replacing earlier
// versions; an event marked Deleted is removed.
func (db *DB) PutEvents(ctx context.Context, es []client.Event) error {
	return db.write(ctx, "save events", func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO events (id, t, dt, tz, type, subtype, value, unit)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		del, err := tx.PrepareContext(ctx, `DELETE FROM events WHERE id = ?`)
		if err != nil {
			return err
		}
		defer del.Close()
		for _, e := range es {
			if e.Deleted {
				_, err = del.ExecContext(ctx, e.ID)
			} else {
				dt, tz := displayColumns(e.Time, e.DisplayTime)
				_, err = put.ExecContext(ctx, e.ID, e.Time.Unix(), dt, tz, e.Type, e.SubType, e.Value, e.Unit)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Events returns the events in [from, to), oldest first, in UTC.
func (db *DB) Events(ctx context.Context, from, to time.Time) ([]client.Event, error) {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT id, t, dt, tz, type, subtype, value, unit
		FROM events WHERE t >= ? AND t < ? ORDER BY t, id`, lo, hi)
	if err != nil {
		return nil, db.fail("read events", err)
	}
	defer rows.Close()
	var (
		out   []client.Event
		zones zoneCache
	)
	for rows.Next() {
		var (
			e      client.Event
			t      int64
			dt, tz sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &t, &dt, &tz, &e.Type, &e.SubType, &e.Value, &e.Unit); err != nil {
			return nil, db.fail("read events", err)
		}
		e.Time, e.DisplayTime = time.Unix(t, 0).UTC(), zones.display(t, dt, tz)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read events", err)
	}
	return out, nil
}

// PutCalibrations stores fingerstick calibrations keyed by ID.
func (db *DB) PutCalibrations(ctx context.Context, cs []client.Calibration) error {
	return db.write(ctx, "save calibrations", func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO calibrations (id, t, dt, tz, value) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, c := range cs {
			dt, tz := displayColumns(c.Time, c.DisplayTime)
			if _, err := put.ExecContext(ctx, c.ID, c.Time.Unix(), dt, tz, c.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// Calibrations returns the calibrations in [from, to), oldest first, in UTC.
func (db *DB) Calibrations(ctx context.Context, from, to time.Time) ([]client.Calibration, error) {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT id, t, dt, tz, value
		FROM calibrations WHERE t >= ? AND t < ? ORDER BY t, id`, lo, hi)
	if err != nil {
		return nil, db.fail("read calibrations", err)
	}
	defer rows.Close()
	var (
		out   []client.Calibration
		zones zoneCache
	)
	for rows.Next() {
		var (
			c      client.Calibration
			t      int64
			dt, tz sql.NullInt64
		)
		if err := rows.Scan(&c.ID, &t, &dt, &tz, &c.Value); err != nil {
			return nil, db.fail("read calibrations", err)
		}
		c.Time, c.DisplayTime = time.Unix(t, 0).UTC(), zones.display(t, dt, tz)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read calibrations", err)
	}
	return out, nil
}

// PutAlerts stores alert records keyed by ID.
func (db *DB) PutAlerts(ctx context.Context, as []client.Alert) error {
	return db.write(ctx, "save alerts", func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO alerts (id, t, dt, tz, name, state) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		for _, a := range as {
			dt, tz := displayColumns(a.Time, a.DisplayTime)
			if _, err := put.ExecContext(ctx, a.ID, a.Time.Unix(), dt, tz, a.Name, a.State); err != nil {
				return err
			}
		}
		return nil
	})
}

// Alerts returns the alerts in [from, to), oldest first, in UTC.
func (db *DB) Alerts(ctx context.Context, from, to time.Time) ([]client.Alert, error) {
	lo, hi := secondsRange(from, to)
	rows, err := db.r.QueryContext(ctx, `SELECT id, t, dt, tz, name, state
		FROM alerts WHERE t >= ? AND t < ? ORDER BY t, id`, lo, hi)
	if err != nil {
		return nil, db.fail("read alerts", err)
	}
	defer rows.Close()
	var (
		out   []client.Alert
		zones zoneCache
	)
	for rows.Next() {
		var (
			a      client.Alert
			t      int64
			dt, tz sql.NullInt64
		)
		if err := rows.Scan(&a.ID, &t, &dt, &tz, &a.Name, &a.State); err != nil {
			return nil, db.fail("read alerts", err)
		}
		a.Time, a.DisplayTime = time.Unix(t, 0).UTC(), zones.display(t, dt, tz)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read alerts", err)
	}
	return out, nil
}

// PutDevices replaces the stored devices with ds, keeping their order.
func (db *DB) PutDevices(ctx context.Context, ds []client.Device) error {
	return db.write(ctx, "save devices", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM devices`); err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO devices (transmitter_id, generation, display_device, display_app, last_upload,
				battery, iob, cob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.TransmitterID, d.Generation, d.DisplayDevice, d.DisplayApp, seconds(d.LastUpload),
				sql.NullInt64{Int64: int64(d.Battery), Valid: d.HasBattery}, sql.NullFloat64{Float64: d.IOB, Valid: d.HasIOB},
				sql.NullFloat64{Float64: d.COB, Valid: d.HasCOB}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Devices returns the devices last stored, in the order they were given.
func (db *DB) Devices(ctx context.Context) ([]client.Device, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT transmitter_id, generation, display_device, display_app, last_upload,
		battery, iob, cob FROM devices ORDER BY rowid`)
	if err != nil {
		return nil, db.fail("read devices", err)
	}
	defer rows.Close()
	var out []client.Device
	for rows.Next() {
		var (
			d        client.Device
			upload   sql.NullInt64
			battery  sql.NullInt64
			iob, cob sql.NullFloat64
		)
		if err := rows.Scan(&d.TransmitterID, &d.Generation, &d.DisplayDevice, &d.DisplayApp, &upload, &battery, &iob, &cob); err != nil {
			return nil, db.fail("read devices", err)
		}
		d.LastUpload = fromSeconds(upload)
		d.Battery, d.HasBattery = int(battery.Int64), battery.Valid
		d.IOB, d.HasIOB = iob.Float64, iob.Valid
		d.COB, d.HasCOB = cob.Float64, cob.Valid
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, db.fail("read devices", err)
	}
	return out, nil
}

// PutDataRange records what the account holds on the server.
func (db *DB) PutDataRange(ctx context.Context, r client.DataRange) error {
	return db.write(ctx, "save the data range", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO data_range (id, readings_start, readings_end,
			events_start, events_end, calibrations_start, calibrations_end, last_sync) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
			seconds(r.Readings.Start), seconds(r.Readings.End), seconds(r.Events.Start), seconds(r.Events.End),
			seconds(r.Calibrations.Start), seconds(r.Calibrations.End), seconds(r.LastSync))
		return err
	})
}

// DataRange returns the data range last stored; the zero value when none
// is. Times are in UTC, to the second.
func (db *DB) DataRange(ctx context.Context) (client.DataRange, error) {
	var (
		r     client.DataRange
		cols  [7]sql.NullInt64
		items = []any{&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6]}
	)
	err := db.r.QueryRowContext(ctx, `SELECT readings_start, readings_end, events_start, events_end,
		calibrations_start, calibrations_end, last_sync FROM data_range WHERE id = 1`).Scan(items...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, db.fail("read the data range", err)
	}
	r.Readings = client.Span{Start: fromSeconds(cols[0]), End: fromSeconds(cols[1])}
	r.Events = client.Span{Start: fromSeconds(cols[2]), End: fromSeconds(cols[3])}
	r.Calibrations = client.Span{Start: fromSeconds(cols[4]), End: fromSeconds(cols[5])}
	r.LastSync = fromSeconds(cols[6])
	return r, nil
}
