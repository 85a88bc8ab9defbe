// Package httpapi holds the HTTP plumbing cgmtop's API clients share: an
// http.Client with a timeout on every stage, bounded bodies, Retry-After
// and the waits between retries. What an answer means (which status is a
// refused login, what to tell the user) stays with each source's package.
package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// NewClient returns an http.Client with a timeout on every stage of a
// request (dial, TLS, response header, the whole exchange) and TLS 1.2 or
// later. header and total are the response-header and whole-exchange
// timeouts, which differ by how slow a source may be to answer.
func NewClient(header, total time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = header
	t.ExpectContinueTimeout = time.Second
	t.IdleConnTimeout = 90 * time.Second
	t.MaxIdleConnsPerHost = 4
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: t, Timeout: total}
}

// WithUserAgent makes hc name ua in the User-Agent of every request that
// sets none (golang.org/x/oauth2 builds its token requests without one),
// and returns it.
func WithUserAgent(hc *http.Client, ua string) *http.Client {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = userAgentTransport{ua: ua, next: next}
	return hc
}

type userAgentTransport struct {
	ua   string
	next http.RoundTripper
}

func (t userAgentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("User-Agent") == "" {
		r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
		r.Header.Set("User-Agent", t.ua)
	}
	return t.next.RoundTrip(r)
}

// ErrTooLarge means a server sent more than the client reads; it is never
// a sign of more data, so retrying will not help.
var ErrTooLarge = errors.New("response too large")

// LimitBody is io.LimitReader that fails with ErrTooLarge past n bytes
// instead of pretending the body ended, so an oversized body cannot decode
// as a truncated one.
func LimitBody(r io.Reader, n int64) io.Reader { return &limitedReader{r: r, n: n} }

type limitedReader struct {
	r io.Reader
	n int64 // bytes still allowed
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Probe one byte: a body of exactly the limit is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// Drain reads a little of what is left of a body so the connection can be
// reused.
func Drain(body io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(body, 4<<10)) }

// ReadRefusal reads the body of an answer that is not a success, at most
// max bytes, and skips up to max more so the connection can be reused. A
// 429 comes back as a *client.RateLimitError with the server's Retry-After.
func ReadRefusal(resp *http.Response, max int64) ([]byte, error) {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, max))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, max))
	if resp.StatusCode == http.StatusTooManyRequests {
		return body, &client.RateLimitError{RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	return body, nil
}

// RetryAfter reads a Retry-After header as seconds (at most a day) or an
// HTTP date; zero when absent, past or unreadable.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// TransportError drops the *url.Error around a failed request's error: it
// repeats the URL, which may carry a token and says nothing the caller's
// own words (the endpoint's name) do not.
func TransportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Retryable reports whether err is worth another try: a server error
// (5xx), a timeout, or a connection that dropped mid-exchange. Each client
// decides the rest (a body that arrived unreadable, a refused connection).
func Retryable(err error) bool {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Temporary()
	}
	return Timeout(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED)
}

// Timeout reports whether err is a network timeout.
func Timeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// maxBackoff caps one exponential wait, so a long retry chain never sleeps
// for minutes.
const maxBackoff = 30 * time.Second

// Backoff is the wait before retry number attempt+1: exponential from base
// (base·2^attempt, at most 30 s) with full jitter over the upper half, so
// several cgmtop processes do not come back in lockstep.
func Backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt, 16)
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// Pause waits d before another try after attempt failed with err. It
// returns "giving up after N tries: err" instead when maxRetries are spent
// or the wait would outlast ctx, and ctx's error when ctx ends first.
func Pause(ctx context.Context, attempt, maxRetries int, d time.Duration, err error) error {
	if attempt >= maxRetries || ExceedsDeadline(ctx, d) {
		return fmt.Errorf("giving up after %d tries: %w", attempt+1, err)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ExceedsDeadline reports whether waiting d would outlast ctx, in which
// case waiting is pointless.
func ExceedsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d
}
