package nightscout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/httpapi"
)

// maxErrorBody bounds what is read of an error response.
const maxErrorBody = 16 << 10

// errNotModified is a 304: the site has nothing newer than what the
// request's If-Modified-Since named.
var errNotModified = errors.New("not modified")

// get fetches {base}{path}?{query}&token=… as JSON and hands the body to
// decode. ims, when not zero, is sent as If-Modified-Since; a 304 comes
// back as errNotModified. It owns the retry policy: bounded backoff for
// 5xx, timeouts and dropped connections; never a retry after a 401.
func (c *Client) get(ctx context.Context, what, path string, query url.Values, ims time.Time, decode func(io.Reader) error) error {
	if err := c.stopped(); err != nil {
		return err
	}
	if query == nil {
		query = url.Values{}
	}
	if c.token != "" {
		query.Set("token", c.token)
	}
	u := c.baseURL + path + "?" + query.Encode()
	for attempt := 0; ; attempt++ {
		err := c.do(ctx, u, ims, decode)
		if err == nil || errors.Is(err, errNotModified) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("nightscout %s: %w", what, ctx.Err())
		}
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized {
			return c.refused(ctx, what)
		}
		if !retryable(err) {
			return fmt.Errorf("nightscout %s: %w", what, err)
		}
		if err := httpapi.Pause(ctx, attempt, c.maxRetries, httpapi.Backoff(c.backoff, attempt), err); err != nil {
			return fmt.Errorf("nightscout %s: %w", what, err)
		}
	}
}

// stopped returns the refusal that stopped the client, if any: its own,
// or one another process recorded in the gate. Once a site has refused
// the token, nothing more is sent: only a new login can help.
func (c *Client) stopped() error {
	c.mu.Lock()
	denied := c.denied
	c.mu.Unlock()
	if denied != nil {
		return denied
	}
	return c.gate.Check()
}

// refused works out why the site answered 401 and stops the client. A
// well-formed token gets one status request to tell a token the site does
// not know from one that lacks a role; status.json reports the token's
// subject either way, and a wrong ?token= costs no penalty on the site.
func (c *Client) refused(ctx context.Context, what string) error {
	e := &AuthError{Reason: classify(c.token), Site: c.host()}
	if e.Reason == TokenRefused && what != "status" {
		var site Site
		err := c.do(ctx, c.baseURL+"/api/v1/status.json?"+url.Values{"token": {c.token}}.Encode(), time.Time{}, func(r io.Reader) error {
			var derr error
			site, derr = decodeStatus(r)
			return derr
		})
		if err == nil && site.Subject != "" {
			e.Reason = NoPermission
		}
	}
	c.mu.Lock()
	c.denied = e
	c.mu.Unlock()
	if err := c.gate.Close(e.LoginError(), time.Now()); err != nil {
		return fmt.Errorf("%w (and recording it failed: %v)", e, err)
	}
	return e
}

func (c *Client) host() string {
	if u, err := url.Parse(c.baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return ""
}

// do makes one request. The response's status is mapped to an error in
// checkResponse and nowhere else.
func (c *Client) do(ctx context.Context, u string, ims time.Time, decode func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	// Without an explicit JSON Accept, Nightscout answers entries as TSV.
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if !ims.IsZero() {
		req.Header.Set("If-Modified-Since", ims.UTC().Format(http.TimeFormat))
	}
	c.mu.Lock()
	c.stats.Requests++
	c.mu.Unlock()
	resp, err := c.noRedirects().Do(req)
	if err != nil {
		return fmt.Errorf("request failed: %w", httpapi.TransportError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		c.mu.Lock()
		c.stats.NotModified++
		c.mu.Unlock()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return errNotModified
	}
	if err := c.checkResponse(resp); err != nil {
		return err
	}
	if err := decode(httpapi.LimitBody(resp.Body, c.maxBody)); err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return fmt.Errorf("%w (over %d MB): the site sent more than cgmtop reads", ErrResponseTooLarge, c.maxBody>>20)
		}
		return &decodeError{err: err}
	}
	httpapi.Drain(resp.Body)
	return nil
}

// noRedirects is the http client with redirects turned off: a redirect
// would carry the token in its query to wherever the site points, and
// one to https or another host means the login's URL is wrong.
func (c *Client) noRedirects() *http.Client {
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// checkResponse maps an HTTP status to cgmtop's error types: nil for a
// 2xx JSON answer, *client.RateLimitError for 429, *client.APIError for
// everything else (get treats 401 specially by its StatusCode).
func (c *Client) checkResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" || ct == "application/json" {
			return nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return &client.APIError{StatusCode: resp.StatusCode, Message: fmt.Sprintf("the site answered %s, not JSON: check that the URL is the Nightscout site itself", clip(printable(ct), 40))}
	}
	body, err := httpapi.ReadRefusal(resp, maxErrorBody)
	if err != nil {
		return err // 429
	}
	e := &client.APIError{StatusCode: resp.StatusCode, Message: c.errorMessage(body)}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		to := "elsewhere"
		if loc, err := resp.Location(); err == nil {
			loc.RawQuery, loc.Fragment = "", ""
			to = "to " + clip(printable(loc.Redacted()), 100)
		}
		e.Message = "the site redirects " + to + ": log in again with that address (`cgmtop login nightscout --url …`)"
	case resp.StatusCode == http.StatusNotFound:
		e.Message = "not found: check that the URL is your Nightscout site (the address you open in a browser)"
	case resp.StatusCode >= 500 && e.Message == "":
		e.Message = "the Nightscout site is having trouble: try again later"
	}
	return e
}

// errorMessage pulls a short message out of Nightscout's error body
// {"status":…,"message":…,"description":…}, with the token taken out in
// case the site echoes the request.
func (c *Client) errorMessage(body []byte) string {
	var b struct {
		Message     text `json:"message"`
		Description text `json:"description"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	msg := string(b.Message)
	if d := string(b.Description); d != "" && !strings.EqualFold(d, msg) {
		msg = strings.TrimSpace(msg + ": " + d)
	}
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "[redacted]")
	}
	return clip(msg, 200)
}

// retryable reports whether err is worth another try (httpapi.Retryable,
// and a refused connection: a site restarting). A body that arrived
// broken will arrive broken again.
func retryable(err error) bool {
	var dec *decodeError
	if errors.As(err, &dec) {
		return false
	}
	return httpapi.Retryable(err) || errors.Is(err, syscall.ECONNREFUSED)
}

// decodeError marks a body that arrived but could not be read as JSON.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "reading the response: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }
