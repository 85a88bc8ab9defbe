package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/config"
)

// TestReloadsWhenAnotherProcessWrites is issue 11's first point at the
// model's level: with no SyncedMsg at all (another process syncs), a change
// of the cache's version reloads the monitor, and an unchanged one does not.
func TestReloadsWhenAnotherProcessWrites(t *testing.T) {
	store := &memStore{}
	m := load(t, store, config.Default(), 80, 24)
	if !m.watching {
		t.Fatal("the first load did not record the cache's version")
	}
	seq := m.loadSeq
	m = step(m, watchMsg{version: store.version})
	if m.loadSeq != seq {
		t.Error("an unchanged version reloaded")
	}

	store.mu.Lock()
	store.readings = generate(testNow.Add(-time.Hour), testNow.Add(-time.Minute))
	store.version++
	store.mu.Unlock()
	next, cmd := m.Update(watchMsg{version: store.version})
	m = next.(Model)
	if m.loadSeq == seq || cmd == nil {
		t.Fatal("a changed version did not reload")
	}
	m = step(m, m.loadCmd()())
	if !m.hasReading() || !strings.Contains(m.View(), "5 min ago") {
		t.Errorf("after another process stored a reading:\n%s", m.View())
	}
}

// TestWrongClock: with this computer's clock an hour behind the server (or
// two ahead), the newest reading reads "just now", nothing is stale, and
// the screen says the clock is off. The readings carry the server's times;
// the offset comes from the cache, as the syncing process measured it.
func TestWrongClock(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration // server minus this computer
		words  string
	}{
		{time.Hour, "1 h behind"},
		{-2 * time.Hour, "2 h ahead"},
		{30 * time.Second, ""},
	} {
		serverNow := testNow.Add(c.offset)
		store := &memStore{
			readings: generate(serverNow.Add(-3*time.Hour), serverNow.Add(-30*time.Second)),
			sync:     cache.SyncStatus{LastSuccess: testNow.Add(-20 * time.Second), ClockOffset: c.offset},
		}
		m := load(t, store, config.Default(), 100, 30)
		m = step(m, m.loadCmd()()) // the second load ranges on the corrected clock
		v := m.View()
		if m.stale() || !strings.Contains(v, "just now") || strings.Contains(v, "no data") {
			t.Errorf("offset %v: the newest reading is not shown as current:\n%s", c.offset, v)
		}
		if c.words != "" && !strings.Contains(v, c.words) {
			t.Errorf("offset %v: the screen does not say the clock is %s:\n%s", c.offset, c.words, v)
		}
		if c.words == "" && strings.Contains(v, "clock") {
			t.Errorf("offset %v: a clock warning under two minutes:\n%s", c.offset, v)
		}
	}
}

// fastLooks is a clock whose waits last a millisecond of wall time, so
// Follow looks often in a test.
type fastLooks struct{ fixedClock }

func (fastLooks) Wall(time.Duration) time.Duration { return time.Millisecond }

// TestFollowSendsOnlyChanges: Follow tells the program when the cache's
// version moved and stays silent while it does not, so an idle monitor's
// program is never woken by it.
func TestFollowSendsOnlyChanges(t *testing.T) {
	store := &memStore{}
	got := make(chan tea.Msg, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Follow(ctx, store, fastLooks{fixedClock{testNow}}, func(msg tea.Msg) { got <- msg })
	}()
	if msg := <-got; msg != (watchMsg{version: 0}) {
		t.Fatalf("first look sent %#v", msg)
	}
	time.Sleep(50 * time.Millisecond) // some fifty looks at an unchanged cache
	if n := len(got); n != 0 {
		t.Fatalf("%d messages for an unchanged cache", n)
	}
	store.mu.Lock()
	store.version = 7
	store.mu.Unlock()
	if msg := <-got; msg != (watchMsg{version: 7}) {
		t.Fatalf("after a change Follow sent %#v", msg)
	}
	cancel()
	<-done
}

// TestWatcherFollowsEveryone: one Watcher follows several caches, added
// while it runs, and tells each change to its own person only; a cache
// that fails to answer holds nobody else.
func TestWatcherFollowsEveryone(t *testing.T) {
	ana, ben, cy := &memStore{version: 1}, &memStore{version: 5}, &memStore{err: errors.New("broken")}
	got := [3]chan tea.Msg{make(chan tea.Msg, 100), make(chan tea.Msg, 100), make(chan tea.Msg, 100)}
	w := NewWatcher(fastLooks{fixedClock{testNow}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	w.Add(cy, func(msg tea.Msg) { got[2] <- msg })
	w.Add(ana, func(msg tea.Msg) { got[0] <- msg })
	if msg := <-got[0]; msg != (watchMsg{version: 1}) {
		t.Fatalf("Ana's first look sent %#v", msg)
	}
	w.Add(ben, func(msg tea.Msg) { got[1] <- msg }) // opened later
	if msg := <-got[1]; msg != (watchMsg{version: 5}) {
		t.Fatalf("Ben's first look sent %#v", msg)
	}
	time.Sleep(50 * time.Millisecond) // some fifty looks at unchanged caches
	for i := range got {
		if n := len(got[i]); n != 0 {
			t.Fatalf("person %d: %d messages for an unchanged cache", i, n)
		}
	}
	ben.mu.Lock()
	ben.version = 6
	ben.mu.Unlock()
	if msg := <-got[1]; msg != (watchMsg{version: 6}) {
		t.Fatalf("after Ben's change the watcher sent %#v", msg)
	}
	time.Sleep(20 * time.Millisecond)
	if len(got[0]) != 0 || len(got[2]) != 0 {
		t.Fatal("Ben's change was told to someone else")
	}
	cy.mu.Lock()
	cy.err, cy.version = nil, 3
	cy.mu.Unlock()
	if msg := <-got[2]; msg != (watchMsg{version: 3}) {
		t.Fatalf("Cy's repaired cache sent %#v", msg)
	}
	cancel()
	<-done
}
