package cache

import (
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// SyncStatus is what the sync engine last did, in words a user can read.
type SyncStatus struct {
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string // plain words, never a token or a glucose value; "" after a success
	NextPoll    time.Time
	// ClockOffset is the source's clock minus this computer's, as the
	// syncing process last measured it (zero when unknown). Readings carry
	// the source's times: a view adds it to its own clock before it says
	// how old a reading is. Times above are this computer's.
	ClockOffset time.Duration
}

// Freshness is the newest reading, the one before it, and the sync status:
// everything the status line needs, from one cheap query. Readings with a
// zero Time are absent.
type Freshness struct {
	Latest   client.Reading
	Previous client.Reading
	Sync     SyncStatus
}
