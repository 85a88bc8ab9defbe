package syncer

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/nightscout"
	nsemu "github.com/cgmtop/cgmtop/client/nightscout/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// TestNightscoutFreshness runs the engine on a Nightscout site (the
// emulator, uploads 20 s after the sensor) on a scaled clock and prints
// issue 13's figures: delay from available to cached, and requests per
// reading after a warm-up. Real-speed figures come from a script (see the
// report); here the clock runs CGMTOP_NS_SCALE (120) times faster for
// CGMTOP_NS_HOURS (2) emulated hours. It fails only on what is not timing:
// a reading missed or stored twice.
func TestNightscoutFreshness(t *testing.T) {
	if testing.Short() {
		t.Skip("runs emulated hours")
	}
	t.Parallel() // emulated hours that mostly sleep
	hours, scale := 2.0, 120.0
	if v, err := strconv.ParseFloat(os.Getenv("CGMTOP_NS_HOURS"), 64); err == nil && v > 0 {
		hours = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("CGMTOP_NS_SCALE"), 64); err == nil && v > 0 {
		scale = v
	}
	ctx := context.Background()
	const lag, warm = 20 * time.Second, 30 * time.Minute
	span := time.Duration(hours * float64(time.Hour))
	clk := clock.NewScaled(testStart, scale)
	s, err := nsemu.Start(nsemu.Config{Seed: 13, Clock: clk, UploadLag: lag, History: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, dir := tempCache(t)
	src := nightscout.New(s.URL(), nsemu.DefaultReadToken)
	e := New(src, db, Options{Clock: clk, LockPath: filepath.Join(dir, "sync.lock")})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := SeedLag(ctx, db, 30*time.Second, 2*time.Minute); err != nil { // as `cgmtop login nightscout` does
		t.Fatal(err)
	}
	var warmReq int
	m := runFresh(ctx, e, db, clk, span, warm,
		func(r client.Reading) time.Time { return r.Time.Add(lag) },
		func() { warmReq = src.Counts().Requests })

	c := src.Counts()
	steadyReq, steadyN := c.Requests-warmReq, m.n-m.warmN
	begin := m.begin
	all, _ := db.Readings(ctx, begin, clk.Now().Add(time.Hour))
	dups := storedTwice(all)
	want := int(clk.Now().Sub(begin)/(5*time.Minute)) - 1
	t.Logf("Nightscout, %s at %gx: %d new readings, mean delay %s (worst %s) from uploaded to cached; "+
		"%.2f requests per reading after %s warm-up (%d/%d, %d answered 304)",
		span, scale, m.n, m.mean(), m.worst.Round(100*time.Millisecond),
		float64(steadyReq)/float64(max(steadyN, 1)), warm, steadyReq, steadyN, c.NotModified)
	if dups != 0 {
		t.Errorf("%d readings stored twice", dups)
	}
	if len(all) < want {
		t.Errorf("%d readings cached over %s, want at least %d", len(all), clk.Now().Sub(begin).Round(time.Minute), want)
	}
}
