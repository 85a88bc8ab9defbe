package client

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnauthorized means the source refused our credentials even after a
// token refresh: the login is gone and only the user can bring it back.
var ErrUnauthorized = errors.New("Dexcom login expired or revoked: run `cgmtop login`")

// A login can be unusable in three ways besides expiring, each an
// ErrUnauthorized to errors.Is with its own words:
//   - ErrNotLoggedIn: no login is stored;
//   - ErrClientRefused: Dexcom refused the app's client id or secret;
//   - a *LoginError: a source refused the user's own credentials.
//
// The first two are about cgmtop's own login and are never a *LoginError:
// the hybrid source keeps the official readings coming only past a
// *LoginError of its real-time part, and the syncer words each apart.
var (
	// ErrNotLoggedIn means no login is stored for the account.
	ErrNotLoggedIn error = &unauthorizedError{"not logged in: run `cgmtop login`"}
	// ErrClientRefused means the server refused the app's client id or
	// secret (invalid_client), not the user's login.
	ErrClientRefused error = &unauthorizedError{"Dexcom refused the client id or secret: check your Dexcom app, then run `cgmtop login`"}
)

// unauthorizedError is the type of ErrNotLoggedIn and ErrClientRefused:
// an ErrUnauthorized with its own words.
type unauthorizedError struct{ msg string }

func (e *unauthorizedError) Error() string        { return e.msg }
func (e *unauthorizedError) Is(target error) bool { return target == ErrUnauthorized }

// LoginError is a source refusing the stored credentials themselves (a
// wrong password, a locked account, a token the site does not know): only
// the user can fix it, so nothing retries it, and the gate (client/gate)
// keeps every process from trying again. Error is the one line to show;
// errors.Is(err, ErrUnauthorized) holds.
type LoginError struct {
	Source string // the source kind: "share", "nightscout", ...
	Code   string // the server's code, if any
	Msg    string // what happened and what the user can do, one line
}

func (e *LoginError) Error() string { return e.Msg }

// Is makes a LoginError match ErrUnauthorized.
func (e *LoginError) Is(target error) bool { return target == ErrUnauthorized }

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

// ErrBadReply means an answer arrived but could not be read: cut off,
// empty, too large or not the JSON expected.
var ErrBadReply = errors.New("the server's answer could not be read")
