package syncer

import (
	"context"
	"time"

	"github.com/cgmtop/cgmtop/cache"
)

// SeedLag replaces what the account's cache has learned of the upload lag
// with a first guess est (proven at most ceil), for when the source
// changes: a real-time source (Share, Nightscout) delivers in seconds, and
// a lag learned from the official API (an hour) or from a first sync
// (the newest reading's age, minutes) would have the engine poll far too
// late until it learned again, one reading at a time.
func SeedLag(ctx context.Context, db *cache.DB, est, ceil time.Duration) error {
	for key, d := range map[string]time.Duration{metaLag: est, metaLagFloor: 0, metaLagCeil: max(ceil, est)} {
		if err := db.SetMeta(ctx, key, d.String()); err != nil {
			return cacheErr("save the sync state", err)
		}
	}
	return nil
}

// RefetchHistory makes the next pass fetch the whole history again, as a
// first run does, for when a source that holds it (the official API) joins
// an account that had only the last day (Share). Upserts make the readings
// already cached free.
func RefetchHistory(ctx context.Context, db *cache.DB) error {
	if err := db.SetMeta(ctx, metaBackfill, ""); err != nil {
		return cacheErr("save the sync state", err)
	}
	return nil
}
