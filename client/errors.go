package client

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnauthorized means the source refused our credentials even after a
// token refresh: the login is gone and only the user can bring it back.
var ErrUnauthorized = errors.New("Dexcom login expired or revoked: run `cgmtop login`")

// RateLimitError means the source asked us to slow down.
type RateLimitError struct {
	RetryAfter time.Duration // zero when the source did not say
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited by the server: retrying in %s", e.RetryAfter.Round(time.Second))
	}
	return "rate limited by the server"
}

// APIError is any other refusal from the source, kept short enough to show.
type APIError struct {
	StatusCode int
	Code       string // machine-readable code from the body, if any
	Message    string // human-readable text from the body, if any
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("server answered HTTP %d", e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Temporary reports whether trying again later may succeed.
func (e *APIError) Temporary() bool { return e.StatusCode >= 500 }

// LoginError is a source refusing the stored credentials themselves (a
// wrong password, a locked account): only the user can fix it, so nothing
// retries it. Error is the one line to show; errors.Is(err,
// ErrUnauthorized) holds.
type LoginError struct {
	Source string // the source kind: "share", "nightscout", ...
	Code   string // the server's code, if any
	Msg    string // what happened and what the user can do, one line
}

func (e *LoginError) Error() string { return e.Msg }

// Is makes a LoginError match ErrUnauthorized.
func (e *LoginError) Is(target error) bool { return target == ErrUnauthorized }
