package cache

import (
	"context"
	"testing"
	"time"
)

// TestDataVersionSeesEveryWriter is what lets a view follow the cache
// whoever writes it: the number moves after a commit by this DB's own
// writer and after one by another process's (another Open of the file),
// and stays put when nothing was committed.
func TestDataVersionSeesEveryWriter(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	other, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	reader, err := OpenReader(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	end := base
	for _, watcher := range []*DB{db, reader} {
		v0, err := watcher.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := watcher.DataVersion(ctx); v != v0 {
			t.Fatalf("version moved from %d to %d with no write", v0, v)
		}
		for _, w := range []struct {
			name string
			db   *DB
		}{{"this DB's writer", db}, {"another process's writer", other}} {
			end = end.Add(time.Hour)
			if _, err := w.db.PutReadings(ctx, sampleReadings(3, end)); err != nil {
				t.Fatal(err)
			}
			v, err := watcher.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v == v0 {
				t.Errorf("a commit by %s left the version at %d", w.name, v)
			}
			v0 = v
		}
	}
}

// BenchmarkDataVersion is the cost of one look at the cache for changes,
// which a monitor makes every two seconds.
func BenchmarkDataVersion(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	for b.Loop() {
		if _, err := db.DataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
