package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/tui"
)

// lateStore is a person's cache in the overview, opened after the program
// starts: reads wait until it is open. It opens in two steps. A reader
// first, which costs a file open: the person's readings show at once. Then
// the writer the sync engine needs, whose integrity check reads the whole
// file (about 20 ms for 90 days); eight of those one after the other kept
// the first screen waiting 150–390 ms on a loaded machine.
type lateStore struct {
	sw    atomic.Pointer[swapDB]
	ready chan struct{} // closed once sw is set, or opening failed
	err   error         // why opening failed; read after ready
	// empty: until the cache opens, reads find nothing rather than wait
	// (a logged-out person, whose cache opens at their next login).
	empty bool
}

// viewStore is what a person's view reads: a cache, or nothing yet.
type viewStore interface {
	tui.Store
	agp.Store
}

func newLateStore() *lateStore { return &lateStore{ready: make(chan struct{})} }

// open opens the cache at path: a reader for the view if the file exists,
// then the writer, swapped in under the view. It returns the writer's
// swapDB, the writer, and readOnly as openCache does.
func (l *lateStore) open(ctx context.Context, path string, log *slog.Logger) (*swapDB, *cache.DB, error, error) {
	once := func(err error) {
		if l.sw.Load() == nil {
			l.err = err
			close(l.ready)
		}
	}
	if exists(path) {
		if r, err := cache.OpenReader(ctx, path); err == nil {
			l.sw.Store(newSwapDB(r))
			close(l.ready)
		}
	}
	raw, readOnly, err := openCache(ctx, path, log)
	if err != nil {
		err = fmt.Errorf("open the cache: %w", err)
		once(err)
		return nil, nil, nil, err
	}
	if sw := l.sw.Load(); sw != nil {
		sw.replace(raw)
		return sw, raw, readOnly, nil
	}
	sw := newSwapDB(raw)
	l.sw.Store(sw)
	close(l.ready)
	return sw, raw, readOnly, nil
}

// db is the cache, or nil while none is open.
func (l *lateStore) db() *swapDB { return l.sw.Load() }

// get waits for the cache to open (or, while empty, finds nothing).
func (l *lateStore) get(ctx context.Context) (viewStore, error) {
	if sw := l.sw.Load(); sw != nil {
		return sw, nil
	}
	if l.empty {
		select {
		case <-l.ready:
		default:
			return noCache{}, nil
		}
	}
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if sw := l.sw.Load(); sw != nil {
		return sw, nil
	}
	return nil, l.err
}

// replace swaps db in for the cache the view reads (the reader the
// overview opened first), which it closes.
func (s *swapDB) replace(db *cache.DB) {
	s.mu.Lock()
	old := s.db
	s.db = db
	s.gen++
	s.mu.Unlock()
	// Loads in flight on the reader finish or fail once; the next uses db.
	go old.Close()
}

func (l *lateStore) Freshness(ctx context.Context) (cache.Freshness, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return cache.Freshness{}, err
	}
	return sw.Freshness(ctx)
}

func (l *lateStore) Readings(ctx context.Context, from, to time.Time) ([]client.Reading, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return sw.Readings(ctx, from, to)
}

func (l *lateStore) Events(ctx context.Context, from, to time.Time) ([]client.Event, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return sw.Events(ctx, from, to)
}

func (l *lateStore) Devices(ctx context.Context) ([]client.Device, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return sw.Devices(ctx)
}

func (l *lateStore) DataRange(ctx context.Context) (client.DataRange, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return client.DataRange{}, err
	}
	return sw.DataRange(ctx)
}

func (l *lateStore) SyncStatus(ctx context.Context) (cache.SyncStatus, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return cache.SyncStatus{}, err
	}
	return sw.SyncStatus(ctx)
}

func (l *lateStore) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return sw.GlucoseSums(ctx, to, periods...)
}

func (l *lateStore) EachGlucose(ctx context.Context, from, to time.Time, fn func(cache.Glucose) error) error {
	sw, err := l.get(ctx)
	if err != nil {
		return err
	}
	return sw.EachGlucose(ctx, from, to, fn)
}

func (l *lateStore) DataVersion(ctx context.Context) (int64, error) {
	sw, err := l.get(ctx)
	if err != nil {
		return 0, err
	}
	return sw.DataVersion(ctx)
}

var _ agp.Store = (*lateStore)(nil)

// noCache stands for a person's cache when there is none to read: a
// logged-out account's (err nil: nothing cached), or one that could not be
// opened (every read says why, on their row, while the others run).
type noCache struct{ err error }

func (b noCache) Freshness(context.Context) (cache.Freshness, error) {
	return cache.Freshness{}, b.err
}
func (b noCache) Readings(context.Context, time.Time, time.Time) ([]client.Reading, error) {
	return nil, b.err
}
func (b noCache) Events(context.Context, time.Time, time.Time) ([]client.Event, error) {
	return nil, b.err
}
func (b noCache) Devices(context.Context) ([]client.Device, error) { return nil, b.err }
func (b noCache) DataRange(context.Context) (client.DataRange, error) {
	return client.DataRange{}, b.err
}
func (b noCache) SyncStatus(context.Context) (cache.SyncStatus, error) {
	return cache.SyncStatus{}, b.err
}
func (b noCache) GlucoseSums(context.Context, time.Time, ...time.Duration) ([]stats.Sums, error) {
	return nil, b.err
}
func (b noCache) DataVersion(context.Context) (int64, error) { return 0, b.err }
func (b noCache) EachGlucose(context.Context, time.Time, time.Time, func(cache.Glucose) error) error {
	return b.err
}

var _ tui.Store = noCache{}
