package statusline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// The snapshot is a few hundred bytes of JSON beside the cache holding
// exactly cache.Freshness: the newest reading, the one before and the sync
// status. `cgmtop status` runs every few seconds in every tmux session;
// reading this file costs a fraction of opening SQLite, which is what keeps
// status close to the cost of starting a process at all.
//
// The sync engine rewrites it (atomically, 0600) after every pass, so it is
// never older than the cache by more than one commit. A missing or damaged
// snapshot is not an error: status falls back to the database.

// snapshotVersion changes when the layout changes incompatibly; a reader
// that meets another version falls back to the database.
const snapshotVersion = 1

// maxSnapshot bounds what a reader takes in: a real snapshot is ~400 bytes.
const maxSnapshot = 4096

// SnapshotPath is the account's status snapshot, beside its cache database
// (it holds health data, so it lives in the private data folder).
func SnapshotPath(p config.Paths, account string) string {
	return filepath.Join(p.AccountDataDir(account), "status.json")
}

// LoginMarkerPath is the non-secret file `cgmtop login` writes and `cgmtop
// logout` deletes, so status can tell "not logged in" without the keyring.
func LoginMarkerPath(p config.Paths, account string) string {
	return filepath.Join(p.AccountStateDir(account), "login.json")
}

type snapshot struct {
	Version  int           `json:"version"`
	Latest   *snapReading  `json:"latest,omitempty"`
	Previous *snapReading  `json:"previous,omitempty"`
	Sync     snapSyncState `json:"sync"`
}

type snapReading struct {
	Time    time.Time `json:"time"`
	Value   int       `json:"value"`
	Status  string    `json:"status"`
	Trend   string    `json:"trend"`
	Source  string    `json:"source,omitempty"` // multi-source accounts only
	Arrived time.Time `json:"arrived,omitzero"` // when cgmtop first fetched it
}

type snapSyncState struct {
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	NextPoll    time.Time `json:"next_poll,omitzero"`
	// ClockOffset is cache.SyncStatus.ClockOffset in nanoseconds; older
	// snapshots lack it, which reads as a clock that agrees.
	ClockOffset int64 `json:"clock_offset_ns,omitempty"`
}

func toSnap(r client.Reading) *snapReading {
	if r.Time.IsZero() {
		return nil
	}
	s := &snapReading{Time: r.Time.UTC(), Value: r.Value, Status: r.Status.String(), Trend: r.Trend.String(), Source: r.Source}
	if !r.Arrived.IsZero() {
		s.Arrived = r.Arrived.UTC()
	}
	return s
}

func (s *snapReading) reading() (client.Reading, error) {
	if s == nil {
		return client.Reading{}, nil
	}
	if s.Time.IsZero() || s.Value < 0 || s.Value > 1000 {
		return client.Reading{}, errors.New("reading out of range")
	}
	t := s.Time.UTC()
	r := client.Reading{Time: t, DisplayTime: t, Value: s.Value,
		Status: client.ParseStatus(s.Status), Trend: client.ParseTrend(s.Trend), Source: s.Source}
	if !s.Arrived.IsZero() {
		r.Arrived = s.Arrived.UTC()
	}
	return r, nil
}

// WriteSnapshot replaces the snapshot at path with f, atomically and
// private to the user, creating its folder if needed.
func WriteSnapshot(path string, f cache.Freshness) error {
	b, err := json.Marshal(snapshot{
		Version:  snapshotVersion,
		Latest:   toSnap(f.Latest),
		Previous: toSnap(f.Previous),
		Sync: snapSyncState{
			LastAttempt: f.Sync.LastAttempt.UTC(), LastSuccess: f.Sync.LastSuccess.UTC(),
			LastError: f.Sync.LastError, NextPoll: f.Sync.NextPoll.UTC(),
			ClockOffset: int64(f.Sync.ClockOffset),
		},
	})
	if err != nil {
		return fmt.Errorf("encode the status snapshot: %w", err)
	}
	if err := config.EnsureDir(filepath.Dir(path)); err != nil {
		return err
	}
	if err := maybe.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write the status snapshot %s: %w: check that the data folder is writable", path, err)
	}
	return nil
}

// ReadSnapshot reads the snapshot at path. A missing file gives an error
// matching fs.ErrNotExist; a damaged or foreign one a plain error. Either
// way the caller should read the database instead.
func ReadSnapshot(path string) (cache.Freshness, error) {
	fh, err := os.Open(path)
	if err != nil {
		return cache.Freshness{}, err
	}
	var buf [maxSnapshot + 1]byte
	n, err := io.ReadFull(fh, buf[:])
	fh.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return cache.Freshness{}, fmt.Errorf("read the status snapshot: %w", err)
	}
	if n > maxSnapshot {
		return cache.Freshness{}, errors.New("status snapshot too large")
	}
	return decodeSnapshot(buf[:n])
}

func decodeSnapshot(b []byte) (cache.Freshness, error) {
	var s snapshot
	if err := unmarshalSnapshot(b, &s); err != nil {
		return cache.Freshness{}, fmt.Errorf("status snapshot: %w", err)
	}
	if s.Version != snapshotVersion {
		return cache.Freshness{}, fmt.Errorf("status snapshot version %d, want %d", s.Version, snapshotVersion)
	}
	var f cache.Freshness
	var err1, err2 error
	f.Latest, err1 = s.Latest.reading()
	f.Previous, err2 = s.Previous.reading()
	if err := errors.Join(err1, err2); err != nil {
		return cache.Freshness{}, fmt.Errorf("status snapshot: %w", err)
	}
	if f.Latest.Time.IsZero() && !f.Previous.Time.IsZero() {
		return cache.Freshness{}, errors.New("status snapshot: a previous reading without a latest")
	}
	f.Sync = cache.SyncStatus{
		LastAttempt: s.Sync.LastAttempt.UTC(), LastSuccess: s.Sync.LastSuccess.UTC(),
		LastError: s.Sync.LastError, NextPoll: s.Sync.NextPoll.UTC(),
		ClockOffset: time.Duration(s.Sync.ClockOffset),
	}
	return f, nil
}
