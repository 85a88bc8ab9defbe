package share_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
)

// memStore is a Store in memory, counting saves.
type memStore struct {
	mu    sync.Mutex
	l     share.Login
	saves int
}

func (m *memStore) Load(context.Context) (share.Login, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.l.Password == "" {
		return share.Login{}, client.ErrUnauthorized
	}
	return m.l, nil
}

func (m *memStore) Save(_ context.Context, l share.Login) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.l, m.saves = l, m.saves+1
	return nil
}

type rig struct {
	emu   *emulator.Server
	url   string
	clk   *clock.Manual
	gate  gate.Gate
	store *memStore
	dir   string
}

func newRig(t *testing.T, sc emulator.ShareConfig) *rig {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	emu := emulator.New(emulator.Config{Seed: 3, Clock: clk, Share: sc})
	ts := httptest.NewServer(emu)
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	return &rig{emu: emu, url: ts.URL, clk: clk, gate: gate.Gate{Path: filepath.Join(dir, "gate.json")}, store: &memStore{}, dir: dir}
}

func (r *rig) client() *share.Client {
	return share.New(r.store, share.Options{Clock: r.clk, Gate: r.gate, LockPath: filepath.Join(r.dir, "share.lock")})
}

func (r *rig) connect(t *testing.T, l share.Login) (share.Login, error) {
	t.Helper()
	l.URL = r.url
	return share.Connect(context.Background(), nil, "test", l)
}

func TestConnectAcceptsEveryNameForm(t *testing.T) {
	r := newRig(t, emulator.ShareConfig{})
	for _, l := range []share.Login{
		{Region: "us", Username: emulator.DefaultShareUser, Password: emulator.DefaultSharePassword},
		{Region: "us", Username: emulator.DefaultShareEmail, Password: emulator.DefaultSharePassword},
		{Region: "us", Username: emulator.DefaultSharePhone, Password: emulator.DefaultSharePassword},
		{Region: "us", AccountID: emulator.DefaultShareAccountID, Password: emulator.DefaultSharePassword},
	} {
		got, err := r.connect(t, l)
		if err != nil {
			t.Fatalf("%q/%q: %v", l.Username, l.AccountID, err)
		}
		if !share.ValidID(got.SessionID) || got.AccountID != emulator.DefaultShareAccountID {
			t.Fatalf("login gave account %q session %q", got.AccountID, got.SessionID)
		}
	}
	if st := r.emu.ShareStats(); st.Authenticate != 3 || st.Login != 4 {
		t.Fatalf("stats %+v: the account id login must skip step 1", st)
	}
}

func TestRefusedLoginsSayWhy(t *testing.T) {
	cases := []struct {
		name string
		sc   emulator.ShareConfig
		l    share.Login
		code string
	}{
		{"wrong password", emulator.ShareConfig{}, share.Login{Region: "us", Username: "demo", Password: "nope"}, "AccountPasswordInvalid"},
		{"unknown user", emulator.ShareConfig{}, share.Login{Region: "us", Username: "who", Password: emulator.DefaultSharePassword}, "AccountPasswordInvalid"},
		{"wrong region", emulator.ShareConfig{Region: "ous", AccountRegion: "us"}, share.Login{Region: "ous", Username: "demo", Password: emulator.DefaultSharePassword}, "AccountPasswordInvalid"},
		{"japan app id on a us host", emulator.ShareConfig{}, share.Login{Region: "jp", Username: "demo", Password: emulator.DefaultSharePassword}, "AccountPasswordInvalid"},
		{"locked", emulator.ShareConfig{LockoutAfter: 1}, share.Login{Region: "us", Username: "demo", Password: "nope"}, "SSO_AuthenticateMaxAttemptsExceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.sc)
			if tc.code == "SSO_AuthenticateMaxAttemptsExceeded" {
				r.connect(t, tc.l) //nolint:errcheck // the first refusal locks
				tc.l.Password = emulator.DefaultSharePassword
			}
			_, err := r.connect(t, tc.l)
			var le *client.LoginError
			if !errors.As(err, &le) || le.Code != tc.code || !errors.Is(err, client.ErrUnauthorized) {
				t.Fatalf("err = %v, want a LoginError %s", err, tc.code)
			}
			if tc.code == "AccountPasswordInvalid" && !strings.Contains(le.Msg, "wrong region") {
				t.Fatalf("message %q does not mention the region", le.Msg)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestReadingsAndLenientDecoding(t *testing.T) {
	for _, sc := range []emulator.ShareConfig{{}, {IntTrend: true, OldDates: true, JSONSub: true}} {
		r := newRig(t, sc)
		l, err := r.connect(t, share.Login{Region: "us", Username: "demo", Password: emulator.DefaultSharePassword})
		if err != nil {
			t.Fatal(err)
		}
		r.store.l = l
		c := r.client()
		now := r.clk.Now()
		rs, err := c.Readings(context.Background(), now.Add(-3*time.Hour), now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) < 30 || len(rs) > 37 {
			t.Fatalf("%d readings in 3 hours", len(rs))
		}
		for i, rd := range rs {
			if rd.Source != share.Kind || rd.Arrived.IsZero() || rd.Trend == client.TrendUnknown {
				t.Fatalf("reading %d: source %q arrived %v trend %v", i, rd.Source, rd.Arrived, rd.Trend)
			}
			if i > 0 && !rs[i-1].Time.Before(rd.Time) {
				t.Fatalf("readings not oldest first")
			}
			if _, off := rd.DisplayTime.Zone(); off == 0 {
				t.Fatalf("display time lost the phone's offset")
			}
		}
	}
}

func TestExpiredSessionLogsInOnceAcrossClients(t *testing.T) {
	r := newRig(t, emulator.ShareConfig{SessionTTL: 10 * time.Minute})
	l, err := r.connect(t, share.Login{Region: "us", Username: "demo", Password: emulator.DefaultSharePassword})
	if err != nil {
		t.Fatal(err)
	}
	r.store.l = l
	a, b := r.client(), r.client() // two processes of one account
	ctx := context.Background()
	for round := 0; round < 6; round++ {
		for _, c := range []*share.Client{a, b} {
			now := r.clk.Now()
			if _, err := c.Readings(ctx, now.Add(-15*time.Minute), now.Add(time.Minute)); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		r.clk.Advance(10 * time.Minute)
	}
	st := r.emu.ShareStats()
	// One login at the start, then one per expiry (5), shared by both.
	if st.Login != 6 || st.Authenticate != 1 {
		t.Fatalf("stats %+v: want 6 session logins and 1 account lookup", st)
	}
}

func TestRefusedReloginClosesTheGate(t *testing.T) {
	r := newRig(t, emulator.ShareConfig{SessionTTL: time.Minute})
	l, err := r.connect(t, share.Login{Region: "us", Username: "demo", Password: emulator.DefaultSharePassword})
	if err != nil {
		t.Fatal(err)
	}
	l.Password = "changed-in-the-dexcom-app"
	r.store.l = l
	c := r.client()
	ctx := context.Background()
	r.clk.Advance(2 * time.Minute)
	before := r.emu.ShareStats().CredentialAttempts()
	for i := 0; i < 20; i++ {
		now := r.clk.Now()
		_, err := c.Readings(ctx, now.Add(-15*time.Minute), now)
		var le *client.LoginError
		if !errors.As(err, &le) {
			t.Fatalf("call %d: err = %v, want a LoginError", i, err)
		}
		// A second client (another process) must stay silent too.
		_, err = r.client().Readings(ctx, now.Add(-15*time.Minute), now)
		if !errors.As(err, &le) {
			t.Fatalf("call %d, other process: err = %v", i, err)
		}
	}
	if got := r.emu.ShareStats().CredentialAttempts() - before; got != 1 {
		t.Fatalf("%d credential attempts after the password changed, want exactly 1", got)
	}
	if r.gate.Check() == nil {
		t.Fatal("gate still open")
	}
}

// TestSessionRenewedBeforeItExpires: with sessions that live 10 minutes
// (the emulator's TTL knob) and a client told so, two processes of one
// account reading every 20 s for an hour never send an expired session:
// the session is renewed in its last 25 s, once per renewal across both.
func TestSessionRenewedBeforeItExpires(t *testing.T) {
	const ttl = 10 * time.Minute
	r := newRig(t, emulator.ShareConfig{SessionTTL: ttl})
	l, err := r.connect(t, share.Login{Region: "us", Username: "demo", Password: emulator.DefaultSharePassword})
	if err != nil {
		t.Fatal(err)
	}
	l.Updated = r.clk.Now() // Connect stamps the wall clock; this test runs on the emulator's
	r.store.l = l
	renewing := func() *share.Client {
		return share.New(r.store, share.Options{Clock: r.clk, Gate: r.gate, LockPath: filepath.Join(r.dir, "share.lock"), SessionLife: ttl})
	}
	a, b := renewing(), renewing()
	ctx := context.Background()
	for elapsed := time.Duration(0); elapsed <= time.Hour; elapsed += 20 * time.Second {
		for _, c := range []*share.Client{a, b} {
			now := r.clk.Now()
			if _, err := c.Readings(ctx, now.Add(-15*time.Minute), now.Add(time.Minute)); err != nil {
				t.Fatalf("after %v: %v", elapsed, err)
			}
		}
		r.clk.Advance(20 * time.Second)
	}
	st := r.emu.ShareStats()
	// Renewed at 9:40 of each session's 10 minutes: 6 times in the hour,
	// plus the first login.
	if st.ExpiredReads != 0 || st.Login != 7 || st.Authenticate != 1 || st.Refused != 0 {
		t.Fatalf("stats %+v: want no expired read, 7 session logins, 1 account lookup", st)
	}
}

// TestFailedRenewalKeepsTheSession: a renewal that fails for a reason other
// than the credentials (Share's login answering 500) leaves the old session
// in use, and is tried again only after a while, not before every read.
func TestFailedRenewalKeepsTheSession(t *testing.T) {
	const life = 24 * time.Hour
	r := newRig(t, emulator.ShareConfig{})
	l, err := r.connect(t, share.Login{Region: "us", Username: "demo", Password: emulator.DefaultSharePassword})
	if err != nil {
		t.Fatal(err)
	}
	r.store.l = l
	// The session looks 23.5 h old to the client, but Share keeps it.
	r.store.l.Updated = r.clk.Now().Add(-23*time.Hour - 30*time.Minute)
	before, tries := r.emu.ShareStats(), r.emu.Stats()["shareLogin"]
	// The login endpoint fails; reads still work with the old session.
	r.emu.Inject(emulator.Fault{Endpoint: "shareLogin", Kind: emulator.ServerError, Count: -1})
	c := share.New(r.store, share.Options{Clock: r.clk, Gate: r.gate, LockPath: filepath.Join(r.dir, "share.lock"), SessionLife: life})
	ctx := context.Background()
	for i := 0; i < 12; i++ { // an hour of polls
		now := r.clk.Now()
		if _, err := c.Readings(ctx, now.Add(-15*time.Minute), now.Add(time.Minute)); err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		r.clk.Advance(5 * time.Minute)
	}
	st := r.emu.ShareStats()
	if tries := r.emu.Stats()["shareLogin"] - tries; tries != 2 || st.Reads-before.Reads != 12 || st.ExpiredReads != 0 || r.gate.Check() != nil {
		t.Fatalf("%d renewal tries, stats %+v: want 2 tries (one per 30 min) and 12 good reads, gate open", tries, st)
	}
}
