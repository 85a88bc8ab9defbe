package statusline

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/lockfile"
)

// Timing of the background sync that status starts.
const (
	// ReadingEvery is the sensor's cadence: a newer reading cannot exist
	// sooner than this after the newest one.
	ReadingEvery = 5 * time.Minute
	// SyncMargin is added to ReadingEvery before the cache counts as behind,
	// so a status call a second after a reading's due time does not race
	// the upload.
	SyncMargin = 15 * time.Second
	// SpawnGrace is how long a spawn marker stands: the child has this long
	// to take the sync lock and record its attempt before anyone else may
	// start another.
	SpawnGrace = time.Minute
	// FailureRetry is the least time between background syncs while sync
	// fails, whatever NextPoll says, so a broken setup costs one process a
	// minute, not one per status call.
	FailureRetry = time.Minute
	// AttemptFloor is the least time between any two sync attempts.
	AttemptFloor = 30 * time.Second
	// maxPollTrust bounds how far ahead a recorded NextPoll is believed, so a
	// clock that jumped cannot stop syncing for good.
	maxPollTrust = time.Hour
)

// SpawnState is everything the spawn decision looks at.
type SpawnState struct {
	Now         time.Time
	LoggedIn    bool
	Latest      time.Time // newest reading; zero when none
	Sync        cache.SyncStatus
	SyncRunning bool      // someone holds the sync engine's lock
	SpawnedAt   time.Time // from the spawn marker; zero when none
}

// Decide is the rule for starting a background sync: only when a newer
// reading can exist, nobody is syncing, nobody just started a sync, and the
// sync engine's own schedule (NextPoll, which knows the upload lag and its
// backoff) says it is time. The second result names the rule that decided.
func Decide(s SpawnState) (bool, string) {
	since := func(t time.Time) time.Duration { return s.Now.Sub(t) }
	switch {
	case !s.LoggedIn:
		return false, "logged out"
	case s.SyncRunning:
		return false, "sync running"
	case !s.Latest.IsZero() && since(s.Latest) <= ReadingEvery+SyncMargin && since(s.Latest) >= -ReadingEvery:
		// A reading far "in the future" says this computer's clock went
		// back: only a sync can measure by how much, so it is not fresh.
		return false, "fresh"
	case !s.SpawnedAt.IsZero() && since(s.SpawnedAt) > -SpawnGrace && since(s.SpawnedAt) < SpawnGrace:
		return false, "just spawned"
	case !s.Sync.NextPoll.IsZero() && s.Now.Before(s.Sync.NextPoll) && s.Sync.NextPoll.Sub(s.Now) <= maxPollTrust:
		return false, "not due"
	case !s.Sync.LastAttempt.IsZero() && since(s.Sync.LastAttempt) >= 0 && since(s.Sync.LastAttempt) < AttemptFloor:
		return false, "just synced"
	case s.Sync.LastError != "" && since(s.Sync.LastAttempt) >= 0 && since(s.Sync.LastAttempt) < FailureRetry:
		return false, "backing off"
	}
	return true, "due"
}

// spawnMarkerPath records when status last started a background sync.
func spawnMarkerPath(p config.Paths, account string) string {
	return filepath.Join(p.AccountStateDir(account), "sync-spawned")
}

// MaybeSpawn starts a background sync through spawn when Decide says so,
// at most once across every process that calls it at the same time: the
// decision is re-made under an exclusive lock, against a marker file that
// the winner writes before it lets go. It never waits: a caller that finds
// the lock taken leaves the spawning to its holder. s.SpawnedAt and
// s.SyncRunning are filled in here.
func MaybeSpawn(p config.Paths, account string, s SpawnState, spawn func() error) (bool, error) {
	// Cheap first: most calls end here without touching a file.
	if ok, _ := Decide(s); !ok {
		return false, nil
	}
	marker := spawnMarkerPath(p, account)
	s.SpawnedAt = readMarker(marker)
	if ok, _ := Decide(s); !ok {
		return false, nil
	}
	if err := config.EnsureDir(p.AccountStateDir(account)); err != nil {
		return false, err
	}
	lock := flock.New(p.Lock(account, "spawn"))
	locked, err := lock.TryLock()
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", lock.Path(), err)
	}
	if !locked {
		return false, nil // another status call is deciding right now
	}
	defer lock.Unlock()

	s.SpawnedAt = readMarker(marker)
	if s.SyncRunning, err = lockfile.Held(p.Lock(account, "sync")); err != nil {
		return false, err
	}
	if ok, _ := Decide(s); !ok {
		return false, nil
	}
	// The marker goes down before the child starts: if spawning fails, the
	// next try waits out SpawnGrace instead of failing on every call.
	if err := writeMarker(marker, s.Now); err != nil {
		return false, err
	}
	if err := spawn(); err != nil {
		return false, fmt.Errorf("start a background sync: %w", err)
	}
	return true, nil
}

func readMarker(path string) time.Time {
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// writeMarker is only called under the spawn lock, so a plain write is
// enough: a reader outside the lock that sees it half-written reads zero and
// then re-reads it under the lock.
func writeMarker(path string, t time.Time) error {
	err := os.WriteFile(path, []byte(strconv.FormatInt(t.UnixNano(), 10)+"\n"), 0o600)
	if err != nil {
		return fmt.Errorf("record the background sync: %w", err)
	}
	return nil
}

// BackgroundSync returns the default spawn: this same executable running
// `sync --background --account NAME`, detached from the caller's session
// and terminal (so tmux closing a pane does not kill it), with stdin, stdout
// and stderr on the null device, and never waited for.
func BackgroundSync(account string) func() error {
	return func() error {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find cgmtop's own executable: %w", err)
		}
		return startDetached(exe, "sync", "--background", "--account", account)
	}
}
