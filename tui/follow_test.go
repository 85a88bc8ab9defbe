package tui

import (
	"context"
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
