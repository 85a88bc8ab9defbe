package statusline

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
)

func TestSnapshotRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "accounts", "default", "status.json")
	for _, f := range []cache.Freshness{
		{},
		pair(4*time.Minute, 112, 109, client.TrendFlat),
		{Latest: client.Reading{Time: now, DisplayTime: now, Value: 400, Status: client.StatusHigh, Trend: client.TrendNone},
			Sync: cache.SyncStatus{LastAttempt: now, LastError: "server answered HTTP 503"}},
	} {
		if err := WriteSnapshot(path, f); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSnapshot(path)
		if err != nil {
			t.Fatal(err)
		}
		if !sameFreshness(got, f) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, f)
		}
	}
	for _, p := range []string{path, filepath.Dir(path)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if fi.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
}

// sameFreshness compares what the snapshot keeps: not the trend rate, and
// the display time only as the system time.
func sameFreshness(a, b cache.Freshness) bool {
	same := func(x, y client.Reading) bool {
		return x.Time.Equal(y.Time) && x.Value == y.Value && x.Status == y.Status && x.Trend == y.Trend
	}
	return same(a.Latest, b.Latest) && same(a.Previous, b.Previous) &&
		a.Sync.LastAttempt.Equal(b.Sync.LastAttempt) && a.Sync.LastSuccess.Equal(b.Sync.LastSuccess) &&
		a.Sync.NextPoll.Equal(b.Sync.NextPoll) && a.Sync.LastError == b.Sync.LastError
}

func TestReadSnapshotRejects(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadSnapshot(filepath.Join(dir, "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing snapshot: %v, want fs.ErrNotExist", err)
	}
	big := make([]byte, maxSnapshot+1)
	for i := range big {
		big[i] = ' '
	}
	for name, body := range map[string][]byte{
		"empty":           {},
		"truncated":       []byte(`{"version":1,"latest":{"time":"2025-03-14T14:26:00Z","val`),
		"other version":   []byte(`{"version":2}`),
		"no version":      []byte(`{"latest":null}`),
		"negative value":  []byte(`{"version":1,"latest":{"time":"2025-03-14T14:26:00Z","value":-1}}`),
		"huge value":      []byte(`{"version":1,"latest":{"time":"2025-03-14T14:26:00Z","value":100000}}`),
		"latest no time":  []byte(`{"version":1,"latest":{"value":100}}`),
		"orphan previous": []byte(`{"version":1,"previous":{"time":"2025-03-14T14:26:00Z","value":100}}`),
		"too large":       big,
		"not json":        []byte("SQLite format 3\x00"),
	} {
		path := filepath.Join(dir, "s.json")
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadSnapshot(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzReadSnapshot: a damaged snapshot must give an error or a Freshness the
// status line can draw, never a panic.
func FuzzReadSnapshot(f *testing.F) {
	// The seed corpus is in testdata/fuzz/FuzzReadSnapshot.
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeSnapshot(b)
		if err != nil {
			return
		}
		for _, format := range Formats {
			in := baseInput(fr)
			if out, _ := Render(in, format); len(out) < 2 {
				t.Fatalf("%s: blank output for %q", format, b)
			}
		}
	})
}
