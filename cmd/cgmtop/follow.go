package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/statusline"
	"github.com/cgmtop/cgmtop/syncer"
)

// followEvery is how often a running monitor looks at the login marker: a
// `cgmtop logout` or a new `cgmtop login` in another terminal reaches it
// within this. A look is one small file read.
const followEvery = 2 * time.Second

// followBeat wakes every look of the process that comes every followEvery
// at once: an overview's followers (one per person), its cache watcher and
// a daemon's accounts share one wake-up instead of one each.
func followBeat() *clock.Beat { return clock.Every(followEvery) }

// errLoggedOut is what the monitor shows after `cgmtop logout`.
var errLoggedOut = errors.New("logged out: run `cgmtop login` to sync again")

// loginStamp identifies the account's current login: when `cgmtop login`
// wrote its marker. It is zero when the account is logged out.
func loginStamp(e env) time.Time {
	b, err := os.ReadFile(markerPath(e))
	if err != nil {
		return time.Time{}
	}
	var m loginMarker
	if json.Unmarshal(b, &m) != nil || m.At.IsZero() {
		// A marker we cannot read is still a login; its file's time tells
		// one login from the next.
		if fi, err := os.Stat(markerPath(e)); err == nil {
			return fi.ModTime()
		}
		return time.Time{}
	}
	return m.At
}

// follower runs the monitor's sync engine in step with the account's login:
// a logout stops it at once, so nothing more is fetched or written for the
// account (the status snapshot included), and a new login, after a logout
// or an expired one, starts it again with the new credentials and, if the
// logout removed it, a new cache.
type follower struct {
	env    env
	clk    clock.Clock
	log    *slog.Logger
	db     *swapDB
	report func(syncer.Result) // after every pass, and with errLoggedOut or a login error
}

// run syncs until ctx is done, starting with src (the source of the login
// the monitor started with).
func (f *follower) run(ctx context.Context, src client.Source) {
	stamp := loginStamp(f.env)
	for ctx.Err() == nil {
		if src == nil {
			stamp, src = f.waitLogin(ctx, stamp)
			continue
		}
		next, stopped := f.syncWhile(ctx, src, stamp)
		src = nil
		switch {
		case ctx.Err() != nil:
			return
		case stopped:
			// The login expired (the engine said so on screen): only a
			// new one helps, so wait for a stamp other than this one.
		case next.IsZero():
			f.loggedOut()
			stamp = next
		default:
			stamp, src = next, f.reopen(ctx, next)
		}
	}
}

// syncWhile runs an engine on src until the login changes (it returns the
// new stamp), or the engine stops on its own (stopped: the login expired),
// or ctx is done.
func (f *follower) syncWhile(ctx context.Context, src client.Source, stamp time.Time) (next time.Time, stopped bool) {
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	engine := newEngine(f.env, src, f.db.current(), f.clk, f.log)
	done := make(chan error, 1)
	go func() {
		done <- engine.Run(runCtx, func(r syncer.Result) {
			if errors.Is(r.Err, cache.ErrDamaged) {
				f.db.markDamaged()
			}
			// A logout between two looks must not bring the snapshot back.
			if loginStamp(f.env).Equal(stamp) {
				writeSnapshot(runCtx, f.env, f.db.current(), f.log)
				f.report(r)
			}
		})
	}()
	beat := followBeat()
	for {
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				f.log.Error("sync stopped", "err", err)
			}
			return stamp, true
		case <-beat.C():
			if now := loginStamp(f.env); !now.Equal(stamp) {
				stop()
				<-done
				return now, false
			}
			// The cache was damaged, or moved aside and rebuilt by another
			// cgmtop (`cgmtop sync`, a daemon): carry on with the file at
			// its path, as after a new login. Until that file opens (a
			// full disk), keep on as before and try again next tick.
			if f.db.stale() {
				if err := f.db.reopenIfGone(ctx); err != nil {
					f.log.Warn("cache not reopened", "err", err)
					continue
				}
				stop()
				<-done
				return stamp, false
			}
		case <-ctx.Done():
			<-done
			return stamp, false
		}
	}
}

// loggedOut says so and removes what the stopped engine may have written
// after `cgmtop logout` removed the account's files.
func (f *follower) loggedOut() {
	f.log.Info("logged out: the monitor stopped syncing")
	path := statusline.SnapshotPath(f.env.paths, f.env.account)
	if err := os.Remove(path); err == nil {
		os.Remove(f.env.paths.AccountDataDir(f.env.account)) // only if empty
	}
	f.report(syncer.Result{Err: errLoggedOut})
}

// waitLogin waits for a login other than stamp (any, when stamp is zero)
// and opens its source.
func (f *follower) waitLogin(ctx context.Context, stamp time.Time) (time.Time, client.Source) {
	for ctx.Err() == nil {
		next := f.waitFor(ctx, func(s time.Time) bool { return !s.IsZero() && !s.Equal(stamp) })
		if ctx.Err() != nil {
			break
		}
		if src := f.reopen(ctx, next); src != nil {
			return next, src
		}
		stamp = next
	}
	return stamp, nil
}

// waitFor polls the login marker until ok accepts its stamp, or ctx ends.
func (f *follower) waitFor(ctx context.Context, ok func(time.Time) bool) time.Time {
	beat := followBeat()
	for {
		if s := loginStamp(f.env); ok(s) {
			return s
		}
		select {
		case <-ctx.Done():
			return time.Time{}
		case <-beat.C():
		}
	}
}

// reopen reads the settings and the stored login again, and opens the
// cache again if a logout removed it. It reports a failure and returns nil.
func (f *follower) reopen(ctx context.Context, stamp time.Time) client.Source {
	if e, err := loadEnv(f.env.account); err == nil {
		f.env.cfg = e.cfg // the login may have changed the server
	}
	if err := f.db.reopenIfGone(ctx); err != nil {
		f.report(syncer.Result{Err: err})
		return nil
	}
	src, err := openSource(ctx, f.env, f.log)
	if err != nil {
		f.report(syncer.Result{Err: err})
		return nil
	}
	f.log.Info("new login: syncing again", "login", stamp.UTC().Format(time.RFC3339))
	// The screen stops saying "logged out" now: the engine's first pass
	// may wait minutes on the lock held by the login's own sync.
	f.report(syncer.Result{})
	return src
}

// swapDB is the monitor's cache, which a logout and a new login replace
// under it: the view reads through it, so it follows the new file.
type swapDB struct {
	mu   sync.RWMutex
	db   *cache.DB
	fi   os.FileInfo // the file db opened, to notice its removal
	gen  int64       // bumped on every swap, so DataVersion never repeats
	path string

	damaged atomic.Bool // a sync found the open file damaged: reopen it
}

func newSwapDB(db *cache.DB) *swapDB {
	fi, _ := os.Stat(db.Path())
	return &swapDB{db: db, fi: fi, path: db.Path()}
}

func (s *swapDB) current() *cache.DB {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db
}

// markDamaged has the next reopenIfGone reopen the file (cache.Open moves
// a damaged one aside and starts afresh).
func (s *swapDB) markDamaged() { s.damaged.Store(true) }

// stale reports whether the open file must be let go: found damaged, or
// no longer the file at the cache's path (moved aside and rebuilt). A
// missing file is a logout's business, not this.
func (s *swapDB) stale() bool {
	if s.damaged.Load() {
		return true
	}
	fi, err := os.Stat(s.path)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return err == nil && s.fi != nil && !os.SameFile(fi, s.fi)
}

// reopenIfGone opens the cache afresh when the file the monitor has open
// was removed or replaced (`cgmtop logout` removes it), or found damaged.
func (s *swapDB) reopenIfGone(ctx context.Context) error {
	if fi, err := os.Stat(s.path); err == nil && s.fi != nil && os.SameFile(fi, s.fi) && !s.damaged.Load() {
		return nil
	}
	db, err := cache.Open(ctx, s.path)
	if err != nil {
		return fmt.Errorf("reopen the cache: %w", err)
	}
	s.damaged.Store(false)
	fi, _ := os.Stat(s.path)
	s.mu.Lock()
	old := s.db
	s.db, s.fi = db, fi
	s.gen++
	s.mu.Unlock()
	// Loads in flight on the old handle fail once; the next one uses the new.
	old.Close()
	return nil
}

// Close closes the cache it holds now.
func (s *swapDB) Close() error { return s.current().Close() }

func (s *swapDB) Freshness(ctx context.Context) (cache.Freshness, error) {
	return s.current().Freshness(ctx)
}

func (s *swapDB) Readings(ctx context.Context, from, to time.Time) ([]client.Reading, error) {
	return s.current().Readings(ctx, from, to)
}

func (s *swapDB) Events(ctx context.Context, from, to time.Time) ([]client.Event, error) {
	return s.current().Events(ctx, from, to)
}

func (s *swapDB) Devices(ctx context.Context) ([]client.Device, error) {
	return s.current().Devices(ctx)
}

func (s *swapDB) DataRange(ctx context.Context) (client.DataRange, error) {
	return s.current().DataRange(ctx)
}

func (s *swapDB) SyncStatus(ctx context.Context) (cache.SyncStatus, error) {
	return s.current().SyncStatus(ctx)
}

func (s *swapDB) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	return s.current().GlucoseSums(ctx, to, periods...)
}

// The AGP and daily screens find this method by a type check: without it
// they say there is no cache.
var _ agp.Store = (*swapDB)(nil)

// EachGlucose streams the period for the AGP and daily screens.
func (s *swapDB) EachGlucose(ctx context.Context, from, to time.Time, fn func(cache.Glucose) error) error {
	return s.current().EachGlucose(ctx, from, to, fn)
}

func (s *swapDB) DataVersion(ctx context.Context) (int64, error) {
	s.mu.RLock()
	db, gen := s.db, s.gen
	s.mu.RUnlock()
	v, err := db.DataVersion(ctx)
	return v + gen<<40, err
}
