// Package lockfile holds the cross-process file locks cgmtop's processes
// share: taking one within a time limit (a login renewal, a Share login),
// and telling whether another process holds one (the sync engine's).
package lockfile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// ErrBusy means another process kept the lock for the whole wait.
var ErrBusy = errors.New("lock busy")

// Take takes the exclusive lock at path (a file made 0600 if need be; its
// folder must exist), trying every 20 ms for at most wait. It fails with
// ctx's error when ctx ends first, ErrBusy when the wait runs out, and
// the file's error when the lock cannot be taken at all.
// unlock lets go; closing the file would too, so its error is dropped.
func Take(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	fl := flock.New(path, flock.SetPermissions(0o600))
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ok, err := fl.TryLockContext(wctx, 20*time.Millisecond)
	switch {
	case ok:
		return func() { _ = fl.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, ErrBusy
	}
	// Not a busy lock: a missing folder or a permission problem, which
	// waiting longer would not mend.
	return nil, fmt.Errorf("take the lock %s: %w", path, err)
}

// Held reports whether another process holds the lock at path, by taking
// a shared lock and dropping it at once: the probe fails while a holder
// keeps its exclusive lock. The file is made if missing.
func Held(path string) (bool, error) {
	l := flock.New(path)
	ok, err := l.TryRLock()
	if err != nil {
		return false, fmt.Errorf("check the sync lock %s: %w", path, err)
	}
	if ok {
		_ = l.Unlock()
	}
	return !ok, nil
}
