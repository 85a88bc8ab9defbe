package emulator

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/clock"
)

var t0 = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = clock.NewManual(t0)
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// get sends a GET with the given headers and returns status, content type
// and body.
func get(t *testing.T, url string, headers ...string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func sha1hexOf(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestFormats(t *testing.T) {
	s := start(t, Config{})
	tok := "&token=" + DefaultReadToken
	tests := []struct {
		path, accept, ct, prefix string
	}{
		{"/api/v1/entries?count=2", "", "text/plain", `"2026-12-02T`},
		{"/api/v1/entries?count=2", "application/json", "application/json", "[{"},
		{"/api/v1/entries.json?count=2", "", "application/json", "[{"},
		{"/api/v1/entries.csv?count=2", "", "text/csv", `"2026-12-02T`},
		{"/api/v1/status?x=1", "", "text/html", "<h1>STATUS OK</h1>"},
		{"/api/v1/status.json?x=1", "", "application/json", `{"apiEnabled"`},
		{"/api/v1/nothing.json?x=1", "", "text/html", "<!DOCTYPE html>"},
	}
	for _, tt := range tests {
		_, ct, body := get(t, s.URL()+tt.path+tok, "Accept", tt.accept)
		if !strings.HasPrefix(ct, tt.ct) || !strings.HasPrefix(body, tt.prefix) {
			t.Errorf("%s (Accept %q): %s %.60q", tt.path, tt.accept, ct, body)
		}
	}
	_, _, tsv := get(t, s.URL()+"/api/v1/entries?count=3"+tok)
	if rows := strings.Split(tsv, "\r\n"); len(rows) != 3 || len(strings.Split(rows[0], "\t")) != 5 {
		t.Errorf("TSV rows %q", rows)
	}
}

func TestEntriesQueries(t *testing.T) {
	s := start(t, Config{})
	u := s.URL() + "/api/v1/entries.json?token=" + DefaultReadToken
	var ds []map[string]any
	_, _, body := get(t, u)
	_ = json.Unmarshal([]byte(body), &ds)
	if len(ds) != 10 || ds[0]["mills"] == nil {
		t.Errorf("default: %d entries, mills %v; want 10 with mills (the in-memory path)", len(ds), ds[0]["mills"])
	}
	_, _, body = get(t, u+"&count=5000")
	_ = json.Unmarshal([]byte(body), &ds)
	if len(ds) != 4*288 {
		t.Errorf("no date filter: %d entries, want the implicit 4 days (%d)", len(ds), 4*288)
	}
	from := t0.Add(-10 * 24 * time.Hour).UnixMilli()
	ds = nil
	_, _, body = get(t, u+"&count=5000&find[date][$gte]="+itoa(from)+"&find[date][$lt]="+itoa(from+3600_000))
	_ = json.Unmarshal([]byte(body), &ds)
	if len(ds) != 12 || ds[0]["mills"] != nil {
		t.Errorf("an hour 10 days back: %d entries (mills %v), want 12 from the database path", len(ds), ds[0]["mills"])
	}
	for i := 1; i < len(ds); i++ {
		if ds[i-1]["date"].(float64) <= ds[i]["date"].(float64) {
			t.Fatal("entries not newest first")
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestNotModified(t *testing.T) {
	s := start(t, Config{})
	u := s.URL() + "/api/v1/entries/sgv.json?count=3&token=" + DefaultReadToken
	code, _, _ := get(t, u)
	if code != 200 {
		t.Fatal(code)
	}
	newest := s.Newest()
	ims := newest.Add(time.Second).Truncate(time.Second).Format(http.TimeFormat)
	if code, _, body := get(t, u, "If-Modified-Since", ims); code != http.StatusNotModified || body != "" {
		t.Errorf("If-Modified-Since at the newest: %d %q", code, body)
	}
	old := newest.Add(-time.Second).Format(http.TimeFormat)
	if code, _, _ := get(t, u, "If-Modified-Since", old); code != 200 {
		t.Errorf("If-Modified-Since before the newest: %d", code)
	}
}

// A wrong api-secret slows every later request from the address, valid
// ones too, until a success; a wrong ?token= does not.
func TestWrongSecretPenalty(t *testing.T) {
	s := start(t, Config{AuthFailDelay: time.Hour})
	u := s.URL() + "/api/v1/status.json"
	if code, _, _ := get(t, u+"?token=nobody-0123456789abcdef"); code != 401 || s.Penalty("127.0.0.1") != 0 {
		t.Fatalf("wrong token: %d, penalty %v; want 401 and none", code, s.Penalty("127.0.0.1"))
	}
	if code, _, _ := get(t, u, "api-secret", sha1hexOf("wrong-secret-123")); code != 401 {
		t.Fatalf("wrong secret: %d", code)
	}
	if p := s.Penalty("127.0.0.1"); p < 59*time.Minute {
		t.Fatalf("penalty after a wrong secret: %v", p)
	}
	// A second failure stacks on the first: with an hour still to wait,
	// pretend it has passed for this request only.
	s.mu.Lock()
	s.delay["127.0.0.1"] = time.Now().Add(-time.Millisecond)
	s.mu.Unlock()
	get(t, u, "api-secret", sha1hexOf("wrong-secret-123"))
	if p := s.Penalty("127.0.0.1"); p < 59*time.Minute {
		t.Errorf("after a second failure: penalty %v", p)
	}
	s.mu.Lock()
	s.delay["127.0.0.1"] = time.Now().Add(-time.Millisecond)
	s.mu.Unlock()
	if code, _, _ := get(t, u, "api-secret", sha1hexOf(s.Config().APISecret)); code != 200 || s.Penalty("127.0.0.1") != 0 {
		t.Errorf("the right secret: %d, penalty %v; want 200 and the penalty cleared", code, s.Penalty("127.0.0.1"))
	}
}

func TestTokenRolesAndJWT(t *testing.T) {
	clk := clock.NewManual(t0)
	s := start(t, Config{Clock: clk, Subjects: []Subject{{Name: "reader", Roles: []string{"readable"}}, {Name: "watch", Roles: []string{"status-only"}}}})
	reader, watch := s.Token("reader"), s.Token("watch")
	for _, tt := range []struct {
		path, token string
		code        int
	}{
		{"/api/v1/entries.json", reader, 200},
		{"/api/v1/entries.json", "zzz-" + reader[len(reader)-16:], 200}, // only the digits count
		{"/api/v1/entries.json", watch, 401},
		{"/api/v1/status.json", watch, 200},
		{"/api/v1/entries.json", "", 401},
	} {
		if code, _, _ := get(t, s.URL()+tt.path+"?token="+tt.token); code != tt.code {
			t.Errorf("%s with %q: %d, want %d", tt.path, tt.token, code, tt.code)
		}
	}
	_, _, body := get(t, s.URL()+"/api/v2/authorization/request/"+reader)
	var j struct {
		Token    string `json:"token"`
		Exp, Iat int64
	}
	if json.Unmarshal([]byte(body), &j) != nil || j.Exp-j.Iat != 8*3600 {
		t.Fatalf("JWT answer %q", body)
	}
	if code, _, _ := get(t, s.URL()+"/api/v1/entries.json", "Authorization", "Bearer "+j.Token); code != 200 {
		t.Errorf("Bearer JWT: %d", code)
	}
	clk.Advance(9 * time.Hour)
	if code, _, _ := get(t, s.URL()+"/api/v1/entries.json", "Authorization", "Bearer "+j.Token); code != 401 {
		t.Errorf("expired JWT: %d", code)
	}
}

func TestPostUpsertsOnSysTimeAndType(t *testing.T) {
	s := start(t, Config{History: -1})
	post := func(body string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/entries.json", strings.NewReader(body))
		req.Header.Set("api-secret", sha1hexOf(s.Config().APISecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("post: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	ms := itoa(t0.Add(-time.Minute).UnixMilli())
	post(`[{"type":"sgv","sgv":100,"date":` + ms + `}]`)
	post(`{"type":"sgv","sgv":110,"date":` + ms + `}`)
	post(`[{"type":"mbg","mbg":120,"date":` + ms + `}]`)
	_, _, body := get(t, s.URL()+"/api/v1/entries.json?token="+DefaultReadToken)
	var ds []map[string]any
	_ = json.Unmarshal([]byte(body), &ds)
	if len(ds) != 2 || ds[0]["sysTime"] == nil {
		t.Fatalf("after two posts at one time and type, and one of another type: %s", body)
	}
	// A read token may not write.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/api/v1/entries.json?token="+DefaultReadToken, strings.NewReader(`[]`))
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Errorf("a read token posting: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
