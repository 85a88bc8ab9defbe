package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"99999999999", 24 * time.Hour},
		{"Wed, 01 Jan 2025 12:00:30 GMT", 30 * time.Second},
		{"Wed, 01 Jan 2025 11:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLimitBody(t *testing.T) {
	for _, tt := range []struct {
		body  string
		limit int64
		ok    bool
	}{
		{"abcd", 4, true},
		{"abcd", 5, true},
		{"abcde", 4, false},
		{"", 0, true},
	} {
		_, err := io.ReadAll(LimitBody(strings.NewReader(tt.body), tt.limit))
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrTooLarge)) {
			t.Errorf("body %q limit %d: err %v, want ok=%v", tt.body, tt.limit, err, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		for range 50 {
			if d := Backoff(time.Second, attempt); d < want/2 || d > want {
				t.Fatalf("Backoff(1s, %d) = %v, want within [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
	if d := Backoff(time.Second, 40); d < maxBackoff/2 || d > maxBackoff {
		t.Fatalf("Backoff(1s, 40) = %v, want capped at %v", d, maxBackoff)
	}
}

func TestPause(t *testing.T) {
	cause := errors.New("HTTP 503")
	if err := Pause(context.Background(), 0, 1, time.Millisecond, cause); err != nil {
		t.Fatalf("a retry left: %v", err)
	}
	err := Pause(context.Background(), 1, 1, time.Millisecond, cause)
	if !errors.Is(err, cause) || err.Error() != "giving up after 2 tries: HTTP 503" {
		t.Fatalf("retries spent: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Pause(ctx, 0, 5, time.Hour, cause); !errors.Is(err, cause) {
		t.Fatalf("a wait past the deadline should give up at once: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := Pause(ctx, 0, 5, time.Second, cause); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
}

func TestReadRefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadRefusal(resp, 10)
	resp.Body.Close()
	var rate *client.RateLimitError
	if !errors.As(err, &rate) || rate.RetryAfter != 7*time.Second {
		t.Fatalf("429: %v, want a RateLimitError of 7s", err)
	}
	resp, err = http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := ReadRefusal(resp, 10)
	resp.Body.Close()
	if err != nil || string(body) != "xxxxxxxxxx" {
		t.Fatalf("502: body %q err %v, want 10 bytes and no error", body, err)
	}
}

func TestUserAgent(t *testing.T) {
	got := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.UserAgent() }))
	defer srv.Close()
	hc := WithUserAgent(NewClient(time.Second, 5*time.Second), "cgmtop/9.9.9")
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	if resp, err := hc.Do(req); err == nil {
		resp.Body.Close()
	}
	req.Header.Set("User-Agent", "mine")
	if resp, err := hc.Do(req); err == nil {
		resp.Body.Close()
	}
	if a, b := <-got, <-got; a != "cgmtop/9.9.9" || b != "mine" {
		t.Fatalf("User-Agents %q, %q: want the default on a bare request and the caller's own kept", a, b)
	}
}
