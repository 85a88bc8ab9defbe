package statusline

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// runOpts are Run's options over a temp tree, with a spawn that counts.
func runOpts(t *testing.T, spawns *int) Options {
	t.Helper()
	t.Setenv("NO_COLOR", "")
	cfg := config.Default()
	return Options{Paths: testPaths(t), Account: "default", Config: cfg, Format: Plain, Now: now,
		Spawn: func() error { *spawns++; return nil }}
}

func runLine(t *testing.T, opts Options) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := Run(context.Background(), opts, &out)
	return out.String(), code
}

func markLoggedIn(t *testing.T, opts Options) {
	t.Helper()
	path := LoginMarkerPath(opts.Paths, opts.Account)
	if err := config.EnsureDir(strings.TrimSuffix(path, "/login.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeDB fills the account's cache database with readings every five
// minutes for days, the newest at newest.
func writeDB(t testing.TB, opts Options, newest time.Time, days int, sync cache.SyncStatus) {
	t.Helper()
	ctx := context.Background()
	db, err := cache.Open(ctx, opts.Paths.Database(opts.Account))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rs []client.Reading
	for i := days * 288; i >= 0; i-- {
		ts := newest.Add(-time.Duration(i) * 5 * time.Minute)
		rs = append(rs, client.Reading{Time: ts, DisplayTime: ts, Value: 100 + i%60, Status: client.StatusOK, Trend: client.TrendFlat})
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSyncStatus(ctx, sync); err != nil {
		t.Fatal(err)
	}
}

func TestRunStates(t *testing.T) {
	t.Run("nothing at all: not logged in, no spawn", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		if line, code := runLine(t, opts); line != "cgm: not logged in\n" || code != 0 || spawns != 0 {
			t.Errorf("got %q %d, %d spawns", line, code, spawns)
		}
	})
	t.Run("logged in, nothing synced: no data, one spawn", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		markLoggedIn(t, opts)
		if line, _ := runLine(t, opts); line != "cgm: no data yet\n" || spawns != 1 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
		if line, _ := runLine(t, opts); line != "cgm: no data yet\n" || spawns != 1 {
			t.Errorf("second call: %q, %d spawns; want no second spawn", line, spawns)
		}
	})
	t.Run("fresh snapshot: the reading, no spawn", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		if err := WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), pair(2*time.Minute, 112, 109, client.TrendFlat)); err != nil {
			t.Fatal(err)
		}
		if line, _ := runLine(t, opts); line != "112 → +3 2m\n" || spawns != 0 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
	})
	t.Run("stale snapshot: marked, one spawn", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		f := pair(42*time.Minute, 112, 109, client.TrendFlat)
		f.Sync = cache.SyncStatus{LastAttempt: now.Add(-10 * time.Minute), LastSuccess: now.Add(-10 * time.Minute)}
		if err := WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), f); err != nil {
			t.Fatal(err)
		}
		if line, _ := runLine(t, opts); line != "112? → 42m\n" || spawns != 1 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
	})
	t.Run("no snapshot: the database", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		writeDB(t, opts, now.Add(-3*time.Minute), 1, cache.SyncStatus{LastAttempt: now, LastSuccess: now})
		opts.Units = "mmol"
		line, _ := runLine(t, opts)
		if !strings.HasSuffix(line, " 3m\n") || !strings.Contains(line, ".") || spawns != 0 {
			t.Errorf("got %q, %d spawns; want a mmol/L reading 3m old", line, spawns)
		}
	})
	t.Run("damaged snapshot: the database", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		writeDB(t, opts, now.Add(-3*time.Minute), 1, cache.SyncStatus{LastAttempt: now, LastSuccess: now})
		os.WriteFile(SnapshotPath(opts.Paths, opts.Account), []byte("{garbage"), 0o600)
		if line, _ := runLine(t, opts); !strings.HasSuffix(line, " 3m\n") {
			t.Errorf("got %q", line)
		}
	})
	t.Run("damaged snapshot and no database: cache error", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		path := SnapshotPath(opts.Paths, opts.Account)
		config.EnsureDir(strings.TrimSuffix(path, "/status.json"))
		os.WriteFile(path, []byte("{garbage"), 0o600)
		if line, _ := runLine(t, opts); line != "cgm: cache error\n" || spawns != 1 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
	})
	t.Run("database that is not SQLite: cache error", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		path := opts.Paths.Database(opts.Account)
		config.EnsureDir(strings.TrimSuffix(path, "/cache.db"))
		os.WriteFile(path, bytes.Repeat([]byte("not a database "), 400), 0o600)
		if line, _ := runLine(t, opts); line != "cgm: cache error\n" || spawns != 1 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
	})
	t.Run("failing sync with no reading", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		markLoggedIn(t, opts)
		WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), cache.Freshness{Sync: cache.SyncStatus{
			LastAttempt: now.Add(-20 * time.Second), LastError: "rate limited by the server", NextPoll: now.Add(time.Minute)}})
		if line, _ := runLine(t, opts); line != "cgm: rate-limited\n" || spawns != 0 {
			t.Errorf("got %q, %d spawns", line, spawns)
		}
	})
	t.Run("NO_COLOR", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), pair(2*time.Minute, 112, 109, client.TrendFlat))
		opts.Format = Tmux
		if line, _ := runLine(t, opts); !strings.HasPrefix(line, "#[fg=green]") {
			t.Errorf("coloured: %q", line)
		}
		t.Setenv("NO_COLOR", "1")
		if line, _ := runLine(t, opts); line != "112 → +3 2m\n" {
			t.Errorf("NO_COLOR: %q", line)
		}
	})
	t.Run("template and bad template", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), pair(2*time.Minute, 112, 109, client.TrendFlat))
		tm, err := ParseTemplate("{{.Value}}{{.Arrow}}")
		if err != nil {
			t.Fatal(err)
		}
		opts.Template = tm
		if line, code := runLine(t, opts); line != "112→\n" || code != 0 {
			t.Errorf("template: %q %d", line, code)
		}
		// ParseTemplate would refuse it; a template that fails only when
		// drawn must still give a line and exit 2.
		opts.Template = template.Must(template.New("status").Option("missingkey=error").Parse("{{.Nope}}"))
		if line, code := runLine(t, opts); line != "cgm: bad template\n" || code != 2 {
			t.Errorf("bad template: %q %d", line, code)
		}
	})
	t.Run("i3blocks urgent exit code", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), pair(2*time.Minute, 50, 58, client.TrendDoubleDown))
		opts.Format = I3blocks
		if _, code := runLine(t, opts); code != ExitUrgent {
			t.Errorf("exit %d, want %d", code, ExitUrgent)
		}
	})
	t.Run("json from the database", func(t *testing.T) {
		var spawns int
		opts := runOpts(t, &spawns)
		writeDB(t, opts, now.Add(-3*time.Minute), 1, cache.SyncStatus{LastAttempt: now, LastSuccess: now})
		opts.Format = JSON
		line, _ := runLine(t, opts)
		var v struct {
			Status string  `json:"status"`
			Value  float64 `json:"value"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil || v.Status != "ok" || v.Value < 40 {
			t.Errorf("json %q: %+v %v", line, v, err)
		}
	})
}

func syncOK(t time.Time) cache.SyncStatus {
	return cache.SyncStatus{LastAttempt: t, LastSuccess: t, NextPoll: t.Add(3 * time.Minute)}
}
