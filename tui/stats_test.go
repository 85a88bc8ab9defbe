package tui

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// statsCmd must show, for each period, what stats.Compute gives for that
// period's readings, from the real cache and from the test store alike.
func TestStatsCmdSummarisesEachPeriod(t *testing.T) {
	ctx := context.Background()
	rs := generate(testNow.Add(-95*24*time.Hour), testNow.Add(time.Hour),
		gap{testNow.Add(-30 * 24 * time.Hour), testNow.Add(-20 * 24 * time.Hour)})
	for i := range rs {
		switch i % 61 {
		case 1:
			rs[i].Status = client.StatusHigh
		case 2:
			rs[i].Status = client.StatusLow
		case 3:
			rs[i].Status = client.StatusUnknown
		}
	}
	db, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	now := testNow.Add(1234 * time.Millisecond)
	for name, store := range map[string]Store{"cache": db, "memStore": &memStore{readings: rs}} {
		t.Run(name, func(t *testing.T) {
			m := New(Options{Store: store, Clock: fixedClock{now}})
			msg := m.statsCmd()().(statsMsg)
			if msg.err != nil {
				t.Fatal(msg.err)
			}
			for i, p := range statsPeriods {
				want := stats.Compute(rs, now.Add(-p.d), now)
				got := msg.summaries[i]
				if got.Count == 0 || got.Count != want.Count || got.Expected != want.Expected || !got.From.Equal(want.From) || !got.To.Equal(want.To) {
					t.Fatalf("%s: Count %d of %d from %v; want %d of %d from %v", p.name, got.Count, got.Expected, got.From, want.Count, want.Expected, want.From)
				}
				for _, f := range [][2]float64{{got.Mean, want.Mean}, {got.SD, want.SD}, {got.CV, want.CV}, {got.GMI, want.GMI}, {got.Bands[stats.InRange], want.Bands[stats.InRange]}} {
					if math.Abs(f[0]-f[1]) > 1e-9 {
						t.Errorf("%s: %+v, want %+v", p.name, got, want)
						break
					}
				}
			}
		})
	}
}
