package client

import (
	"context"
	"time"
)

// RateLimitWait is a wait a client is about to make by itself: the server
// answered 429 with a Retry-After short enough to wait out rather than
// report.
type RateLimitWait struct {
	Server string        // who asked, as the user knows it ("Dexcom")
	Wait   time.Duration // how long the client will wait before asking again
}

type rateLimitNoticeKey struct{}

// WithRateLimitNotice returns a context under which a client that waits out
// a rate limit by itself calls notify first. A command that runs once and
// in the foreground (`cgmtop login`, `cgmtop sync`) passes one so it can say
// why it is quiet, as net/http/httptrace passes hooks; a service, whose wait
// is recorded in the cache anyway, passes none.
func WithRateLimitNotice(ctx context.Context, notify func(RateLimitWait)) context.Context {
	return context.WithValue(ctx, rateLimitNoticeKey{}, notify)
}

// NoteRateLimitWait tells the notice ctx carries, if any, that the client is
// about to wait w.Wait.
func NoteRateLimitWait(ctx context.Context, w RateLimitWait) {
	if notify, ok := ctx.Value(rateLimitNoticeKey{}).(func(RateLimitWait)); ok && notify != nil {
		notify(w)
	}
}
