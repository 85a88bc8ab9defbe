package cache

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// ninetyDays is a full 90-day history at one reading every five minutes.
const ninetyDays = 90 * 24 * 12

// openNinetyDays opens a fresh cache holding a full 90-day history.
func openNinetyDays(b *testing.B) *DB {
	b.Helper()
	db := openTemp(b)
	if _, err := db.PutReadings(context.Background(), sampleReadings(ninetyDays, at(0))); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkPutReadings90Days ingests a full 90-day history into an empty
// cache in one call, as the first sync after login does.
func BenchmarkPutReadings90Days(b *testing.B) {
	ctx := context.Background()
	rs := sampleReadings(ninetyDays, at(0))
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, "cache.db")
		Remove(path)
		db, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if added, err := db.PutReadings(ctx, rs); err != nil || added != ninetyDays {
			b.Fatalf("added %d, %v", added, err)
		}
		b.StopTimer()
		db.Close()
	}
	b.ReportMetric(float64(ninetyDays)*float64(b.N)/b.Elapsed().Seconds(), "readings/s")
}

// BenchmarkPutReadingsResync puts the same 90 days again: every reading is
// already there, as when a sync re-fetches an overlapping window.
func BenchmarkPutReadingsResync(b *testing.B) {
	ctx := context.Background()
	rs := sampleReadings(ninetyDays, at(0))
	db := openTemp(b)
	if _, err := db.PutReadings(ctx, rs); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if added, err := db.PutReadings(ctx, rs); err != nil || added != 0 {
			b.Fatalf("added %d, %v", added, err)
		}
	}
}

// BenchmarkReadings90Days loads a full 90-day history, as the monitor does
// for its longest chart and statistics.
func BenchmarkReadings90Days(b *testing.B) {
	ctx := context.Background()
	db := openNinetyDays(b)
	from, to := at(-ninetyDays), at(1)
	b.ReportAllocs()
	for b.Loop() {
		rs, err := db.Readings(ctx, from, to)
		if err != nil || len(rs) != ninetyDays {
			b.Fatalf("%d readings, %v", len(rs), err)
		}
	}
}

// BenchmarkOpenFreshnessClose is the whole cache side of `cgmtop status`:
// open, read the newest two readings and the sync status, close, on a cache
// holding 90 days. "reader" is OpenReader, the path status should use;
// "writer" is Open, with its integrity check, for comparison.
func BenchmarkOpenFreshnessClose(b *testing.B) {
	ctx := context.Background()
	db := openNinetyDays(b)
	path := db.Path()
	if err := db.PutSyncStatus(ctx, SyncStatus{LastAttempt: time.Now(), LastSuccess: time.Now()}); err != nil {
		b.Fatal(err)
	}
	db.Close()

	for name, open := range map[string]func(context.Context, string) (*DB, error){"reader": OpenReader, "writer": Open} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				db, err := open(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				f, err := db.Freshness(ctx)
				if err != nil || f.Latest.Time.IsZero() {
					b.Fatalf("%+v, %v", f, err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
