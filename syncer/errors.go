package syncer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// syncError is a failure put in words a user can act on. It still wraps
// the cause, so callers can test it with errors.Is and errors.As.
type syncError struct {
	msg string
	err error
}

func (e *syncError) Error() string { return e.msg }
func (e *syncError) Unwrap() error { return e.err }

// storeError marks a failure of the local cache rather than the source.
type storeError struct {
	op  string
	err error
}

func (e *storeError) Error() string { return e.op + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

func cacheErr(op string, err error) error { return &storeError{op: op, err: err} }

// plain describes err for the status line and the sync status. It never
// includes record contents: the source's messages are already cleaned of
// tokens by the client, and the engine adds only counts and durations.
func plain(err error) error {
	if err == nil {
		return nil
	}
	var (
		se  *syncError
		le  *client.LoginError
		ste *storeError
		rl  *client.RateLimitError
		api *client.APIError
		ne  net.Error
	)
	msg := ""
	switch {
	case errors.As(err, &se):
		return err
	case errors.As(err, &le):
		msg = le.Error() // already says what was refused and what to do
	case errors.Is(err, client.ErrUnauthorized):
		msg = "login expired: run `cgmtop login`"
	case errors.As(err, &ste):
		msg = fmt.Sprintf("could not %s in the local cache: %v (check free disk space)", ste.op, ste.err)
	case errors.As(err, &rl):
		msg = "Dexcom asked cgmtop to slow down"
		if rl.RetryAfter > 0 {
			msg += fmt.Sprintf(": waiting %s", rl.RetryAfter.Round(time.Second))
		}
	case errors.As(err, &api) && api.Temporary():
		msg = fmt.Sprintf("Dexcom is having trouble (HTTP %d): retrying later", api.StatusCode)
	case errors.As(err, &api):
		msg = fmt.Sprintf("Dexcom refused the request (HTTP %d)", api.StatusCode)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		msg = "cannot reach Dexcom: check the network"
	default:
		msg = "sync failed: " + err.Error()
	}
	return &syncError{msg: msg, err: err}
}
