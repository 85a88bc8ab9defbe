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
}

// Freshness is the newest reading, the one before it, and the sync status:
// everything the status line needs, from one cheap query. Readings with a
// zero Time are absent.
type Freshness struct {
	Latest   client.Reading
	Previous client.Reading
	Sync     SyncStatus
}
