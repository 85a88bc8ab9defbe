package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Primary SQLite result codes the cache reacts to.
const (
	codeBusy     = sqlite3.SQLITE_BUSY
	codeReadOnly = sqlite3.SQLITE_READONLY
	codeCorrupt  = sqlite3.SQLITE_CORRUPT
	codeFull     = sqlite3.SQLITE_FULL
	codeCantOpen = sqlite3.SQLITE_CANTOPEN
	codeNotADB   = sqlite3.SQLITE_NOTADB
	codeIOErr    = sqlite3.SQLITE_IOERR
)

// ErrDamaged matches (with errors.Is) every error that says the cache file
// is damaged or is not a cgmtop cache, for readers that explain rather than
// repair; Open repairs such a file by itself.
var ErrDamaged = errors.New("the cache is damaged")

// damagedMark makes an error match ErrDamaged and keeps its own text.
type damagedMark struct{ error }

func (d damagedMark) Is(target error) bool { return target == ErrDamaged }
func (d damagedMark) Unwrap() error        { return d.error }

// sqliteCode is the primary result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return 0
}

// ErrDiskFull and ErrReadOnlyDisk name the two disk problems a user can fix
// and must be told of by name; errors.Is finds them in the cache's errors.
var (
	ErrDiskFull     = errors.New("disk full")
	ErrReadOnlyDisk = errors.New("read-only disk")
)

// diskError is an error from the disk with what kind of problem it is.
type diskError struct {
	kind error // ErrDiskFull or ErrReadOnlyDisk
	err  error
}

func (e *diskError) Error() string        { return e.err.Error() }
func (e *diskError) Unwrap() error        { return e.err }
func (e *diskError) Is(target error) bool { return target == e.kind }

// diagnose tells what lies behind a bare SQLite I/O error ("disk I/O
// error"), which is how a full or read-only disk often shows through the
// write-ahead log: it writes and syncs a small file beside the database.
func diagnose(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err == nil {
		_, err = f.Write(make([]byte, 8<<10))
		if err == nil {
			err = f.Sync()
		}
		f.Close()
		os.Remove(f.Name())
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return ErrDiskFull
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission):
		return ErrReadOnlyDisk
	}
	return nil
}

// fail wraps an error from the database with the path and what the user
// can do about it. A failed write rolls back its transaction, so everything
// committed before it is still there; the messages say so where it helps.
func (db *DB) fail(op string, err error) error {
	// First: a fullError still wraps the SQLite I/O error it was made from,
	// so the switch below would diagnose it again, without end.
	if _, ok := err.(*fullError); ok {
		return fmt.Errorf("%s: the disk holding %s is full: free some space and cgmtop catches up on the next sync (nothing already saved is lost): %w", op, db.path, &diskError{ErrDiskFull, err})
	}
	switch sqliteCode(err) {
	case codeFull:
		return fmt.Errorf("%s: the disk holding %s is full: free some space and cgmtop catches up on the next sync (nothing already saved is lost): %w", op, db.path, &diskError{ErrDiskFull, err})
	case codeReadOnly:
		return fmt.Errorf("%s: %s is read-only: make the file and its folder writable by you, or point cgmtop at another data folder: %w", op, db.path, &diskError{ErrReadOnlyDisk, err})
	case codeBusy:
		return fmt.Errorf("%s: %s stayed locked by another cgmtop for over %s: try again, and check that only one cgmtop syncs this account: %w", op, db.path, busyTimeout, err)
	case codeCorrupt, codeNotADB:
		return damagedMark{fmt.Errorf("%s: %s is damaged: restart cgmtop, which moves the damaged file aside and rebuilds the cache: %w", op, db.path, err)}
	case codeCantOpen:
		if diagnose(filepath.Dir(db.path)) == ErrReadOnlyDisk {
			return fmt.Errorf("%s: %s is on a read-only disk or folder: make it writable by you, or point cgmtop at another data folder: %w", op, db.path, &diskError{ErrReadOnlyDisk, err})
		}
		return fmt.Errorf("%s: cannot open %s: check that the file and its folder exist and belong to you: %w", op, db.path, err)
	case codeIOErr:
		if errors.Is(err, syscall.ENOSPC) {
			return db.fail(op, &fullError{err})
		}
		switch diagnose(filepath.Dir(db.path)) {
		case ErrDiskFull:
			return db.fail(op, &fullError{err})
		case ErrReadOnlyDisk:
			return fmt.Errorf("%s: %s is on a read-only disk or folder: make it writable by you, or point cgmtop at another data folder: %w", op, db.path, &diskError{ErrReadOnlyDisk, err})
		}
		return fmt.Errorf("%s: disk error on %s: check the disk and the file's permissions: %w", op, db.path, err)
	}
	return fmt.Errorf("%s %s: %w", op, db.path, err)
}

// fullError marks an I/O error that the OS reported as "no space left".
type fullError struct{ err error }

func (e *fullError) Error() string { return e.err.Error() }
func (e *fullError) Unwrap() error { return e.err }

// pathError wraps a file-system error on the cache's files with the path and
// what to do.
func pathError(path, op string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%s %s: permission denied or read-only file system: make it and its folder writable by you, or point cgmtop at another data folder: %w", op, path, &diskError{ErrReadOnlyDisk, err})
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s %s: a part of the path is a file, not a folder: move that file away or choose another data folder: %w", op, path, err)
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%s %s: the disk is full: free some space: %w", op, path, &diskError{ErrDiskFull, err})
	}
	if sqliteCode(err) != 0 {
		db := &DB{path: path}
		return db.fail(op, err)
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}

// newerError says the file was written by a newer cgmtop.
func newerError(path string, version int) error {
	return fmt.Errorf("the cache %s was written by a newer cgmtop (schema %d; this one knows up to %d): upgrade cgmtop, or delete the file and let this one rebuild it from the server",
		path, version, len(migrations))
}
