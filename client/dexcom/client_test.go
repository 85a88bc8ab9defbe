package dexcom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client"
)

func TestBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"us", "https://api.dexcom.com", true},
		{" EU ", "https://api.dexcom.eu", true},
		{"jp", "https://api.dexcom.jp", true},
		{"sandbox", "https://sandbox-api.dexcom.com", true},
		{"https://proxy.example/dexcom/", "https://proxy.example/dexcom", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"http://localhost:9/", "http://localhost:9", true},
		{"http://api.dexcom.com", "", false},
		{"ftp://x", "", false},
		{"mars", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := BaseURL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("BaseURL(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	_, err := BaseURL("mars")
	for _, choice := range []string{"us", "eu", "jp", "sandbox"} {
		if err == nil || !strings.Contains(err.Error(), choice) {
			t.Errorf("error %v does not list %q", err, choice)
		}
	}
}

func TestOAuthConfig(t *testing.T) {
	c := OAuthConfig("https://sandbox-api.dexcom.com/", "id", "secret", "http://localhost:8765/callback")
	if c.Endpoint.AuthURL != "https://sandbox-api.dexcom.com/v2/oauth2/login" ||
		c.Endpoint.TokenURL != "https://sandbox-api.dexcom.com/v2/oauth2/token" ||
		c.Endpoint.AuthStyle != oauth2.AuthStyleInParams ||
		len(c.Scopes) != 1 || c.Scopes[0] != "offline_access" ||
		c.ClientID != "id" || c.ClientSecret != "secret" || c.RedirectURL != "http://localhost:8765/callback" {
		t.Errorf("OAuthConfig = %+v", c)
	}
}

func TestWindows(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		start, end time.Time
		want       []string // startDate/endDate pairs
	}{
		{"empty", t0, t0, nil},
		{"inverted", t0.Add(day), t0, nil},
		{"one day", t0, t0.Add(day), []string{"2025-01-01T00:00:00/2025-01-02T00:00:00"}},
		{"exactly 30 days", t0, t0.Add(30 * day), []string{"2025-01-01T00:00:00/2025-01-31T00:00:00"}},
		{"61 days", t0, t0.Add(61 * day), []string{
			"2025-01-01T00:00:00/2025-01-31T00:00:00",
			"2025-01-31T00:00:00/2025-03-02T00:00:00",
			"2025-03-02T00:00:00/2025-03-03T00:00:00",
		}},
		{"fractions widen outward, zones become UTC",
			time.Date(2025, 1, 1, 1, 0, 0, 500, time.FixedZone("", 3600)), t0.Add(time.Hour + 1),
			[]string{"2025-01-01T00:00:00/2025-01-01T01:00:01"}},
	}
	for _, tt := range tests {
		var got []string
		for _, w := range windows(tt.start, tt.end) {
			got = append(got, w.start.Format(dateLayout)+"/"+w.end.Format(dateLayout))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: windows = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMerge(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ev := func(id string, m int, typ string) record[client.Event] {
		return record[client.Event]{id: id, t: at(m), v: client.Event{ID: id, Time: at(m), Type: typ}}
	}
	got := merge([]record[client.Event]{
		ev("b", 10, "carbs"), ev("a", 5, "carbs"), ev("b", 10, "carbs"), // repeated id
		ev("", 15, "carbs"), ev("", 15, "insulin"), ev("", 15, "carbs"), // id-less: identical repeats go
		ev("c", 60, "carbs"), // at end: outside [start, end)
		ev("z", -1, "carbs"), // before start
	}, t0, at(60), false)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID+":"+e.Type)
	}
	if want := "a:carbs b:carbs :carbs :insulin"; strings.Join(ids, " ") != want {
		t.Errorf("merged events = %v, want %s", ids, want)
	}

	rd := func(m, v int) record[client.Reading] {
		return record[client.Reading]{t: at(m), v: client.Reading{Time: at(m), Value: v}}
	}
	readings := merge([]record[client.Reading]{rd(5, 100), rd(0, 90), rd(5, 101)}, t0, at(60), true)
	if len(readings) != 2 || readings[0].Value != 90 || readings[1].Value != 100 {
		t.Errorf("merged readings = %+v, want one per time, oldest first", readings)
	}
}

// staticTokens hands out one token and counts refreshes.
type staticTokens struct {
	mu        sync.Mutex
	token     string
	refreshes int
	err       error
}

func (s *staticTokens) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, nil
}

func (s *staticTokens) Refresh(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	if s.err != nil {
		return "", s.err
	}
	s.token += "-new"
	return s.token, nil
}

func TestRequestHeadersAndQuery(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		io.WriteString(w, `{"records":[]}`)
	}))
	defer srv.Close()
	c := New(srv.URL+"/", &staticTokens{token: "tok-123"}, WithUserAgent("cgmtop/1.2.3"))
	start := time.Date(2025, 1, 1, 6, 30, 0, 0, time.FixedZone("", -5*3600))
	if _, err := c.Events(context.Background(), start, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/v3/users/self/events" {
		t.Errorf("path = %q", got.URL.Path)
	}
	if q := got.URL.Query(); q.Get("startDate") != "2025-01-01T11:30:00" || q.Get("endDate") != "2025-01-01T12:30:00" {
		t.Errorf("query = %v, want UTC dates without a zone", q)
	}
	h := got.Header
	if h.Get("Authorization") != "Bearer tok-123" || h.Get("Accept") != "application/json" || h.Get("User-Agent") != "cgmtop/1.2.3" {
		t.Errorf("headers = %v", h)
	}
}

func TestHTTPFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
		tokens  *staticTokens
		call    func(*Client) error
		check   func(error) bool
	}{
		{
			name: "400 carries the body's message",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"invalid_request","error_description":"endDate must be after startDate\u001b[2J"}`)
			},
			check: func(err error) bool {
				var api *client.APIError
				return errors.As(err, &api) && api.StatusCode == 400 && api.Code == "invalid_request" &&
					api.Message == "endDate must be after startDate [2J" && !api.Temporary()
			},
		},
		{
			name: "terminal escapes in every field of the body are stripped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"bad\u001b]0;owned\u0007","error_description":"x\u001b]52;c;cm0gLXJmIH4=\u0007 \u009b2J\u202eevil\r\nfake line"}`)
			},
			check: func(err error) bool {
				var api *client.APIError
				return errors.As(err, &api) && api.Code == "bad ]0;owned" &&
					api.Message == "x ]52;c;cm0gLXJmIH4= 2J evil fake line" && termSafe(err.Error())
			},
		},
		{
			name: "gateway fault body with escapes",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(403)
				io.WriteString(w, `{"fault":{"faultstring":"\u001b[2J\u001b[Hcleared","detail":{"errorcode":"e\u0007"}}}`)
			},
			check: func(err error) bool { return termSafe(err.Error()) && strings.Contains(err.Error(), "cleared") },
		},
		{
			name: "gateway fault body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(403)
				io.WriteString(w, `{"fault":{"faultstring":"Invalid ApiKey for tok-secret","detail":{"errorcode":"oauth.v2.InvalidApiKey"}}}`)
			},
			check: func(err error) bool {
				var api *client.APIError
				return errors.As(err, &api) && api.Code == "oauth.v2.InvalidApiKey" &&
					api.Message == "Invalid ApiKey for [redacted]"
			},
		},
		{
			name:    "404 on dataRange is an error that names the base URL",
			handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			call:    func(c *Client) error { _, err := c.DataRange(context.Background()); return err },
			check: func(err error) bool {
				var api *client.APIError
				return errors.As(err, &api) && api.StatusCode == 404 && strings.Contains(err.Error(), "base URL")
			},
		},
		{
			name: "429 with an HTTP-date Retry-After beyond the cap",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", time.Now().Add(10*time.Minute).UTC().Format(http.TimeFormat))
				w.WriteHeader(429)
			},
			check: func(err error) bool {
				var rl *client.RateLimitError
				return errors.As(err, &rl) && rl.RetryAfter > 9*time.Minute
			},
		},
		{
			name: "429 without Retry-After backs off, then gives up",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(429)
			},
			opts: []Option{WithRetry(2, time.Millisecond)},
			check: func(err error) bool {
				var rl *client.RateLimitError
				return errors.As(err, &rl) && strings.Contains(err.Error(), "3 tries")
			},
		},
		{
			name: "refresh failure is reported, not retried",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(401)
			},
			tokens: &staticTokens{token: "tok-secret", err: client.ErrUnauthorized},
			check: func(err error) bool {
				return errors.Is(err, client.ErrUnauthorized) && strings.Contains(err.Error(), "refreshing")
			},
		},
		{
			name: "body over the limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"records":[`+strings.Repeat(`{"systemTime":"2025-01-01T00:00:00"},`, 100)+`{}]}`)
			},
			opts: []Option{WithMaxBodySize(1024)},
			check: func(err error) bool {
				return errors.Is(err, ErrResponseTooLarge) && strings.Contains(err.Error(), "1 KiB")
			},
		},
		{
			name: "HTML from a proxy",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "<html><body>Service Unavailable</body></html>")
			},
			check: func(err error) bool {
				var dec *decodeError
				return errors.As(err, &dec) && strings.Contains(err.Error(), "dexcom egvs")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			tokens := tt.tokens
			if tokens == nil {
				tokens = &staticTokens{token: "tok-secret"}
			}
			c := New(srv.URL, tokens, append([]Option{WithRetry(0, time.Millisecond)}, tt.opts...)...)
			call := tt.call
			if call == nil {
				call = func(c *Client) error {
					now := time.Now()
					_, err := c.Readings(context.Background(), now.Add(-time.Hour), now)
					return err
				}
			}
			err := call(c)
			if !tt.check(err) {
				t.Fatalf("error %v (%T) is not the one wanted", err, err)
			}
			if strings.Contains(err.Error(), "tok-secret") {
				t.Fatalf("error leaks the token: %v", err)
			}
		})
	}
}

// termSafe reports whether s can go to a terminal as it is: no control or
// format characters.
func termSafe(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
