package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver: the binary stays CGO-free

	"github.com/cgmtop/cgmtop/config"
)

// busyTimeout is how long a connection waits for another one's lock before
// giving up. In WAL mode readers never wait for the writer; only writers
// queue behind each other, and a sync batch commits in well under a second,
// so five seconds means something is wrong rather than merely slow.
const busyTimeout = 5 * time.Second

// readPoolSize bounds the read connections of one process: the monitor reads
// a few panes at once, never dozens.
const readPoolSize = 4

// ErrReadOnly is returned by writes on a DB opened with OpenReader.
var ErrReadOnly = errors.New("cache opened read-only")

// DB is one account's cache database. Writes go through a single connection
// (SQLite allows one writer at a time anyway, and queueing them in Go keeps
// them off busy_timeout); reads use a separate pool of read-only connections,
// which WAL mode lets run while the writer commits. A DB is safe for
// concurrent use.
type DB struct {
	path      string
	w         *sql.DB // nil when opened with OpenReader
	r         *sql.DB
	recovered string

	watchMu sync.Mutex
	watch   *sql.Conn // DataVersion's own read connection; nil until first asked
}

// Open opens the cache at path for reading and writing, creating it (and its
// folder, 0700) when missing, and migrating it to the current schema. It is
// for the process that syncs: it checks the file's integrity, and when the
// file is damaged or is not a cgmtop cache it moves it aside, starts fresh
// and says so in Recovered. Processes that only read should use OpenReader,
// which does none of this and is much cheaper.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := config.EnsureDir(filepath.Dir(path)); err != nil {
		return nil, pathError(path, "create the cache folder", err)
	}
	// Only one process at a time may judge the file and move it aside:
	// otherwise a second Open could move the fresh database the first one
	// just created. Readers never take this lock.
	lock := flock.New(path + ".lock")
	if ok, err := lock.TryLockContext(ctx, 20*time.Millisecond); !ok {
		if err == nil {
			err = ctx.Err()
		}
		return nil, pathError(path, "lock the cache", err)
	}
	defer lock.Unlock()

	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := openWriter(ctx, path, len(migrations))
	if err == nil {
		return db, nil
	}
	var bad *damagedError
	if !errors.As(err, &bad) {
		return nil, err
	}
	aside, mvErr := moveAside(path)
	if mvErr != nil {
		return nil, fmt.Errorf("%w; moving it aside failed: %v: delete %s and try again", err, mvErr, path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err = openWriter(ctx, path, len(migrations))
	if err != nil {
		return nil, err
	}
	db.recovered = fmt.Sprintf("the cache %s %s; it was moved to %s and a fresh cache was started, which the next sync refills",
		path, bad.reason, aside)
	return db, nil
}

// OpenReader opens an existing cache read-only: no folder creation, no
// integrity check, no migration, so it costs one file open and one tiny
// query. It is for `cgmtop status` and other readers that run often. A
// missing or not yet set up cache gives an error that matches
// fs.ErrNotExist; a cache written by a newer cgmtop gives a clear error too. Writes on the returned DB fail with
// ErrReadOnly.
func OpenReader(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no cache at %s yet: run `cgmtop sync` or start `cgmtop` to fetch readings: %w", path, err)
		}
		return nil, pathError(path, "open the cache", err)
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, pathError(path, "open the cache", err)
	}
	r.SetMaxOpenConns(readPoolSize)
	db := &DB{path: path, r: r}
	var version int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		r.Close()
		err = db.fail("open the cache", err)
		if !errors.Is(err, ErrReadOnlyDisk) && !errors.Is(err, ErrDiskFull) {
			return nil, err
		}
		// A reader of a WAL database needs its -shm file, which a
		// read-only folder cannot take, nor a full disk make room for.
		// Nobody can write there either, so the file cannot change under
		// us: read it as immutable.
		if r, err = sql.Open("sqlite", dsn(path, true)+"&immutable=1"); err != nil {
			return nil, pathError(path, "open the cache", err)
		}
		r.SetMaxOpenConns(readPoolSize)
		db.r = r
		if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			r.Close()
			return nil, db.fail("open the cache", err)
		}
	}
	if version > len(migrations) {
		r.Close()
		return nil, newerError(path, version)
	}
	if version == 0 {
		// Created a moment ago by a writer that has not set it up yet (or
		// an empty file): to a reader that is the same as no cache.
		r.Close()
		return nil, fmt.Errorf("the cache at %s is not set up yet: run `cgmtop sync` or start `cgmtop` to fetch readings: %w", path, fs.ErrNotExist)
	}
	return db, nil
}

// Recovered is non-empty when Open found a damaged or foreign file at the
// path, moved it aside and started a fresh cache: it says what happened and
// where the old file went, in words to show the user once.
func (db *DB) Recovered() string { return db.recovered }

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close closes the database. The last connection to close checkpoints the
// write-ahead log into the main file.
func (db *DB) Close() error {
	db.watchMu.Lock()
	if db.watch != nil {
		db.watch.Close()
		db.watch = nil
	}
	db.watchMu.Unlock()
	err := db.r.Close()
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	if err != nil {
		return pathError(db.path, "close the cache", err)
	}
	return nil
}

// Remove deletes the cache database and its companion files (logout). A
// missing file is not an error. Close the DB first.
func Remove(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal", path + ".lock"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("delete the cache %s: %w: delete the file by hand", path, err)
	}
	return nil
}

// dsn builds the driver's connection string. synchronous=NORMAL: in WAL mode
// a commit is complete once its frames are written to the -wal file, so a
// killed process (kill -9, a crash) loses nothing committed; only a power
// cut or kernel crash can roll back the last commits, never corrupt the file,
// and those readings come back from the server on the next sync. FULL would
// add an fsync to every commit for no gain a user could see.
func dsn(path string, readOnly bool) string {
	p := filepath.ToSlash(path)
	if filepath.VolumeName(path) != "" {
		p = "/" + p // file:///C:/... on Windows
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	if readOnly {
		q.Set("mode", "ro")
	} else {
		// The file exists already (created 0600 by createPrivate): never let
		// SQLite create it with the umask's permissions.
		q.Set("mode", "rw")
		q.Set("_txlock", "immediate") // take the write lock at BEGIN: no deadlock-prone lock upgrades
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "secure_delete(ON)") // purged health data is overwritten, not left in free pages
	}
	return "file:" + p + "?" + q.Encode()
}

// openWriter opens both pools on an existing file, vets it and migrates it
// to schema version target. A *damagedError means the file should be moved
// aside.
func openWriter(ctx context.Context, path string, target int) (*DB, error) {
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, pathError(path, "open the cache", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w}
	if err := db.prepare(ctx, target); err != nil {
		w.Close()
		return nil, err
	}
	if db.r, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		w.Close()
		return nil, pathError(path, "open the cache", err)
	}
	db.r.SetMaxOpenConns(readPoolSize)
	// SQLite creates -wal and -shm with the main file's mode, but a file
	// left by an older run, or a copy, may be looser: tighten them.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := tighten(p); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// prepare vets the file through the writer connection: is it SQLite, is it
// ours, is it intact; then it switches to WAL and migrates.
func (db *DB) prepare(ctx context.Context, target int) error {
	var appID, version, tables int
	err := db.w.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)`).Scan(&appID, &version, &tables)
	if err != nil {
		return db.vetError(err)
	}
	fresh := appID == 0 && version == 0 && tables == 0
	if !fresh && appID != applicationID {
		return &damagedError{reason: "is not a cgmtop cache (another program's SQLite database)"}
	}
	if version > len(migrations) {
		return newerError(db.path, version)
	}
	if !fresh {
		if err := db.quickCheck(ctx); err != nil {
			return err
		}
	}
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return db.vetError(err)
	}
	if !strings.EqualFold(mode, "wal") {
		return pathError(db.path, "open the cache", fmt.Errorf("the file system refused WAL mode (got %q): keep the data folder on a local disk", mode))
	}
	return db.migrate(ctx, target)
}

// Verify runs SQLite's structural check on the read connection, for
// readers such as `cgmtop doctor` that must not repair anything: nil when
// the file is sound, an error whose text says what is wrong otherwise.
func (db *DB) Verify(ctx context.Context) error {
	return runQuickCheck(ctx, db, db.r)
}

// quickCheck runs SQLite's structural check. It reads every page, which for
// a 90-day cache takes milliseconds: affordable when the syncing process
// starts, which is why only Open runs it.
func (db *DB) quickCheck(ctx context.Context) error {
	return runQuickCheck(ctx, db, db.w)
}

func runQuickCheck(ctx context.Context, db *DB, conn *sql.DB) error {
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check(1)")
	if err != nil {
		return db.vetError(err)
	}
	defer rows.Close()
	var first string
	if rows.Next() {
		if err := rows.Scan(&first); err != nil {
			return db.vetError(err)
		}
	}
	if err := rows.Err(); err != nil {
		return db.vetError(err)
	}
	if first != "ok" {
		return &damagedError{reason: "failed its integrity check"}
	}
	return nil
}

// vetError turns the errors SQLite gives on a damaged or foreign file into
// a *damagedError, and others into the usual clear errors.
func (db *DB) vetError(err error) error {
	switch sqliteCode(err) {
	case codeCorrupt:
		return &damagedError{reason: "is damaged"}
	case codeNotADB:
		return &damagedError{reason: "is not a SQLite database"}
	}
	return db.fail("open the cache", err)
}

// damagedError says why a file cannot be used as the cache.
type damagedError struct{ reason string }

func (e *damagedError) Error() string        { return "the cache " + e.reason }
func (e *damagedError) Is(target error) bool { return target == ErrDamaged }

// createPrivate creates path as an empty 0600 file when missing, so SQLite
// never creates it under a loose umask, and tightens an existing one. Only
// Open calls it, under its lock.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		if err := f.Close(); err != nil {
			return pathError(path, "create the cache", err)
		}
		// A -wal or -journal left from a database deleted by hand is
		// harmless: SQLite discards them next to an empty file
		// (TestStaleWALOfADeletedCacheIsNotReplayed).
		return nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return pathError(path, "create the cache", err)
	}
	return tighten(path)
}

// tighten makes an existing file 0600 if it is readable by others.
func tighten(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return pathError(path, "check the cache's permissions", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return pathError(path, "make the cache private", err)
		}
	}
	return nil
}

// moveAside renames a damaged database, with its write-ahead log and
// journal, to <path>.corrupt-<UTC time>, private, and removes the shared
// memory index. The companions go first, so a crash half-way leaves the
// damaged file in place for the next Open to deal with.
func moveAside(path string) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	aside := path + ".corrupt-" + stamp
	for i := 2; ; i++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.corrupt-%s-%d", path, stamp, i)
	}
	for _, suffix := range []string{"-wal", "-journal"} {
		if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return aside, err
		}
		if err := os.Chmod(aside+suffix, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return aside, err
		}
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aside, err
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	if err := os.Chmod(aside, 0o600); err != nil {
		return aside, err
	}
	return aside, nil
}
