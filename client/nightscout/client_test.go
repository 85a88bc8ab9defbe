package nightscout_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/nightscout"
	"github.com/cgmtop/cgmtop/client/nightscout/emulator"
	"github.com/cgmtop/cgmtop/clock"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// startSite serves an emulator on loopback for the length of the test.
func startSite(t *testing.T, cfg emulator.Config) *emulator.Server {
	t.Helper()
	if cfg.AuthFailDelay == 0 {
		cfg.AuthFailDelay = 50 * time.Millisecond
	}
	s, err := emulator.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func checkReadings(t *testing.T, rs []client.Reading, start, end time.Time) {
	t.Helper()
	for i, r := range rs {
		if r.Time.Before(start) || !r.Time.Before(end) {
			t.Fatalf("reading %d at %v outside [%v, %v)", i, r.Time, start, end)
		}
		if i > 0 && !rs[i-1].Time.Before(r.Time) {
			t.Fatalf("readings %d and %d out of order or repeated: %v, %v", i-1, i, rs[i-1].Time, r.Time)
		}
		if !r.Known() || r.Trend == client.TrendUnknown {
			t.Fatalf("reading %d: %+v", i, r)
		}
	}
}

func TestReadingsBackfillPagesWithoutGapsOrRepeats(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken, nightscout.WithPageSize(50))
	start, end := t0.Add(-24*time.Hour), t0.Add(time.Minute)
	rs, err := c.Readings(ctx(t), start, end)
	if err != nil {
		t.Fatal(err)
	}
	checkReadings(t, rs, start, end)
	if len(rs) != 288 {
		t.Errorf("a day gave %d readings, want 288", len(rs))
	}
	if got := site.Stats()["entries"]; got != 6 {
		t.Errorf("288 readings in pages of 50 took %d requests, want 6", got)
	}
	if !rs[len(rs)-1].Time.Equal(site.Newest()) {
		t.Errorf("newest %v, emulator says %v", rs[len(rs)-1].Time, site.Newest())
	}
}

// Beyond Nightscout's implicit 4-day window the client still gets
// everything, because it always names the date range.
func TestReadingsOlderThanFourDays(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	start := t0.Add(-10 * 24 * time.Hour)
	rs, err := c.Readings(ctx(t), start, start.Add(24*time.Hour))
	if err != nil || len(rs) != 288 {
		t.Fatalf("a day 10 days back: %d readings, %v", len(rs), err)
	}
}

func TestTailPollsAreNotModifiedUntilANewReading(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	newest := site.Newest()
	from := newest.Add(-15 * time.Minute)
	first, err := c.Readings(ctx(t), from, clk.Now().Add(time.Minute))
	if err != nil || len(first) != 4 {
		t.Fatalf("first poll: %d readings, %v", len(first), err)
	}
	for i := range 3 {
		clk.Advance(time.Minute)
		again, err := c.Readings(ctx(t), from, clk.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(first) || !again[len(again)-1].Time.Equal(newest) {
			t.Fatalf("poll %d answered from the memo with %d readings, want the same %d", i, len(again), len(first))
		}
	}
	if got := site.Stats()["notModified"]; got != 3 {
		t.Errorf("3 polls with nothing new: %d answered 304, want 3", got)
	}
	clk.Advance(5 * time.Minute)
	next, err := c.Readings(ctx(t), from, clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !next[len(next)-1].Time.After(newest) || !next[len(next)-1].Time.Equal(site.Newest()) {
		t.Errorf("after a new reading the poll's newest is %v, want %v", next[len(next)-1].Time, site.Newest())
	}
	if got := c.Counts(); got.Requests != 5 || got.NotModified != 3 {
		t.Errorf("counts %+v, want 5 requests, 3 not modified", got)
	}
}

// A reading posted in the same second as the newest known one, but later
// in it, must still be seen: If-Modified-Since has whole seconds.
func TestTailPollRoundsFractionalDatesUp(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk, FractionalDates: true})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	from := site.Newest().Add(-10 * time.Minute)
	if _, err := c.Readings(ctx(t), from, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Readings(ctx(t), from, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := site.Stats()["notModified"]; got != 1 {
		t.Errorf("a poll with nothing new over fractional dates got %d 304s, want 1", got)
	}
}

func TestQuirkyEntriesDecode(t *testing.T) {
	for name, cfg := range map[string]emulator.Config{
		"fractional dates": {FractionalDates: true},
		"colon-less":       {ColonlessOffset: true},
		"no dateString":    {NoDateString: true},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Clock = clock.NewManual(t0)
			site := startSite(t, cfg)
			c := nightscout.New(site.URL(), emulator.DefaultReadToken)
			rs, err := c.Readings(ctx(t), t0.Add(-time.Hour), t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			checkReadings(t, rs, t0.Add(-time.Hour), t0.Add(time.Minute))
			if len(rs) != 12 {
				t.Errorf("an hour gave %d readings", len(rs))
			}
		})
	}
}

// Nightscout answers TSV unless JSON is asked for; the client always asks.
func TestEntriesAreJSONOnlyWhenAskedFor(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0)})
	resp, err := http.Get(site.URL() + "/api/v1/entries?count=2&token=" + emulator.DefaultReadToken)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(string(body), "\t") {
		t.Fatalf("bare entries: %s %q, want TSV", ct, body)
	}
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	if _, err := c.Readings(ctx(t), t0.Add(-time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if got := site.Stats()["text"]; got != 1 {
		t.Errorf("%d text answers; the client's request must not be one", got)
	}
}

func TestAuthErrorsSayWhatWasWrong(t *testing.T) {
	site := startSite(t, emulator.Config{
		Clock:    clock.NewManual(t0),
		Subjects: []emulator.Subject{{Name: "cgmtop-reader", Roles: []string{"readable"}}, {Name: "watch", Roles: []string{"status-only"}}},
	})
	secret := site.Config().APISecret
	sha1 := "3c4f7e012a6afeca235c6fdfd6264952a840e9f9"
	tests := []struct {
		name, token string
		reason      nightscout.AuthReason
		says        string
	}{
		{"no token", "", nightscout.NeedsToken, "needs an access token"},
		{"unknown token", "cgmtop-0123456789abcdef", nightscout.TokenRefused, "does not know this token"},
		{"API secret", secret, nightscout.NotAToken, "if it is the API_SECRET"},
		{"hashed API secret", sha1, nightscout.SecretHash, "hashed API secret"},
		{"status-only token", site.Token("watch"), nightscout.NoPermission, "readable role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nightscout.New(site.URL(), tt.token)
			_, err := c.Readings(ctx(t), t0.Add(-time.Hour), t0)
			var ae *nightscout.AuthError
			if !errors.As(err, &ae) || ae.Reason != tt.reason {
				t.Fatalf("got %v, want reason %d", err, tt.reason)
			}
			var le *client.LoginError
			if !errors.Is(err, client.ErrUnauthorized) || !errors.As(err, &le) || le.Msg != err.Error() {
				t.Error("an auth error must be a client.LoginError and wrap client.ErrUnauthorized, so the syncer stops")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.says) || strings.Contains(msg, "\n") || (tt.token != "" && strings.Contains(msg, tt.token)) {
				t.Errorf("message %q should say %q on one line, without the token", msg, tt.says)
			}
			// Once refused, the client sends nothing more.
			before := c.Counts().Requests
			for range 3 {
				if _, err := c.Devices(ctx(t)); !errors.As(err, &ae) {
					t.Fatalf("after a refusal: %v", err)
				}
			}
			if after := c.Counts().Requests; after != before {
				t.Errorf("a refused client sent %d more requests", after-before)
			}
		})
	}
	// A wrong ?token= is not a failed login to Nightscout: no penalty.
	if p := site.Penalty("127.0.0.1"); p != 0 {
		t.Errorf("tokens sent as ?token= earned a %v penalty", p)
	}
}

func TestCheckTokenRefusesSecretsBeforeSending(t *testing.T) {
	for token, ok := range map[string]bool{
		"":                        true,
		"cgmtop-0123456789abcdef": true,
		"0123456789abcdef":        true,
		"3c4f7e012a6afeca235c6fdfd6264952a840e9f9": false,
		"eyJhbGciOiJIUzI1NiJ9.e30.x":               false,
		"my secret phrase":                         false,
	} {
		if err := nightscout.CheckToken(token); (err == nil) != ok {
			t.Errorf("CheckToken(%q) = %v", token, err)
		}
	}
}

func TestPublicSiteReadsWithoutToken(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0), DefaultRoles: []string{"readable"}})
	c := nightscout.New(site.URL(), "")
	if _, err := c.CheckRead(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

func TestSiteSettingsAndTokenSubject(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0), Units: "mmol"})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	s, err := c.Site(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Units != client.MmolL || !s.UnitsSet || s.Subject != emulator.DefaultSubject || s.Version == "" || !s.ServerTime.Equal(t0) {
		t.Errorf("site %+v", s)
	}
}

func TestEventsDevicesAndDataRange(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0)})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	evs, err := c.Events(ctx(t), t0.Add(-7*24*time.Hour), t0)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i, e := range evs {
		kinds[e.Type]++
		if i > 0 && evs[i-1].Time.After(e.Time) {
			t.Fatal("events out of order")
		}
	}
	if kinds["carbs"] != 21 || kinds["insulin"] != 21 || kinds["exercise"] == 0 || kinds["notes"] == 0 || len(kinds) != 4 {
		t.Errorf("a week of events: %v", kinds)
	}
	ds, err := c.Devices(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].DisplayDevice != "cgmtop-emulator" || ds[0].Generation != "nightscout" || ds[1].DisplayApp != "loop" || !ds[1].HasBattery || !ds[1].HasIOB || !ds[1].HasCOB {
		t.Errorf("devices %+v", ds)
	}
	dr, err := c.DataRange(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if span := dr.Readings.End.Sub(dr.Readings.Start); !dr.Readings.End.Equal(site.Newest()) ||
		span < 90*24*time.Hour-6*time.Minute || span > 90*24*time.Hour || dr.Events.Empty() || !dr.Calibrations.Empty() {
		t.Errorf("data range %+v", dr)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0), RedirectHTTPS: true})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	_, err := c.Site(ctx(t))
	var api *client.APIError
	if !errors.As(err, &api) || api.StatusCode != http.StatusTemporaryRedirect || !strings.Contains(err.Error(), "https://127.0.0.1") ||
		strings.Contains(err.Error(), emulator.DefaultReadToken) {
		t.Fatalf("got %v", err)
	}
}

// A site that stumbles (a 503 from its host) is retried; one that keeps
// failing is given up on with a typed, temporary error.
func TestServerErrorsAreRetriedBoundedly(t *testing.T) {
	site := emulator.New(emulator.Config{Clock: clock.NewManual(t0)})
	var fails atomic.Int32
	fails.Store(2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(-1) >= 0 {
			http.Error(w, `{"status":503,"message":"Application Error"}`, http.StatusServiceUnavailable)
			return
		}
		site.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := nightscout.New(srv.URL, emulator.DefaultReadToken, nightscout.WithRetry(2, time.Millisecond))
	if _, err := c.Readings(ctx(t), t0.Add(-time.Hour), t0); err != nil {
		t.Fatalf("two 503s then success: %v", err)
	}
	fails.Store(100)
	_, err := c.Readings(ctx(t), t0.Add(-2*time.Hour), t0)
	var api *client.APIError
	if !errors.As(err, &api) || !api.Temporary() || c.Counts().Requests != 6 {
		t.Fatalf("got %v after %d requests", err, c.Counts().Requests)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct{ in, base, token, err string }{
		{"https://ns.example.com", "https://ns.example.com", "", ""},
		{"ns.example.com/", "https://ns.example.com", "", ""},
		{"https://ns.example.com/api/v1/entries.json?token=abc-0123456789abcdef", "https://ns.example.com", "abc-0123456789abcdef", ""},
		{"https://example.com/ns/#/report", "https://example.com/ns", "", ""},
		{"http://127.0.0.1:1337", "http://127.0.0.1:1337", "", ""},
		{"http://ns.example.com", "", "", "plain http"},
		{"ftp://ns.example.com", "", "", "scheme"},
		{"", "", "", "no Nightscout URL"},
	}
	for _, tt := range tests {
		base, token, err := nightscout.ParseURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURL(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || base != tt.base || token != tt.token {
			t.Errorf("ParseURL(%q) = %q, %q, %v", tt.in, base, token, err)
		}
	}
}

// postEntry uploads one sgv with the API secret, as an uploader does.
func postEntry(t *testing.T, site *emulator.Server, at time.Time, sgv int) {
	t.Helper()
	body := fmt.Sprintf(`[{"type":"sgv","sgv":%d,"direction":"Flat","date":%d,"device":"test-uploader"}]`, sgv, at.UnixMilli())
	req, _ := http.NewRequest(http.MethodPost, site.URL()+"/api/v1/entries.json", strings.NewReader(body))
	sum := sha1.Sum([]byte(site.Config().APISecret))
	req.Header.Set("api-secret", hex.EncodeToString(sum[:]))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("posting an entry: HTTP %d", resp.StatusCode)
	}
}

// Nightscout's /api/v1/entries answers If-Modified-Since from an in-memory
// copy that lags uploads; the client's tail poll must see a new upload at
// once all the same.
func TestTailPollSeesAnUploadBeforeTheSiteMemoryDoes(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk, History: -1, MemoryLag: time.Minute})
	postEntry(t, site, t0.Add(-5*time.Minute), 120)
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	from := t0.Add(-15 * time.Minute)
	if rs, err := c.Readings(ctx(t), from, t0.Add(time.Minute)); err != nil || len(rs) != 1 {
		t.Fatalf("first poll: %d readings, %v", len(rs), err)
	}
	clk.Advance(2 * time.Minute) // the first upload is in the site's memory now
	postEntry(t, site, t0.Add(time.Minute), 125)
	rs, err := c.Readings(ctx(t), from, clk.Now().Add(time.Minute))
	if err != nil || len(rs) != 2 || rs[1].Value != 125 {
		t.Fatalf("poll after an upload: %+v, %v", rs, err)
	}
	// The trap the client avoids: the untyped route still says 304.
	req, _ := http.NewRequest(http.MethodGet, site.URL()+"/api/v1/entries.json?find[date][$gte]=0&token="+emulator.DefaultReadToken, nil)
	req.Header.Set("If-Modified-Since", t0.Add(-5*time.Minute).Format(http.TimeFormat))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("/api/v1/entries.json with a lagging memory: HTTP %d, want the stale 304", resp.StatusCode)
	}
}

// A refusal is recorded in the account's gate, and every client of the
// account (another process) then sends nothing until the user logs in.
func TestRefusalClosesTheGateForEveryProcess(t *testing.T) {
	site := startSite(t, emulator.Config{Clock: clock.NewManual(t0)})
	g := gate.Gate{Path: filepath.Join(t.TempDir(), "nightscout-needs-login.json")}
	first := nightscout.New(site.URL(), "cgmtop-0123456789abcdef", nightscout.WithGate(g))
	if _, err := first.CheckRead(ctx(t)); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("got %v", err)
	}
	sent := site.Stats()
	second := nightscout.New(site.URL(), "cgmtop-0123456789abcdef", nightscout.WithGate(g))
	_, err := second.Readings(ctx(t), t0.Add(-time.Hour), t0)
	var le *client.LoginError
	if !errors.As(err, &le) || !strings.Contains(le.Msg, "does not know this token") {
		t.Fatalf("second process got %v, want the recorded refusal", err)
	}
	if got := site.Stats(); fmt.Sprint(got) != fmt.Sprint(sent) || second.Counts().Requests != 0 {
		t.Errorf("a closed gate still let requests through: %v → %v", sent, got)
	}
	if err := g.Open(); err != nil {
		t.Fatal(err)
	}
	good := nightscout.New(site.URL(), emulator.DefaultReadToken, nightscout.WithGate(g))
	if _, err := good.CheckRead(ctx(t)); err != nil {
		t.Fatalf("after a new login: %v", err)
	}
}

// TestDevicesAfterAPollCostOneRequest: the hourly device refresh names the
// CGM from the newest entry the readings polls already fetched, so it
// costs the devicestatus request alone; a client that polled nothing yet
// asks for the newest entry itself.
func TestDevicesAfterAPollCostOneRequest(t *testing.T) {
	clk := clock.NewManual(t0)
	site := startSite(t, emulator.Config{Clock: clk})
	c := nightscout.New(site.URL(), emulator.DefaultReadToken)
	fresh, err := nightscout.New(site.URL(), emulator.DefaultReadToken).Devices(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	before := site.Stats()
	rs, err := c.Readings(ctx(t), t0.Add(-time.Hour), t0.Add(time.Minute))
	if err != nil || len(rs) == 0 {
		t.Fatalf("readings: %d, %v", len(rs), err)
	}
	ds, err := c.Devices(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	after := site.Stats()
	if n := after["entries/sgv"] - before["entries/sgv"]; n != 1 {
		t.Errorf("readings poll + devices: %d sgv requests, want 1 (the poll)", n)
	}
	if n := after["devicestatus"] - before["devicestatus"]; n != 1 {
		t.Errorf("devices: %d devicestatus requests, want 1", n)
	}
	newest := rs[len(rs)-1].Time
	if len(ds) != len(fresh) || ds[0].DisplayDevice != "cgmtop-emulator" || ds[0].LastUpload.Truncate(time.Second) != newest ||
		!ds[0].LastUpload.Equal(fresh[0].LastUpload) {
		t.Errorf("devices after a poll %+v, want the CGM of the newest reading %v as a fresh client sees it: %+v", ds, newest, fresh)
	}
}
