package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/cgmtop/cgmtop/cache"
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

// plain describes err for the monitor and the sync status. It never
// includes record contents: the source's messages are already cleaned of
// tokens by the client, and the engine adds only counts and durations.
//
// Every description begins with the state in a few words and a colon
// ("rate-limited: …", "disk full: …"): the status line shows those words,
// and statusline.Reason reads them back. Only a refused login is "login
// expired"; a timeout, a refused connection or an unreadable answer each
// get their own name, and no raw Go error reaches the screen.
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
	where := "the local cache"
	op := ""
	if errors.As(err, &ste) {
		op = ste.op
	}
	msg := ""
	switch {
	case errors.As(err, &se):
		return err
	case errors.Is(err, client.ErrNotLoggedIn):
		msg = "not logged in: run `cgmtop login`"
	case errors.Is(err, client.ErrClientRefused):
		msg = "login refused: Dexcom refused the client id or secret; check your Dexcom app, then run `cgmtop login`"
	case errors.As(err, &le):
		// Its words already say what was refused and what to do.
		msg = "login refused: " + le.Error()
	case errors.Is(err, client.ErrUnauthorized):
		msg = "login expired: run `cgmtop login`"
	case diskFull(err):
		if op == "" {
			msg = "disk full: no room to save the renewed login; free some space (the login was not used and still works)"
		} else {
			msg = fmt.Sprintf("disk full: could not %s in %s; free some space (nothing already saved is lost)", op, where)
		}
	case readOnly(err):
		if op == "" {
			msg = "read-only disk: cannot save the renewed login; make the state folder writable (the login was not used)"
		} else {
			msg = fmt.Sprintf("read-only disk: could not %s in %s; make the data folder writable", op, where)
		}
	case op != "":
		msg = fmt.Sprintf("cache error: could not %s in %s: %v", op, where, ste.err)
	case errors.As(err, &rl):
		msg = "rate-limited: Dexcom asked cgmtop to slow down"
		if rl.RetryAfter > 0 {
			msg += fmt.Sprintf("; waiting %s", rl.RetryAfter.Round(time.Second))
		}
	case errors.As(err, &api) && api.StatusCode == http.StatusUnauthorized:
		msg = "access refused: Dexcom refused a fresh access token (HTTP 401); retrying, and if it lasts, run `cgmtop login`"
	case errors.As(err, &api) && api.Temporary():
		msg = fmt.Sprintf("server error: Dexcom is having trouble (HTTP %d); retrying later", api.StatusCode)
	case errors.As(err, &api):
		msg = fmt.Sprintf("sync error: Dexcom refused the request (HTTP %d)", api.StatusCode)
	case errors.Is(err, client.ErrBadReply):
		msg = "bad reply: Dexcom's answer was cut off or unreadable; retrying later"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = "timed out: Dexcom did not answer in time; retrying"
	case errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "offline: cannot reach Dexcom; check the network"
	default:
		msg = "sync error: " + oneLine(err.Error())
	}
	return &syncError{msg: msg, err: err}
}

func diskFull(err error) bool {
	return errors.Is(err, cache.ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func readOnly(err error) bool {
	return errors.Is(err, cache.ErrReadOnlyDisk) || errors.Is(err, syscall.EROFS)
}

// oneLine keeps an unforeseen error to one short printable line.
func oneLine(s string) string {
	return client.Printable(strings.Join(strings.Fields(s), " "), 160)
}
