package syncer

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

// testStart is where the tests' clocks begin.
var testStart = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// tokens implements dexcom.Tokens with the emulator's real OAuth flow:
// an auto-approved login, then refresh-token grants.
type tokens struct {
	oc *oauth2.Config

	mu  sync.Mutex
	tok *oauth2.Token
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func login(t testing.TB, s *emulator.Server) *tokens {
	t.Helper()
	cfg := s.Config()
	oc := dexcom.OAuthConfig(s.URL(), cfg.ClientID, cfg.ClientSecret, cfg.RedirectURI)
	resp, err := noRedirect.Get(oc.AuthCodeURL("st4te"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("login answered %d %q: %v", resp.StatusCode, resp.Header.Get("Location"), err)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, noRedirect)
	tok, err := oc.Exchange(ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return &tokens{oc: oc, tok: tok}
}

func (k *tokens) Token(context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tok.AccessToken, nil
}

func (k *tokens) Refresh(ctx context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, noRedirect)
	tok, err := k.oc.TokenSource(ctx, &oauth2.Token{RefreshToken: k.tok.RefreshToken}).Token()
	if err != nil {
		return "", client.ErrUnauthorized
	}
	k.tok = tok
	return tok.AccessToken, nil
}

// tempCache opens a fresh cache in a temporary folder, and returns the
// folder for the test's other files (locks, gates).
func tempCache(t testing.TB) (*cache.DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := cache.Open(context.Background(), filepath.Join(dir, "data", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dir
}

// rig is an emulator, a real client logged in to it and a real cache file.
type rig struct {
	s    *emulator.Server
	src  *recorder
	db   *cache.DB
	dir  string
	lock string
}

func newRig(t testing.TB, cfg emulator.Config, opts ...dexcom.Option) *rig {
	t.Helper()
	s, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	db, dir := tempCache(t)
	c := dexcom.New(s.URL(), login(t, s), opts...)
	return &rig{s: s, src: &recorder{Source: c}, db: db, dir: dir, lock: filepath.Join(dir, "state", "sync.lock")}
}

// recorder is a Source that remembers the ranges asked for, so tests can
// check the overlap of a delta fetch.
type recorder struct {
	client.Source

	mu     sync.Mutex
	ranges [][2]time.Time // readings ranges, in order
}

func (r *recorder) Readings(ctx context.Context, start, end time.Time) ([]client.Reading, error) {
	r.mu.Lock()
	r.ranges = append(r.ranges, [2]time.Time{start, end})
	r.mu.Unlock()
	return r.Source.Readings(ctx, start, end)
}

// ServerTime passes the client's clock reading through, as any wrapper of
// a Source should: the engine checks the computer's clock with it.
func (r *recorder) ServerTime() (time.Time, bool) {
	if sc, ok := r.Source.(client.ServerClock); ok {
		return sc.ServerTime()
	}
	return time.Time{}, false
}

func (r *recorder) lastRange() [2]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ranges[len(r.ranges)-1]
}

// requests counts requests to the data endpoints (everything but login).
func requests(stats map[string]int) int {
	n := 0
	for k, v := range stats {
		if k != "login" {
			n += v
		}
	}
	return n
}

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// freshRun is what a freshness run measured: the readings the cache
// gained, the sum and worst of their delays from available to cached, and
// how many had come by the end of the warm-up.
type freshRun struct {
	begin      time.Time
	n, warmN   int
	sum, worst time.Duration
}

// mean is the mean delay, to a tenth of a second.
func (f freshRun) mean() time.Duration {
	return (f.sum / time.Duration(max(f.n, 1))).Round(100 * time.Millisecond)
}

// runFresh runs e until span has passed on clk and measures each reading
// the cache gains: its delay from avail (when the source made it
// available) to the pass that cached it. atWarm runs once, on the first
// pass warm after the start, for the caller to take its counters.
func runFresh(ctx context.Context, e *Engine, db *cache.DB, clk clock.Clock, span, warm time.Duration,
	avail func(client.Reading) time.Time, atWarm func()) freshRun {
	m := freshRun{begin: clk.Now()}
	var (
		mu              sync.Mutex
		warmed, stopped bool
		stop            = make(chan struct{})
	)
	f, _ := db.Freshness(ctx)
	seen := f.Latest.Time
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.Run(runCtx, func(Result) {
			now := clk.Now()
			rs, _ := db.Readings(ctx, seen.Add(time.Second), now.Add(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			for _, r := range rs {
				d := now.Sub(avail(r))
				m.sum, m.worst, m.n = m.sum+d, max(m.worst, d), m.n+1
				seen = r.Time
			}
			if !warmed && now.Sub(m.begin) >= warm {
				warmed, m.warmN = true, m.n
				atWarm()
			}
			if !stopped && now.Sub(m.begin) >= span {
				stopped = true
				close(stop)
			}
		})
	}()
	<-stop
	cancel()
	<-done
	return m
}

// storedTwice counts the readings closer than a minute to the one before:
// the same reading stored twice.
func storedTwice(rs []client.Reading) int {
	n := 0
	for i := 1; i < len(rs); i++ {
		if rs[i].Time.Sub(rs[i-1].Time) < time.Minute {
			n++
		}
	}
	return n
}
