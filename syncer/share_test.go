package syncer

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/hybrid"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
)

// memShare keeps a Share login in memory, as the token store would.
type memShare struct {
	mu sync.Mutex
	l  share.Login
}

func (m *memShare) Load(context.Context) (share.Login, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.l, nil
}

func (m *memShare) Save(_ context.Context, l share.Login) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.l = l
	return nil
}

// TestShareFreshness runs the engine on Share alone and on a hybrid
// account (official API an hour late + Share), on a scaled clock with
// sessions that expire every 10 minutes, and prints the figures of issue
// 13: delay from available to cached, Share requests per reading, logins
// per expiry, and readings stored twice. CGMTOP_SHARE_HOURS and
// CGMTOP_SHARE_SCALE change the run.
func TestShareFreshness(t *testing.T) {
	if testing.Short() {
		t.Skip("runs emulated hours")
	}
	hours, scale := 3.0, 120.0
	if v, err := strconv.ParseFloat(os.Getenv("CGMTOP_SHARE_HOURS"), 64); err == nil && v > 0 {
		hours = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("CGMTOP_SHARE_SCALE"), 64); err == nil && v > 0 {
		scale = v
	}
	for _, hybridAccount := range []bool{false, true} {
		name := "share"
		if hybridAccount {
			name = "hybrid"
		}
		t.Run(name, func(t *testing.T) {
			// Emulated hours that mostly sleep: beside the other long
			// runs, not after them.
			t.Parallel()
			shareRun(t, hybridAccount, time.Duration(hours*float64(time.Hour)), scale)
		})
	}
}

func shareRun(t *testing.T, hybridAccount bool, span time.Duration, scale float64) {
	ctx := context.Background()
	const lag, offset, ttl, warm = 10 * time.Second, 2 * time.Second, 10 * time.Minute, 30 * time.Minute
	clk := clock.NewScaled(testStart, scale)
	s, err := emulator.Start(emulator.Config{Seed: 13, Clock: clk, AutoApprove: true, UploadLag: time.Hour,
		Share: emulator.ShareConfig{Lag: lag, Offset: offset, SessionTTL: ttl}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, dir := tempCache(t)
	l, err := share.Connect(ctx, nil, "test", share.Login{Region: "us", URL: s.URL(), Username: "demo", Password: emulator.DefaultSharePassword})
	if err != nil {
		t.Fatal(err)
	}
	var src client.Source = share.New(&memShare{l: l}, share.Options{Clock: clk, LockPath: filepath.Join(dir, "share.lock"),
		Gate: gate.Gate{Path: filepath.Join(dir, "share-needs-login.json")}})
	if hybridAccount {
		official := dexcom.New(s.URL(), login(t, s))
		src = hybrid.New(hybrid.Part{Kind: "dexcom", Source: official},
			hybrid.Part{Kind: "share", Source: src, Window: share.Window}, clk)
	}
	e := New(src, db, Options{Clock: clk, LockPath: filepath.Join(dir, "sync.lock")})
	if _, err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// As `cgmtop login share` does after its first sync.
	if err := SeedLag(ctx, db, 30*time.Second, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	e = New(src, db, Options{Clock: clk, LockPath: filepath.Join(dir, "sync.lock")})
	var warmStats emulator.ShareStats
	officialRequests := s.Stats()["egvs"]
	m := runFresh(ctx, e, db, clk, span, warm,
		func(r client.Reading) time.Time {
			if r.Source == "share" {
				return r.Time.Add(lag - offset)
			}
			return r.Time.Add(lag)
		},
		func() { warmStats = s.ShareStats() })

	st := s.ShareStats()
	begin := m.begin
	all, _ := db.Readings(ctx, begin.Add(-25*time.Hour), clk.Now().Add(time.Hour))
	dups := storedTwice(all)
	steadyReads, steadyN := st.Reads-warmStats.Reads, m.n-m.warmN
	expiries := int(clk.Now().Sub(begin) / ttl)
	t.Logf("%s, %s at %gx: %d new readings, mean delay %s (worst %s) from available at the emulator to cached; "+
		"%.2f Share reads per reading after %s warm-up (%d/%d); %d session logins for %d expiries, %d account look-ups; "+
		"%d official egvs requests; %d readings in the last %s of cache, %d closer than a minute",
		map[bool]string{false: "Share only", true: "hybrid"}[hybridAccount], span, scale, m.n,
		m.mean(), m.worst.Round(100*time.Millisecond),
		float64(steadyReads)/float64(max(steadyN, 1)), warm, steadyReads, steadyN, st.Login-1, expiries, st.Authenticate,
		s.Stats()["egvs"]-officialRequests, len(all), clk.Now().Sub(begin.Add(-25*time.Hour)).Round(time.Hour), dups)
	if dups != 0 {
		t.Errorf("%d readings stored twice", dups)
	}
	// The emulator runs on the engine's clock: any offset is a misreading
	// (a hybrid account's hourly official Date taken for the time now).
	if ss, err := db.SyncStatus(ctx); err != nil || ss.ClockOffset != 0 {
		t.Errorf("clock offset %v (%v), want none: the emulator shares the engine's clock", ss.ClockOffset, err)
	}
	if st.Login-1 > expiries+1 {
		t.Errorf("%d logins for %d session expiries", st.Login-1, expiries)
	}
}
