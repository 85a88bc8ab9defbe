package cache

import (
	"context"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// Two sources timing one sensor reading a few seconds apart store one
// reading, with the source and arrival of the first.
func TestPutReadingsDedupesAcrossSources(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	base := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	arrived := base.Add(20 * time.Second)
	var share, official []client.Reading
	for i := range 12 {
		t0 := base.Add(time.Duration(i) * 5 * time.Minute)
		share = append(share, client.Reading{Time: t0.Add(3 * time.Second), Value: 100 + i, Status: client.StatusOK, Source: "share", Arrived: arrived})
		official = append(official, client.Reading{Time: t0, Value: 100 + i, Status: client.StatusOK, Source: "dexcom", Arrived: arrived.Add(time.Hour)})
	}
	if n, err := db.PutReadings(ctx, share[:6]); err != nil || n != 6 {
		t.Fatalf("added %d, %v", n, err)
	}
	// The official API delivers all twelve an hour later: six are new.
	if n, err := db.PutReadings(ctx, official); err != nil || n != 6 {
		t.Fatalf("added %d official readings, want 6 (the rest are Share's): %v", n, err)
	}
	// Share again (the overlap of the next poll): nothing new.
	if n, err := db.PutReadings(ctx, share); err != nil || n != 0 {
		t.Fatalf("added %d, want 0: %v", n, err)
	}
	all, err := db.Readings(ctx, base.Add(-time.Hour), base.Add(2*time.Hour))
	if err != nil || len(all) != 12 {
		t.Fatalf("%d readings stored, want 12: %v", len(all), err)
	}
	f, err := db.Freshness(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Latest.Source != "dexcom" || !f.Latest.Arrived.Equal(arrived.Add(time.Hour)) {
		t.Fatalf("newest from %q arrived %v", f.Latest.Source, f.Latest.Arrived)
	}
	// Readings without a source (single-source accounts) are never merged.
	plain := []client.Reading{{Time: base.Add(10 * time.Second), Value: 90, Status: client.StatusOK}}
	if n, err := db.PutReadings(ctx, plain); err != nil || n != 1 {
		t.Fatalf("added %d, %v", n, err)
	}
	// ... but a source's reading beside one stored without a source (before
	// the account had two) is the same reading.
	later := base.Add(2 * time.Hour)
	if _, err := db.PutReadings(ctx, []client.Reading{{Time: later, Value: 90, Status: client.StatusOK}}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PutReadings(ctx, []client.Reading{{Time: later.Add(2 * time.Second), Value: 90, Status: client.StatusOK, Source: "share"}}); err != nil || n != 0 {
		t.Fatalf("added %d beside an untagged reading, want 0: %v", n, err)
	}
}
