package cache

import (
	"context"
	"fmt"
)

// applicationID marks a SQLite file as a cgmtop cache ("CGMT"), so Open can
// tell its own database from another program's.
const applicationID = 0x43474D54

// migrations bring the schema from version i to i+1; PRAGMA user_version
// holds how many have run. Append only: never edit a released step.
//
// Times are unix seconds (the sources' resolution), so a 90-day history is a
// compact integer-keyed table. Display times are stored as the offset from
// the system time (dt) and the zone offset they were shown in (tz), both
// NULL when the source sent none. Sync status times are unix nanoseconds.
var migrations = []string{
	// 1: readings and the engine's own state: enough for the status line.
	`CREATE TABLE readings (
		t      INTEGER PRIMARY KEY,
		dt     INTEGER,
		tz     INTEGER,
		value  INTEGER NOT NULL,
		status INTEGER NOT NULL,
		trend  INTEGER NOT NULL,
		rate   REAL
	);
	CREATE TABLE sync_status (
		id           INTEGER PRIMARY KEY CHECK (id = 1),
		last_attempt INTEGER,
		last_success INTEGER,
		last_error   TEXT NOT NULL DEFAULT '',
		next_poll    INTEGER
	);
	CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) WITHOUT ROWID;`,

	// 2: the other records the monitor shows.
	`CREATE TABLE events (
		id      TEXT PRIMARY KEY,
		t       INTEGER NOT NULL,
		dt      INTEGER,
		tz      INTEGER,
		type    TEXT NOT NULL,
		subtype TEXT NOT NULL,
		value   TEXT NOT NULL,
		unit    TEXT NOT NULL
	);
	CREATE INDEX events_t ON events (t);
	CREATE TABLE calibrations (
		id    TEXT PRIMARY KEY,
		t     INTEGER NOT NULL,
		dt    INTEGER,
		tz    INTEGER,
		value INTEGER NOT NULL
	);
	CREATE INDEX calibrations_t ON calibrations (t);
	CREATE TABLE alerts (
		id    TEXT PRIMARY KEY,
		t     INTEGER NOT NULL,
		dt    INTEGER,
		tz    INTEGER,
		name  TEXT NOT NULL,
		state TEXT NOT NULL
	);
	CREATE INDEX alerts_t ON alerts (t);
	CREATE TABLE devices (
		transmitter_id TEXT NOT NULL,
		generation     TEXT NOT NULL,
		display_device TEXT NOT NULL,
		display_app    TEXT NOT NULL,
		last_upload    INTEGER
	);
	CREATE TABLE data_range (
		id                 INTEGER PRIMARY KEY CHECK (id = 1),
		readings_start     INTEGER,
		readings_end       INTEGER,
		events_start       INTEGER,
		events_end         INTEGER,
		calibrations_start INTEGER,
		calibrations_end   INTEGER,
		last_sync          INTEGER
	);`,

	// 3: where each reading came from and when it arrived, for accounts
	// with several sources (NULL for the rest): src is the source kind,
	// arrived unix milliseconds.
	`ALTER TABLE readings ADD COLUMN src TEXT;
	ALTER TABLE readings ADD COLUMN arrived INTEGER;`,

	// 4: what an uploader or a pump/closed loop reports (Nightscout's
	// devicestatus), NULL when it reports nothing: battery in percent,
	// insulin on board in units, carbs on board in grams.
	`ALTER TABLE devices ADD COLUMN battery INTEGER;
	ALTER TABLE devices ADD COLUMN iob REAL;
	ALTER TABLE devices ADD COLUMN cob REAL;`,
}

// migrate runs the pending migrations up to target in one transaction, so a
// crash leaves the file at its old version or the new one, never between.
// A file already past target is left as it is.
func (db *DB) migrate(ctx context.Context, target int) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.vetError(err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return db.vetError(err)
	}
	if version > len(migrations) {
		return newerError(db.path, version)
	}
	if version > target {
		target = version
	}
	for v := version; v < target; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return db.fail(fmt.Sprintf("upgrade the cache to schema %d", v+1), err)
		}
	}
	// Written even when nothing migrated: a file the process cannot write
	// then fails here, at Open, rather than at the first sync. PRAGMA takes
	// no bound parameters; both values are our own integers.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, target)); err != nil {
		return db.fail("open the cache for writing", err)
	}
	if err := tx.Commit(); err != nil {
		return db.fail("open the cache for writing", err)
	}
	return nil
}
