package statusline

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// TestWrongClock: with this computer's clock an hour behind the server's,
// or two hours ahead, a reading taken four minutes ago on the server's
// clock reads 4m, not "now" or "2h" (stale), and the line says the clock is
// off: plain text, JSON and the template's .Clock. The offset travels from
// the syncing process through the snapshot.
func TestWrongClock(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration // server minus this computer
		clock  string
	}{
		{time.Hour, "1 h behind"},
		{-2 * time.Hour, "2 h ahead"},
		{90 * time.Second, ""},
	} {
		local := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
		server := local.Add(c.offset)
		r := client.Reading{Time: server.Add(-4 * time.Minute), Value: 112, Status: client.StatusOK, Trend: client.TrendFlat}
		r.DisplayTime = r.Time
		f := cache.Freshness{Latest: r, Sync: cache.SyncStatus{LastSuccess: local.Add(-time.Minute), ClockOffset: c.offset}}

		p := config.Paths{DataDir: filepath.Join(t.TempDir(), "data"), StateDir: filepath.Join(t.TempDir(), "state")}
		if err := WriteSnapshot(SnapshotPath(p, "default"), f); err != nil {
			t.Fatal(err)
		}
		for _, format := range []Format{Plain, JSON} {
			var out bytes.Buffer
			Run(context.Background(), Options{Paths: p, Account: "default", Config: config.Default(), Format: format,
				NoSync: true, Now: local}, &out)
			line := out.String()
			if format == JSON {
				var j struct {
					Age   string `json:"age"`
					Stale bool   `json:"stale"`
					Clock string `json:"clock"`
				}
				if err := json.Unmarshal(out.Bytes(), &j); err != nil {
					t.Fatal(err)
				}
				if j.Age != "4m" || j.Stale || j.Clock != c.clock {
					t.Errorf("offset %v: JSON age %q stale %v clock %q, want 4m, fresh, %q", c.offset, j.Age, j.Stale, j.Clock, c.clock)
				}
				continue
			}
			want := "112 → 4m"
			if c.clock != "" {
				want += " (clock " + c.clock + ")"
			}
			if strings.TrimSpace(line) != want {
				t.Errorf("offset %v: plain %q, want %q", c.offset, strings.TrimSpace(line), want)
			}
		}
	}
}

// TestWrongClockStillSpawns: status without a daemon keeps readings coming
// with the clock an hour behind. The newest reading is six minutes old on
// the server's clock, so a sync is due; to this computer it is 54 minutes
// in the future, which must not read as "fresh".
func TestWrongClockStillSpawns(t *testing.T) {
	local := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	for _, offset := range []time.Duration{time.Hour, 0} { // measured, or not yet
		r := client.Reading{Time: local.Add(time.Hour - 6*time.Minute), Value: 112, Status: client.StatusOK}
		f := cache.Freshness{Latest: r, Sync: cache.SyncStatus{LastAttempt: local.Add(-6 * time.Minute), ClockOffset: offset}}
		p := config.Paths{DataDir: filepath.Join(t.TempDir(), "data"), StateDir: filepath.Join(t.TempDir(), "state")}
		if err := WriteSnapshot(SnapshotPath(p, "default"), f); err != nil {
			t.Fatal(err)
		}
		spawned := false
		Run(context.Background(), Options{Paths: p, Account: "default", Config: config.Default(), Format: Plain,
			Now: local, Spawn: func() error { spawned = true; return nil }}, io.Discard)
		if !spawned {
			t.Errorf("offset %v recorded: no background sync for a reading due six minutes ago on the server's clock", offset)
		}
	}
}
