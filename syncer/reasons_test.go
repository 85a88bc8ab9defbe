package syncer

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/statusline"
)

// TestEveryReasonIsProduced: each reason README lists for JSON `reason`
// and `.Reason` comes out of a real failure. The engine's words for a
// failure (plain) read back as the reason through statusline.Reason; the
// two that are not a sync's failure come from statusline.Build: config (a
// broken settings file) and not-logged-in (no login stored, no cache).
func TestEveryReasonIsProduced(t *testing.T) {
	produced := map[string]bool{}
	for err, want := range map[error]string{
		client.ErrUnauthorized:                                  statusline.ReasonAuth,
		client.ErrNotLoggedIn:                                   statusline.ReasonNotLoggedIn,
		client.ErrClientRefused:                                 statusline.ReasonLoginRefused,
		&client.LoginError{Msg: "Dexcom Share refused it"}:      statusline.ReasonLoginRefused,
		&client.APIError{StatusCode: http.StatusUnauthorized}:   statusline.ReasonAccessRefused,
		&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}:     statusline.ReasonOffline,
		context.DeadlineExceeded:                                statusline.ReasonTimeout,
		&client.RateLimitError{RetryAfter: 90e9}:                statusline.ReasonRateLimited,
		&client.APIError{StatusCode: 503}:                       statusline.ReasonServer,
		client.ErrBadReply:                                      statusline.ReasonBadReply,
		&storeError{op: "save readings", err: syscall.ENOSPC}:   statusline.ReasonDiskFull,
		&storeError{op: "save readings", err: syscall.EROFS}:    statusline.ReasonReadOnly,
		&storeError{op: "save readings", err: cache.ErrDamaged}: statusline.ReasonCache,
		&client.APIError{StatusCode: http.StatusForbidden}:      statusline.ReasonError,
		errors.New("something unforeseen"):                      statusline.ReasonError,
	} {
		got := statusline.Reason(plain(err).Error())
		if got != want {
			t.Errorf("%v: reason %q, want %q (%q)", err, got, want, plain(err))
		}
		produced[got] = true
	}
	for _, in := range []statusline.Input{{ConfigError: true}, {LoggedIn: false}} {
		produced[statusline.Build(in).Reason] = true
	}
	// README: auth, not-logged-in, login-refused, access-refused, offline,
	// timeout, rate-limited, server, bad-reply, disk-full, read-only,
	// cache, config, error.
	for _, r := range []string{"auth", "not-logged-in", "login-refused", "access-refused", "offline", "timeout",
		"rate-limited", "server", "bad-reply", "disk-full", "read-only", "cache", "config", "error"} {
		if !produced[r] {
			t.Errorf("reason %q is listed in README but nothing produces it", r)
		}
	}
}
