package cache

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"
)

// write runs fn in one write transaction: all of it commits or none of it
// does, so a failed write (disk full, a killed process) leaves what was
// committed before untouched.
func (db *DB) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if db.w == nil {
		return ErrReadOnly
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.fail(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return db.fail(op, err)
	}
	if err := tx.Commit(); err != nil {
		return db.fail(op, err)
	}
	return nil
}

// metaClockOffset keeps SyncStatus.ClockOffset in the meta table, in
// nanoseconds, so the offset needed no new column (and no migration).
const metaClockOffset = "sync.clock_offset"

// PutSyncStatus records what the sync engine last did.
func (db *DB) PutSyncStatus(ctx context.Context, s SyncStatus) error {
	return db.write(ctx, "save the sync status", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO sync_status (id, last_attempt, last_success, last_error, next_poll)
			VALUES (1, ?, ?, ?, ?)`, nanos(s.LastAttempt), nanos(s.LastSuccess), s.LastError, nanos(s.NextPoll))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`,
			metaClockOffset, strconv.FormatInt(int64(s.ClockOffset), 10))
		return err
	})
}

// SyncStatus returns what the sync engine last recorded; the zero value when
// it never has. Times are in UTC.
func (db *DB) SyncStatus(ctx context.Context) (SyncStatus, error) {
	var (
		s                          SyncStatus
		attempt, success, nextPoll sql.NullInt64
		offset                     sql.NullString
	)
	err := db.r.QueryRowContext(ctx, `SELECT last_attempt, last_success, last_error, next_poll,
		(SELECT value FROM meta WHERE key = ?) FROM sync_status WHERE id = 1`, metaClockOffset).
		Scan(&attempt, &success, &s.LastError, &nextPoll, &offset)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, db.fail("read the sync status", err)
	}
	s.LastAttempt, s.LastSuccess, s.NextPoll = fromNanos(attempt), fromNanos(success), fromNanos(nextPoll)
	if n, err := strconv.ParseInt(offset.String, 10, 64); err == nil {
		s.ClockOffset = time.Duration(n)
	}
	return s, nil
}

// DataVersion returns a number that changes whenever anything is committed
// to the cache, by this process or any other: a view that sees it change
// reloads. It is SQLite's data_version on a connection kept for this alone
// (the number is only comparable on one connection, and it moves only for
// commits made by other connections, which every writer is). One call
// costs microseconds and reads no table.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	db.watchMu.Lock()
	defer db.watchMu.Unlock()
	if db.watch == nil {
		c, err := db.r.Conn(ctx)
		if err != nil {
			return 0, db.fail("watch the cache", err)
		}
		db.watch = c
	}
	var v int64
	if err := db.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		// A broken connection is dropped; the next call takes a new one,
		// whose numbering differs, which only costs one extra reload.
		db.watch.Close()
		db.watch = nil
		return 0, db.fail("watch the cache", err)
	}
	return v, nil
}

// SetMeta stores a small piece of engine state under key (observed lag, the
// time of the last device fetch...). Values are plain text; never store a
// token here.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	return db.write(ctx, "save engine state", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, value)
		return err
	})
}

// Meta returns the value stored under key, or "" when none is.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.fail("read engine state", err)
	}
	return v, nil
}

// Purge deletes readings, events, calibrations and alerts older than before
// (the retention window) and returns how many records it deleted in all.
// Deleted rows are overwritten on disk (secure_delete), not merely unlinked.
func (db *DB) Purge(ctx context.Context, before time.Time) (int, error) {
	cut, _ := secondsRange(before, before)
	var total int64
	err := db.write(ctx, "purge old records", func(tx *sql.Tx) error {
		for _, table := range []string{"readings", "events", "calibrations", "alerts"} {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE t < ?`, cut)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(total), nil
}

// nanos stores a time as unix nanoseconds, NULL for the zero time.
func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// seconds stores a time as unix seconds, NULL for the zero time.
func seconds(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func fromSeconds(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(n.Int64, 0).UTC()
}
