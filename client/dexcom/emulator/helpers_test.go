package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// testNow is a fixed instant the tests' clocks start at.
var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// startServer starts an emulator on 127.0.0.1 and closes it after the test.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func oauthConfig(s *Server) *oauth2.Config {
	cfg := s.Config()
	return &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  cfg.RedirectURI,
		Scopes:       []string{"offline_access"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.URL() + "/v2/oauth2/login",
			TokenURL:  s.URL() + "/v2/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// noRedirect is an HTTP client that shows redirects instead of following
// them: the redirect URI points at a callback server that is not running.
var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// redirectParams follows the login URL one step and returns the query of
// the redirect it answers with.
func redirectParams(t testing.TB, authURL string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

// login runs the auto-approved authorization-code flow and returns the token.
func login(t testing.TB, s *Server) *oauth2.Token {
	t.Helper()
	oc := oauthConfig(s)
	q := redirectParams(t, oc.AuthCodeURL("st4te"))
	if q.Get("state") != "st4te" {
		t.Fatalf("state came back as %q", q.Get("state"))
	}
	tok, err := oc.Exchange(context.Background(), q.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get fetches path with the access token and returns status and body.
func get(t testing.TB, s *Server, token, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// rangePath builds a ranged endpoint path.
func rangePath(endpoint string, start, end time.Time) string {
	return "/v3/users/self/" + endpoint + "?startDate=" + start.UTC().Format(DateLayout) + "&endDate=" + end.UTC().Format(DateLayout)
}

// egvRecord is the subset of a v3 egv record the tests look at.
type egvRecord struct {
	RecordID              string   `json:"recordId"`
	SystemTime            string   `json:"systemTime"`
	DisplayTime           string   `json:"displayTime"`
	TransmitterID         string   `json:"transmitterId"`
	TransmitterTicks      int64    `json:"transmitterTicks"`
	Value                 *int     `json:"value"`
	Status                *string  `json:"status"`
	Trend                 string   `json:"trend"`
	TrendRate             *float64 `json:"trendRate"`
	Unit                  string   `json:"unit"`
	RateUnit              string   `json:"rateUnit"`
	DisplayDevice         string   `json:"displayDevice"`
	TransmitterGeneration string   `json:"transmitterGeneration"`
}

type envelope[T any] struct {
	RecordType    string `json:"recordType"`
	RecordVersion string `json:"recordVersion"`
	UserID        string `json:"userId"`
	Records       []T    `json:"records"`
}

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %.200s: %v", body, err)
	}
	return v
}

// fetchEGVs gets the egvs of [start, end), failing on anything but 200 or 404.
func fetchEGVs(t testing.TB, s *Server, token string, start, end time.Time) []egvRecord {
	t.Helper()
	code, body := get(t, s, token, rangePath("egvs", start, end))
	switch code {
	case http.StatusNotFound:
		return nil
	case http.StatusOK:
	default:
		t.Fatalf("egvs answered %d: %s", code, body)
	}
	env := decode[envelope[egvRecord]](t, body)
	if env.RecordType != "egv" || env.RecordVersion != "3.0" || env.UserID == "" {
		t.Fatalf("bad envelope: %+v", env)
	}
	return env.Records
}
