package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/clock"
)

func TestParseFault(t *testing.T) {
	tests := []struct {
		spec string
		want Fault
	}{
		{"egvs:429:2:retry=3s", Fault{Endpoint: "egvs", Kind: RateLimit, Count: 2, RetryAfter: 3 * time.Second}},
		{"any:slow:1:delay=5s", Fault{Kind: Slow, Count: 1, Delay: 5 * time.Second}},
		{"egvs:huge", Fault{Endpoint: "egvs", Kind: Huge}},
		{"egvs:huge:size=1024", Fault{Endpoint: "egvs", Kind: Huge, Size: 1024}},
		{"token:500:forever", Fault{Endpoint: "token", Kind: ServerError, Count: -1}},
		{"devices:401:-1", Fault{Endpoint: "devices", Kind: Unauthorized, Count: -1}},
		{"dataRange:Truncated", Fault{Endpoint: "dataRange", Kind: Truncated}},
		{"any:malformed:3", Fault{Kind: Malformed, Count: 3}},
		{"alerts:empty", Fault{Endpoint: "alerts", Kind: Empty}},
		{"events:ratelimit", Fault{Endpoint: "events", Kind: RateLimit}},
	}
	for _, tt := range tests {
		got, err := ParseFault(tt.spec)
		if err != nil || got != tt.want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "egvs", "glucose:429", "egvs:418", "egvs:429:x", "egvs:429:retry=soon", "egvs:slow:pace=1", "egvs:huge:size=-1"} {
		if _, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) accepted", bad)
		}
	}
}

func TestParseScenario(t *testing.T) {
	tests := []struct {
		spec string
		want Scenario
	}{
		{"high:-30m:1h", Scenario{Kind: ScenarioHigh, Offset: -30 * time.Minute, Duration: time.Hour}},
		{"low:+10m:40m", Scenario{Kind: ScenarioLow, Offset: 10 * time.Minute, Duration: 40 * time.Minute}},
		{"GAP:-2h:45m", Scenario{Kind: ScenarioGap, Offset: -2 * time.Hour, Duration: 45 * time.Minute}},
		{"skew:+7m", Scenario{Kind: ScenarioSkew, Skew: 7 * time.Minute}},
		{"skew:-1h:-3h:2h", Scenario{Kind: ScenarioSkew, Skew: -time.Hour, Offset: -3 * time.Hour, Duration: 2 * time.Hour}},
	}
	for _, tt := range tests {
		got, err := ParseScenario(tt.spec)
		if err != nil || got != tt.want {
			t.Errorf("ParseScenario(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "high", "high:-30m", "high:-30m:0s", "flood:1h:1h", "skew", "skew:soon", "low:x:1h"} {
		if _, err := ParseScenario(bad); err == nil {
			t.Errorf("ParseScenario(%q) accepted", bad)
		}
	}
}

// faultEnv is an emulator with a logged-in token and a day's egvs path.
func faultEnv(t *testing.T) (*Server, string, string) {
	t.Helper()
	s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow)})
	return s, login(t, s).AccessToken, rangePath("egvs", testNow.Add(-24*time.Hour), testNow)
}

func TestFaultStatusCodes(t *testing.T) {
	tests := []struct {
		fault Fault
		want  int
	}{
		{Fault{Endpoint: "egvs", Kind: Unauthorized, Count: 2}, http.StatusUnauthorized},
		{Fault{Endpoint: "egvs", Kind: RateLimit, Count: 2, RetryAfter: 1500 * time.Millisecond}, http.StatusTooManyRequests},
		{Fault{Endpoint: "egvs", Kind: ServerError, Count: 2}, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind.String(), func(t *testing.T) {
			s, tok, path := faultEnv(t)
			s.Inject(tt.fault)
			if code, _ := get(t, s, tok, "/v3/users/self/devices"); code != http.StatusOK {
				t.Errorf("a fault on egvs hit devices: %d", code)
			}
			for i := range 2 {
				req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.want {
					t.Fatalf("request %d answered %d, want %d", i, resp.StatusCode, tt.want)
				}
				if tt.fault.Kind == RateLimit && resp.Header.Get("Retry-After") != "2" {
					t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", resp.Header.Get("Retry-After"))
				}
			}
			if code, _ := get(t, s, tok, path); code != http.StatusOK {
				t.Errorf("after the fault's count ran out: %d", code)
			}
		})
	}
}

func TestFaultForeverAndAny(t *testing.T) {
	s, tok, path := faultEnv(t)
	s.Inject(Fault{Kind: ServerError, Count: -1})
	for _, p := range []string{path, "/v3/users/self/devices", "/v3/users/self/dataRange", path} {
		if code, _ := get(t, s, tok, p); code != http.StatusInternalServerError {
			t.Fatalf("%s answered %d under a forever fault", p, code)
		}
	}
	_, err := oauthConfig(s).Exchange(context.Background(), "whatever")
	if err == nil {
		t.Fatal("token exchange succeeded under an any-endpoint fault")
	}
	if st := s.Stats(); st["egvs"] != 2 || st["token"] != 2 { // one token request was the login
		t.Errorf("stats = %v", st)
	}
}

func TestFaultSlow(t *testing.T) {
	s, tok, path := faultEnv(t)
	s.Inject(Fault{Endpoint: "egvs", Kind: Slow, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("an hour-long Slow fault answered %d", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the client's deadline", err)
	}

	s.Inject(Fault{Endpoint: "egvs", Kind: Slow, Delay: time.Millisecond})
	if recs := fetchEGVs(t, s, tok, testNow.Add(-time.Hour), testNow); len(recs) == 0 {
		t.Error("a short Slow fault did not go on to answer normally")
	}
}

func TestFaultBodies(t *testing.T) {
	s, tok, path := faultEnv(t)
	fetch := func() (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := noRedirect.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}

	s.Inject(Fault{Endpoint: "egvs", Kind: Truncated})
	resp, body, err := fetch()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated: err = %v after %d bytes, want unexpected EOF", err, len(body))
	}
	if resp != nil && resp.StatusCode != http.StatusOK {
		t.Errorf("truncated: status %d", resp.StatusCode)
	}

	s.Inject(Fault{Endpoint: "egvs", Kind: Malformed})
	resp, body, err = fetch()
	if err != nil || resp.StatusCode != http.StatusOK || json.Valid(body) {
		t.Errorf("malformed: status %v, err %v, valid JSON %t", resp.StatusCode, err, json.Valid(body))
	}

	s.Inject(Fault{Endpoint: "egvs", Kind: Empty})
	resp, body, err = fetch()
	if err != nil || resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("empty: status %d, err %v, %d bytes", resp.StatusCode, err, len(body))
	}

	s.Inject(Fault{Endpoint: "egvs", Kind: Huge, Size: 4 << 20})
	resp, body, err = fetch()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("huge: %v", err)
	}
	var env envelope[egvRecord]
	if err := json.Unmarshal(body, &env); err != nil || len(body) < 4<<20-400 || len(body) > 4<<20 || len(env.Records) < 1000 {
		t.Errorf("huge: %d bytes, %d records, %v", len(body), len(env.Records), err)
	}

	if recs := fetchEGVs(t, s, tok, testNow.Add(-time.Hour), testNow); len(recs) == 0 {
		t.Error("no readings once the faults were used up")
	}
}

// TestFaultHugeDefault streams the full default body, counting it rather
// than holding it.
func TestFaultHugeDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MiB")
	}
	s, tok, path := faultEnv(t)
	s.Inject(Fault{Endpoint: "egvs", Kind: Huge})
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n < DefaultHugeSize-400 || strconv.FormatInt(n, 10) != resp.Header.Get("Content-Length") {
		t.Errorf("huge: read %d bytes (Content-Length %s), %v", n, resp.Header.Get("Content-Length"), err)
	}
}

func BenchmarkEGVs30Days(b *testing.B) {
	g := gen{p: newProfile(1, "g7")}
	end := testNow
	start := end.Add(-MaxSpan)
	sv := served{lo: start.Unix(), hi: end.Unix()}
	buf := make([]byte, 0, 4<<20)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		buf, n = g.appendEGVs(buf[:0], sv, start, end)
	}
	b.ReportMetric(float64(n), "readings")
	b.SetBytes(int64(len(buf)))
}

// BenchmarkEGVs30DaysHTTP is the same answer through the whole server.
func BenchmarkEGVs30DaysHTTP(b *testing.B) {
	s := startServer(b, Config{AutoApprove: true, Clock: clock.NewManual(testNow), AccessTTL: 1000 * time.Hour})
	tok := login(b, s).AccessToken
	path := rangePath("egvs", testNow.Add(-MaxSpan), testNow)
	b.ReportAllocs()
	for b.Loop() {
		if code, _ := get(b, s, tok, path); code != http.StatusOK {
			b.Fatal(code)
		}
	}
}
