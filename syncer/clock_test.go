package syncer

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/internal/testio"
)

// TestWrongClock is issue 11's clock acceptance at the engine: with this
// computer's clock an hour behind the server's, or two hours ahead, readings
// keep arriving as fast as with a right clock, the offset is measured from
// the server's Date header and recorded for the views, and the log says
// the clock is off. 30 minutes at 60× (the first reading's delay is the
// lag being learned from scratch); the delays are emulated time.
func TestWrongClock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 30 emulated minutes per case")
	}
	for _, offset := range []time.Duration{time.Hour, -2 * time.Hour, 0} {
		t.Run(offset.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			const speed, span = 60, 30 * time.Minute
			// The server's clock runs offset ahead of this computer's.
			local := clock.NewScaled(testStart, speed)
			server := clock.NewScaled(testStart.Add(offset), speed)
			r := newRig(t, emulator.Config{Seed: 5, Clock: server, AutoApprove: true, UploadLag: lag,
				AccessTTL: 24 * time.Hour, History: 48 * time.Hour})
			var logBuf testio.Buffer
			log := slog.New(slog.NewTextHandler(&logBuf, nil))
			e := New(r.src, r.db, Options{Clock: local, LockPath: r.lock, Log: log})
			first, err := e.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if first.Newest.IsZero() || server.Now().Sub(first.Newest) > lag+Cadence+time.Minute {
				t.Fatalf("first run: newest reading %v, server time %v: the readings \"from the future\" were missed",
					first.Newest, server.Now())
			}
			var (
				seen      = first.Newest
				delays    []time.Duration
				runCtx, c = context.WithCancel(ctx)
				end       = local.Now().Add(span)
			)
			err = e.Run(runCtx, func(res Result) {
				rs, err := r.db.Readings(ctx, seen.Add(time.Second), server.Now().Add(time.Hour))
				if err != nil {
					t.Error(err)
				}
				for _, rd := range rs {
					delays = append(delays, server.Now().Sub(rd.Time.Add(lag)))
					seen = rd.Time
				}
				if !local.Now().Before(end) {
					c()
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			st, err := r.db.SyncStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var sum time.Duration
			for _, d := range delays {
				sum += d
			}
			mean := sum / time.Duration(max(len(delays), 1))
			t.Logf("clock %v: %d new readings in %v, mean delay %.1fs (emulated; %v); measured offset %v",
				offset, len(delays), span, mean.Seconds(), delays, st.ClockOffset)
			if len(delays) < 4 {
				t.Errorf("%d new readings in %v, want about 6", len(delays), span)
			}
			// An answer's latency reads as offset: 250 ms of a loaded
			// machine is 15 s at 60×, and the engine ignores changes
			// under clockLatency scaled (30 s here).
			if d := st.ClockOffset - offset; d.Abs() > 30*time.Second {
				t.Errorf("recorded clock offset %v, want about %v", st.ClockOffset, offset)
			}
			logged := logBuf.String()
			if warned := strings.Contains(logged, "clock is off"); warned != (offset != 0) {
				t.Errorf("offset %v: logged a clock warning: %v; log:\n%s", offset, warned, logged)
			}
			want, err := r.src.Source.Readings(ctx, first.Newest, server.Now().Add(-lag))
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.db.Readings(ctx, first.Newest, server.Now().Add(-lag))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < len(want)-1 { // the newest may have come out after the last pass
				t.Errorf("the cache holds %d of the %d readings served since the first run", len(got), len(want))
			}
		})
	}
}
