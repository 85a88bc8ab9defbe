package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// TestSourceSaysWhatHappensNext: the Source pane's sync line says what
// really comes next. It read "next in 0 min" for a poll seconds away, a
// rate limit's wait rounded to minutes instead of the time Dexcom gave, and
// a poll "next in 4 min" after the login expired, when nothing polls until
// `cgmtop login`.
func TestSourceSaysWhatHappensNext(t *testing.T) {
	tests := []struct {
		name      string
		lastError string
		next      time.Duration
		msgs      []tea.Msg
		want      string
		narrow    string // at 120x40, where the pane is half the width; "" for want
	}{
		{name: "rate-limited", lastError: "rate-limited: Dexcom asked cgmtop to slow down; waiting 1m30s",
			next: 150 * time.Second, want: "next try at 14:07"},
		{name: "login expired", lastError: "login expired: run `cgmtop login`", next: 4 * time.Minute,
			msgs: []tea.Msg{SyncedMsg{Err: client.ErrUnauthorized}}, want: "waiting for `cgmtop login`", narrow: "waiting for login"},
		{name: "login refused", lastError: "login refused: Dexcom Share refused the password", next: 20 * time.Second,
			want: "waiting for `cgmtop login`", narrow: "waiting for login"},
		{name: "seconds away", next: 20 * time.Second, want: "next within a minute"},
		{name: "minutes away", next: 4 * time.Minute, want: "next in 4 min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := normalStore()
			s.sync.LastError, s.sync.NextPoll = tt.lastError, testNow.Add(tt.next)
			for _, size := range [][2]int{{80, 24}, {120, 40}} {
				screen := load(t, s, config.Default(), size[0], size[1], tt.msgs...).View()
				line := ""
				for _, l := range strings.Split(screen, "\n") {
					if strings.Contains(l, "synced ") {
						line = l
					}
				}
				want := tt.want
				if size[0] == 120 && tt.narrow != "" {
					want = tt.narrow
				}
				if !strings.Contains(line, want) || strings.Contains(line, "0 min") {
					t.Errorf("%dx%d: sync line %q, want %q", size[0], size[1], line, want)
				}
			}
		})
	}
}

// TestSourceSaysWhatTheSourceKeeps: "Dexcom keeps 90 days" was said for
// every account. It holds where the official API is a source; Share keeps
// a day; a Nightscout site keeps what its own settings say, so nothing is
// claimed.
func TestSourceSaysWhatTheSourceKeeps(t *testing.T) {
	for _, tt := range []struct {
		sources []string
		want    string
	}{
		{nil, "Dexcom keeps 90 days"},
		{[]string{"dexcom"}, "Dexcom keeps 90 days"},
		{[]string{"dexcom", "share"}, "Dexcom keeps 90 days"},
		{[]string{"dexcom", "nightscout"}, "Dexcom keeps 90 days"},
		{[]string{"share"}, "Share keeps 24 hours"},
		{[]string{"nightscout"}, ""},
	} {
		m := New(Options{Store: normalStore(), Config: config.Default(), Clock: fixedClock{testNow}, Sources: tt.sources})
		m.loc, m.out = time.UTC, discard{}
		m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		m = step(m, m.loadCmd()())
		m = step(m, m.statsCmd()())
		v := m.View()
		for _, claim := range []string{"Dexcom keeps 90 days", "Share keeps 24 hours"} {
			if has := strings.Contains(v, claim); has != (claim == tt.want) {
				t.Errorf("sources %v: says %q: %v, want %v\n%s", tt.sources, claim, has, !has, v)
			}
		}
		if !strings.Contains(v, "account data") {
			t.Errorf("sources %v: no account data line:\n%s", tt.sources, v)
		}
	}
}

// TestRateLimitSaysWhenNotHowLong: the error of a rate limit said the wait
// Dexcom gave ("waiting 1m30s"), counted from when it came, and kept saying
// it while the wait ran out. It says the time of the next try instead.
func TestRateLimitSaysWhenNotHowLong(t *testing.T) {
	for _, e := range []string{
		"rate-limited: Dexcom asked cgmtop to slow down; waiting 1m30s",
		"rate limited by the server: retrying in 1m30s",
	} {
		s := normalStore()
		s.sync.LastError, s.sync.NextPoll = e, testNow.Add(150*time.Second)
		screen := load(t, s, config.Default(), 120, 40).View()
		if strings.Contains(screen, "1m30s") {
			t.Errorf("%q: the screen still counts the wait from when it came:\n%s", e, screen)
		}
		if !strings.Contains(screen, "; next try at 14:07") {
			t.Errorf("%q: the error does not say when the next try is:\n%s", e, screen)
		}
	}
}
