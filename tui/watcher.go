package tui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/clock"
)

// Watcher is Follow for several caches on one ticker: the overview's
// people. A goroutine and a ticker per person woke an idle overview of
// eight people eight times as often for the same looks, and on a quiet
// process the Go scheduler's waking costs more than the looks themselves.
type Watcher struct {
	clk     clock.Clock
	mu      sync.Mutex
	watched []*watchedCache
}

// watchedCache is one cache and where to tell of its changes.
type watchedCache struct {
	store Store
	send  func(tea.Msg)
	last  int64
	known bool
}

// watchLook bounds one look when a Watcher looks at several caches in
// turn: a look is a PRAGMA on a connection of its own that reads no table,
// so it takes microseconds; one that hangs anyway costs the others at most
// this much per tick, never a freeze.
const watchLook = time.Second

// NewWatcher returns a Watcher on clk (nil: the real clock). Run it once.
func NewWatcher(clk clock.Clock) *Watcher {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Watcher{clk: clk}
}

// Add follows store from the next look on, telling its changes through
// send (a person's tea.Program.Send). It may be called while Run runs:
// each person's cache opens on its own.
func (w *Watcher) Add(store Store, send func(tea.Msg)) {
	w.mu.Lock()
	w.watched = append(w.watched, &watchedCache{store: store, send: send})
	w.mu.Unlock()
}

// Run looks at every added cache every watchEvery (of the clock's time)
// until ctx is done, and sends a watchMsg for each whose DataVersion moved
// (the first look always sends). It looks on the process's Beat of that
// period, so other looks as often (the monitor's login follower) wake
// with it.
func (w *Watcher) Run(ctx context.Context) {
	beat := clock.Every(w.clk.Wall(watchEvery))
	bound := loadTimeout
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C():
		}
		w.mu.Lock()
		all := w.watched
		w.mu.Unlock()
		if len(all) > 1 {
			bound = watchLook
		}
		for _, c := range all {
			c.look(ctx, bound)
		}
	}
}

// look asks one cache for its version and sends it when it moved. A failed
// look is retried next tick; a broken cache shows in the loads.
func (c *watchedCache) look(ctx context.Context, bound time.Duration) {
	look, cancel := context.WithTimeout(ctx, bound)
	v, err := c.store.DataVersion(look)
	cancel()
	if err != nil || c.known && v == c.last {
		return
	}
	c.last, c.known = v, true
	c.send(watchMsg{version: v})
}
