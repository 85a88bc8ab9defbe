package dexcom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/httpapi"
)

// maxErrorBody bounds what is read of an error response: enough for any
// message Dexcom sends, too little to matter if a proxy sends a page.
const maxErrorBody = 64 << 10

// get fetches {base}/v3/users/self/{endpoint}?{query} and hands the body to
// decode. It owns the whole retry policy: one refresh after a 401, waits for
// short rate limits, bounded backoff for 5xx and timeouts.
func (c *Client) get(ctx context.Context, endpoint string, query url.Values, decode func(io.Reader) error) error {
	u := c.baseURL + "/v3/users/self/" + endpoint
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	token, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("dexcom %s: getting an access token: %w", endpoint, err)
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		err := c.do(ctx, u, token, decode)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("dexcom %s: %w", endpoint, ctx.Err())
		}
		var wait time.Duration
		var apiErr *client.APIError
		var rateErr *client.RateLimitError
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized:
			if refreshed {
				// A token just renewed refused too: a hiccup at the
				// server (seen to pass in seconds), not a dead login;
				// only a refused refresh token is that.
				return fmt.Errorf("dexcom %s: %w", endpoint, err)
			}
			refreshed = true
			if token, err = c.tokens.Refresh(ctx); err != nil {
				return fmt.Errorf("dexcom %s: refreshing the access token: %w", endpoint, err)
			}
			attempt-- // the refresh is not one of the bounded retries
			continue
		case errors.As(err, &rateErr):
			if rateErr.RetryAfter > c.maxRateWait || httpapi.ExceedsDeadline(ctx, rateErr.RetryAfter) {
				return fmt.Errorf("dexcom %s: %w", endpoint, err)
			}
			wait = httpapi.Backoff(c.backoff, attempt)
			if rateErr.RetryAfter > 0 {
				// Honour the server's wait, plus a little jitter so several
				// cgmtop processes do not come back in lockstep.
				wait = rateErr.RetryAfter + rand.N(c.backoff/2+1)
			}
			if attempt < c.maxRetries && !httpapi.ExceedsDeadline(ctx, wait) {
				// Say so before going quiet: a one-shot command would
				// otherwise look hung for the whole wait.
				client.NoteRateLimitWait(ctx, client.RateLimitWait{Server: "Dexcom", Wait: wait})
			}
		case retryable(err):
			wait = httpapi.Backoff(c.backoff, attempt)
		default:
			return fmt.Errorf("dexcom %s: %w", endpoint, err)
		}
		if err := httpapi.Pause(ctx, attempt, c.maxRetries, wait, err); err != nil {
			return fmt.Errorf("dexcom %s: %w", endpoint, err)
		}
	}
}

// do makes one request. The response's status is mapped to an error in
// checkResponse and nowhere else.
func (c *Client) do(ctx context.Context, u, token string, decode func(io.Reader) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("request failed: %w", remoteText{httpapi.TransportError(err)})
	}
	defer resp.Body.Close()
	c.noteDate(resp.Header.Get("Date"))
	if err := checkResponse(resp, token); err != nil {
		return err
	}
	if err := decode(httpapi.LimitBody(resp.Body, c.maxBody)); err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			return &decodeError{err: fmt.Errorf("%w (over %s): the server sent more than cgmtop reads", ErrResponseTooLarge, byteSize(c.maxBody))}
		}
		return &decodeError{err: err}
	}
	httpapi.Drain(resp.Body)
	return nil
}

// checkResponse maps an HTTP status to cgmtop's error types: nil for 2xx,
// *client.RateLimitError for 429, *client.APIError for everything else
// (callers treat 401 and 404 specially by its StatusCode).
func checkResponse(resp *http.Response, token string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, err := httpapi.ReadRefusal(resp, maxErrorBody)
	if err != nil {
		return err // 429
	}
	e := &client.APIError{StatusCode: resp.StatusCode}
	e.Code, e.Message = errorMessage(body)
	if token != "" {
		// A server that echoes the request must not leak the token into logs.
		e.Code = strings.ReplaceAll(e.Code, token, "[redacted]")
		e.Message = strings.ReplaceAll(e.Message, token, "[redacted]")
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized && e.Message == "":
		e.Message = "access token refused"
	case resp.StatusCode == http.StatusNotFound && e.Message == "":
		e.Message = "not found: check the Dexcom region or base URL"
	case resp.StatusCode >= 500 && e.Message == "":
		e.Message = "Dexcom is having trouble: try again later"
	}
	return e
}

// errorMessage pulls a short code and message out of the error bodies
// Dexcom and its gateway send: {"error","error_description"},
// {"fault":{"faultstring","detail":{"errorcode"}}}, {"code","message"},
// {"errors":[{"message"}]}.
func errorMessage(body []byte) (code, msg string) {
	var b struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Code             json.RawMessage `json:"code"`
		Message          string          `json:"message"`
		Fault            struct {
			FaultString string `json:"faultstring"`
			Detail      struct {
				ErrorCode string `json:"errorcode"`
			} `json:"detail"`
		} `json:"fault"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &b) != nil {
		return "", ""
	}
	code = firstNonEmpty(rawString(b.Code), rawString(b.Error), b.Fault.Detail.ErrorCode)
	msg = firstNonEmpty(b.ErrorDescription, b.Message, b.Fault.FaultString)
	if msg == "" && len(b.Errors) > 0 {
		msg = b.Errors[0].Message
	}
	if msg == "" {
		// {"error":{"message":…}}
		var nested struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(b.Error, &nested) == nil {
			msg = nested.Message
		}
	}
	return client.Printable(code, 60), client.Printable(msg, 200)
}

// rawString returns a JSON string or number as text, and "" for anything else.
func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// retryable reports whether err is worth another try (httpapi.Retryable).
// A body that arrived broken will arrive broken again, unless it was cut
// short by a timeout.
func retryable(err error) bool {
	var dec *decodeError
	if errors.As(err, &dec) && !httpapi.Timeout(err) {
		return false
	}
	return httpapi.Retryable(err)
}

// decodeError marks a body that arrived but could not be read as JSON.
type decodeError struct{ err error }

func (e *decodeError) Error() string {
	if errors.Is(e.err, ErrResponseTooLarge) {
		return e.err.Error()
	}
	return "reading the response: " + e.err.Error()
}
func (e *decodeError) Unwrap() error { return e.err }

// Is makes every unreadable answer a client.ErrBadReply.
func (e *decodeError) Is(target error) bool { return target == client.ErrBadReply }

// byteSize shows a byte count the way a user reads it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// remoteText shows a transport error, which may quote the server (a TLS
// error names the certificate's hosts), through client.Printable, and keeps
// it for errors.Is and errors.As (timeouts, resets).
type remoteText struct{ err error }

func (e remoteText) Error() string { return client.Printable(e.err.Error(), 300) }
func (e remoteText) Unwrap() error { return e.err }

// noteDate keeps the server's time from an answer's Date header. The header
// has whole seconds, so half a second is added: the estimate is then off
// by at most half a second, plus the time the answer took to arrive.
func (c *Client) noteDate(h string) {
	t, err := http.ParseTime(h)
	if err != nil {
		return
	}
	c.dateMu.Lock()
	c.serverTime = t.Add(500 * time.Millisecond)
	c.dateMu.Unlock()
}

// ServerTime is the server's time as of its latest answer, for the sync
// engine's clock check (client.ServerClock).
func (c *Client) ServerTime() (time.Time, bool) {
	c.dateMu.Lock()
	defer c.dateMu.Unlock()
	return c.serverTime, !c.serverTime.IsZero()
}
