package dexcom

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
)

// emuNow is where the emulator's clock stands; a fixed clock keeps the
// data, and therefore every expectation below, the same on every run.
var emuNow = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

type fixedClock struct{ now time.Time }

func (c fixedClock) Now() time.Time                         { return c.now }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (c fixedClock) Wall(d time.Duration) time.Duration     { return d }

// emuEnv is one emulator with a logged-in client.
type emuEnv struct {
	s      *emulator.Server
	tokens *oauthTokens
	c      *Client
}

func (e *emuEnv) requests(endpoint string) int { return e.s.Stats()[endpoint] }

// ascending fails unless times strictly increase inside [start, end): sorted
// and free of duplicates.
func ascending(t *testing.T, times []time.Time, start, end time.Time) {
	t.Helper()
	for i, tm := range times {
		if tm.Before(start) || !tm.Before(end) {
			t.Fatalf("record %d at %v is outside [%v, %v)", i, tm, start, end)
		}
		if i > 0 && !tm.After(times[i-1]) {
			t.Fatalf("record %d at %v does not follow %v: unsorted or duplicated", i, tm, times[i-1])
		}
	}
}

func readingTimes(rs []client.Reading) []time.Time {
	out := make([]time.Time, len(rs))
	for i, r := range rs {
		out[i] = r.Time
	}
	return out
}

func TestClientAgainstEmulator(t *testing.T) {
	day := 24 * time.Hour
	fast := []Option{WithRetry(3, time.Millisecond)}
	tests := []struct {
		name      string
		user      string
		scenarios []emulator.Scenario
		faults    []emulator.Fault
		opts      []Option
		expire    bool
		// run calls the client, checks what it got, and returns its error.
		run     func(t *testing.T, e *emuEnv) error
		wantErr func(error) bool // nil: must succeed
	}{
		{name: "readings for a day", run: func(t *testing.T, e *emuEnv) error {
			start := emuNow.Add(-day)
			rs, err := e.c.Readings(context.Background(), start, emuNow)
			if err != nil {
				return err
			}
			if len(rs) < 250 || len(rs) > 288 {
				t.Errorf("got %d readings for a day, want about 288", len(rs))
			}
			ascending(t, readingTimes(rs), start, emuNow)
			known := 0
			for _, r := range rs {
				if r.Known() {
					known++
				}
				if r.DisplayTime.IsZero() {
					t.Fatal("reading without a display time")
				}
			}
			if known == 0 {
				t.Error("no reading has a value")
			}
			return nil
		}},
		{name: "events for a week", run: func(t *testing.T, e *emuEnv) error {
			start := emuNow.Add(-7 * day)
			evs, err := e.c.Events(context.Background(), start, emuNow)
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				t.Fatal("no events in a week")
			}
			times := make([]time.Time, len(evs))
			ids := map[string]bool{}
			for i, ev := range evs {
				times[i] = ev.Time
				if ev.ID == "" || ids[ev.ID] || ev.Type == "" {
					t.Fatalf("event %d: missing or repeated id, or no type: %+v", i, ev)
				}
				ids[ev.ID] = true
			}
			ascending(t, times, start, emuNow)
			return nil
		}},
		{name: "calibrations from a G6", user: "g6", run: func(t *testing.T, e *emuEnv) error {
			cs, err := e.c.Calibrations(context.Background(), emuNow.Add(-14*day), emuNow)
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				t.Fatal("a G6 account returned no calibrations in two weeks")
			}
			for _, c := range cs {
				if c.Value <= 0 || c.ID == "" {
					t.Fatalf("calibration %+v lacks a value or id", c)
				}
			}
			return nil
		}},
		{name: "no calibrations from a G7", user: "g7", run: func(t *testing.T, e *emuEnv) error {
			cs, err := e.c.Calibrations(context.Background(), emuNow.Add(-14*day), emuNow)
			if len(cs) != 0 {
				t.Errorf("a G7 account returned %d calibrations", len(cs))
			}
			return err
		}},
		{name: "alerts during a high", scenarios: []emulator.Scenario{{Kind: emulator.ScenarioHigh, Offset: -6 * time.Hour, Duration: 2 * time.Hour}},
			run: func(t *testing.T, e *emuEnv) error {
				as, err := e.c.Alerts(context.Background(), emuNow.Add(-day), emuNow)
				if err != nil {
					return err
				}
				if len(as) == 0 {
					t.Fatal("no alerts in a day with a two-hour high")
				}
				for _, a := range as {
					if a.Name == "" || a.ID == "" || a.Time.IsZero() {
						t.Fatalf("alert %+v lacks a name, id or time", a)
					}
				}
				return nil
			}},
		{name: "devices of a G7", user: "g7", run: func(t *testing.T, e *emuEnv) error {
			ds, err := e.c.Devices(context.Background())
			if err != nil {
				return err
			}
			if len(ds) == 0 || ds[0].Generation != "g7" || ds[0].HasCalibrations() {
				t.Errorf("devices = %+v, want a g7 without calibrations", ds)
			}
			return nil
		}},
		{name: "devices of a G6", user: "g6", run: func(t *testing.T, e *emuEnv) error {
			ds, err := e.c.Devices(context.Background())
			if err != nil {
				return err
			}
			if len(ds) == 0 || ds[0].Generation != "g6" || !ds[0].HasCalibrations() {
				t.Errorf("devices = %+v, want a g6 with calibrations", ds)
			}
			return nil
		}},
		{name: "data range", run: func(t *testing.T, e *emuEnv) error {
			dr, err := e.c.DataRange(context.Background())
			if err != nil {
				return err
			}
			r := dr.Readings
			if r.Empty() || r.End.After(emuNow) || r.Start.Before(emuNow.Add(-91*day)) || !r.Start.Before(r.End) {
				t.Errorf("readings span %+v, want within the last 90 days up to now", r)
			}
			if dr.Events.Empty() {
				t.Error("events span is empty")
			}
			return nil
		}},
		{name: "89 days split into 30-day windows and merged", run: func(t *testing.T, e *emuEnv) error {
			start := emuNow.Add(-89 * day)
			rs, err := e.c.Readings(context.Background(), start, emuNow)
			if err != nil {
				return err
			}
			if n := e.requests("egvs"); n != 3 {
				t.Errorf("made %d egvs requests, want 3 windows", n)
			}
			ascending(t, readingTimes(rs), start, emuNow)
			if len(rs) < 80*288 {
				t.Errorf("got %d readings over 89 days, want about %d", len(rs), 89*288)
			}
			return nil
		}},
		{name: "404 on an empty range is no data", run: func(t *testing.T, e *emuEnv) error {
			rs, err := e.c.Readings(context.Background(), emuNow.Add(-200*day), emuNow.Add(-180*day))
			if len(rs) != 0 {
				t.Errorf("got %d readings from before the history", len(rs))
			}
			return err
		}},
		{name: "expired access token is refreshed", expire: true, run: func(t *testing.T, e *emuEnv) error {
			_, err := e.c.Devices(context.Background())
			if n := e.tokens.count(); n != 1 {
				t.Errorf("refreshed %d times, want 1", n)
			}
			return err
		}},
		{name: "401 once: refresh and retry", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Unauthorized}},
			run: func(t *testing.T, e *emuEnv) error {
				rs, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if err == nil && len(rs) == 0 {
					t.Error("no readings after the refresh")
				}
				if n := e.tokens.count(); n != 1 {
					t.Errorf("refreshed %d times, want 1", n)
				}
				return err
			}},
		{name: "401 twice: refused, but not a dead login (only a refused refresh is)", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Unauthorized, Count: 2}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if n := e.tokens.count(); n != 1 {
					t.Errorf("refreshed %d times, want exactly 1", n)
				}
				return err
			},
			wantErr: func(err error) bool {
				var api *client.APIError
				return !errors.Is(err, client.ErrUnauthorized) && errors.As(err, &api) && api.StatusCode == 401
			}},
		{name: "429 with a short Retry-After is waited out", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.RateLimit, RetryAfter: time.Second}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if n := e.requests("egvs"); n != 2 {
					t.Errorf("made %d egvs requests, want 2", n)
				}
				return err
			}},
		{name: "429 with a long Retry-After goes to the caller", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.RateLimit, RetryAfter: 2 * time.Minute}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if n := e.requests("egvs"); n != 1 {
					t.Errorf("made %d egvs requests, want 1 (no blocking retry)", n)
				}
				return err
			},
			wantErr: func(err error) bool {
				var rl *client.RateLimitError
				return errors.As(err, &rl) && rl.RetryAfter == 2*time.Minute
			}},
		{name: "500 twice then success", opts: fast, faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.ServerError, Count: 2}},
			run: func(t *testing.T, e *emuEnv) error {
				rs, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if err == nil && len(rs) == 0 {
					t.Error("no readings after the retries")
				}
				if n := e.requests("egvs"); n != 3 {
					t.Errorf("made %d egvs requests, want 3", n)
				}
				return err
			}},
		{name: "500 forever gives up", opts: fast, faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.ServerError, Count: -1}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if n := e.requests("egvs"); n != 4 {
					t.Errorf("made %d egvs requests, want 1 + 3 retries", n)
				}
				return err
			},
			wantErr: func(err error) bool {
				var api *client.APIError
				return errors.As(err, &api) && api.StatusCode == 500 && api.Temporary()
			}},
		{name: "slow server times out", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Slow, Delay: time.Minute, Count: -1}},
			opts: []Option{WithRetry(1, time.Millisecond), WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond})},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if n := e.requests("egvs"); n != 2 {
					t.Errorf("made %d egvs requests, want 1 + 1 retry", n)
				}
				return err
			},
			wantErr: func(err error) bool {
				var ne net.Error
				return errors.As(err, &ne) && ne.Timeout()
			}},
		{name: "truncated body", opts: fast, faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Truncated}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-day), emuNow)
				return err
			},
			wantErr: func(err error) bool { return err != nil && strings.Contains(err.Error(), "egvs") }},
		{name: "malformed JSON", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Malformed}},
			run: func(t *testing.T, e *emuEnv) error {
				_, err := e.c.Readings(context.Background(), emuNow.Add(-day), emuNow)
				if n := e.requests("egvs"); n != 1 {
					t.Errorf("made %d egvs requests, want 1: a broken body is not retried", n)
				}
				return err
			},
			wantErr: func(err error) bool {
				var dec *decodeError
				return errors.As(err, &dec) && strings.Contains(err.Error(), "dexcom egvs")
			}},
		{name: "huge body is refused with bounded memory", opts: []Option{WithMaxBodySize(1 << 20)},
			faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Huge, Size: 64 << 20}},
			run: func(t *testing.T, e *emuEnv) error {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				runtime.ReadMemStats(&after)
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
					t.Errorf("allocated %d MiB for a body capped at 1 MiB", grew>>20)
				}
				return err
			},
			wantErr: func(err error) bool {
				return errors.Is(err, ErrResponseTooLarge) && strings.Contains(err.Error(), "too large")
			}},
		{name: "empty 200 body is no data", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.Empty}},
			run: func(t *testing.T, e *emuEnv) error {
				rs, err := e.c.Readings(context.Background(), emuNow.Add(-time.Hour), emuNow)
				if len(rs) != 0 {
					t.Errorf("got %d readings from an empty body", len(rs))
				}
				return err
			}},
		{name: "HIGH readings", scenarios: []emulator.Scenario{{Kind: emulator.ScenarioHigh, Offset: -3 * time.Hour, Duration: time.Hour}},
			run: func(t *testing.T, e *emuEnv) error {
				return checkLimit(t, e, client.StatusHigh)
			}},
		{name: "LOW readings", user: "g6", scenarios: []emulator.Scenario{{Kind: emulator.ScenarioLow, Offset: -3 * time.Hour, Duration: time.Hour}},
			run: func(t *testing.T, e *emuEnv) error {
				return checkLimit(t, e, client.StatusLow)
			}},
		{name: "cancel during backoff", opts: []Option{WithRetry(3, time.Hour)},
			faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.ServerError, Count: -1}},
			run: func(t *testing.T, e *emuEnv) error {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				_, err := e.c.Readings(ctx, emuNow.Add(-time.Hour), emuNow)
				return err
			},
			wantErr: func(err error) bool { return errors.Is(err, context.Canceled) }},
		{name: "deadline shorter than Retry-After", faults: []emulator.Fault{{Endpoint: "egvs", Kind: emulator.RateLimit, RetryAfter: 20 * time.Second}},
			run: func(t *testing.T, e *emuEnv) error {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_, err := e.c.Readings(ctx, emuNow.Add(-time.Hour), emuNow)
				return err
			},
			wantErr: func(err error) bool {
				var rl *client.RateLimitError
				return errors.As(err, &rl) && rl.RetryAfter == 20*time.Second
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := emulator.Start(emulator.Config{
				Seed: 42, Clock: fixedClock{emuNow}, AutoApprove: true, User: tt.user, Scenarios: tt.scenarios,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tokens := login(t, s)
			e := &emuEnv{s: s, tokens: tokens, c: New(s.URL(), tokens, append([]Option{WithUserAgent("cgmtop/test")}, tt.opts...)...)}
			if tt.expire {
				s.ExpireAccessTokens()
			}
			for _, f := range tt.faults {
				s.Inject(f)
			}
			err = tt.run(t, e)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != nil && !tt.wantErr(err):
				t.Fatalf("error %v (%T) is not the one wanted", err, err)
			}
			if err != nil {
				noSecrets(t, err, tokens)
			}
		})
	}
}

// checkLimit fetches the hour the scenario forced and wants every reading in
// it to carry status st and no number to show.
func checkLimit(t *testing.T, e *emuEnv, st client.Status) error {
	start := emuNow.Add(-3 * time.Hour)
	rs, err := e.c.Readings(context.Background(), start, start.Add(time.Hour))
	if err != nil {
		return err
	}
	if len(rs) < 10 {
		t.Fatalf("got %d readings in the forced hour", len(rs))
	}
	for _, r := range rs {
		if r.Status != st || r.Known() {
			t.Fatalf("reading %+v: want status %v and no showable value", r, st)
		}
	}
	return nil
}

var numberRun = regexp.MustCompile(`\d+`)

// noSecrets fails if an error message carries a token or anything that
// could be a glucose value (a number from 39 to 401).
func noSecrets(t *testing.T, err error, tokens *oauthTokens) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{tokens.tok.AccessToken, tokens.tok.RefreshToken, tokens.cfg.ClientSecret} {
		if secret != "" && strings.Contains(msg, secret) {
			t.Fatalf("error message contains a secret: %q", msg)
		}
	}
	if strings.Contains(msg, "value") {
		t.Fatalf("error message mentions a value: %q", msg)
	}
	// An HTTP status is no reading, though 401 lies in the glucose range.
	for _, n := range numberRun.FindAllString(strings.ReplaceAll(msg, "HTTP 401", "HTTP"), -1) {
		if v, _ := strconv.Atoi(n); v >= 39 && v <= 401 {
			t.Fatalf("error message contains %s, which could be a glucose value: %q", n, msg)
		}
	}
}
