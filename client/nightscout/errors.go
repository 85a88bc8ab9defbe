package nightscout

import (
	"regexp"
	"strings"
	"sync"

	"github.com/cgmtop/cgmtop/client"
)

// AuthReason says why a site refused to let cgmtop read.
type AuthReason int

const (
	// NeedsToken: no token was given and the site is not open to the public.
	NeedsToken AuthReason = iota
	// SecretHash: the token is a SHA hash (40, 64 or 128 hex digits), the
	// form uploaders send the API secret in. That grants admin rights and
	// is not what cgmtop asks for.
	SecretHash
	// NotAToken: the token does not have an access token's shape
	// (name-0123456789abcdef); most often it is the API_SECRET itself.
	NotAToken
	// TokenRefused: a well-formed token the site does not know: deleted,
	// or made before the site's API_SECRET changed (which changes every
	// token).
	TokenRefused
	// NoPermission: the site knows the token but its roles do not allow
	// reading (it needs `readable`).
	NoPermission
)

// String names the reason, for logs and the gate's record.
func (r AuthReason) String() string {
	switch r {
	case NeedsToken:
		return "needs-token"
	case SecretHash:
		return "secret-hash"
	case NotAToken:
		return "not-a-token"
	case NoPermission:
		return "no-permission"
	}
	return "token-refused"
}

// AuthError is a site's refusal of cgmtop's credentials. It wraps
// client.ErrUnauthorized, so the syncer stops polling and the account
// shows as needing login: asking again with the same token cannot help,
// and a site slows every request from an address that keeps failing.
type AuthError struct {
	Reason AuthReason
	Site   string // host of the site, for the message
}

func (e *AuthError) Error() string {
	site := "the Nightscout site"
	if e.Site != "" {
		site = "Nightscout at " + e.Site
	}
	const fix = "make a token with the readable role (Admin Tools → Subjects) and run `cgmtop login nightscout`"
	switch e.Reason {
	case NeedsToken:
		return site + " needs an access token to read: " + fix
	case SecretHash:
		return site + " refused the token: that is a hashed API secret, not an access token (cgmtop never needs the API secret); " + fix
	case NotAToken:
		return site + " refused the token: access tokens look like name-0123456789abcdef and this one does not (if it is the API_SECRET, do not use it); " + fix
	case NoPermission:
		return site + " accepted the token but it may not read glucose data: give its subject the readable role in Admin Tools → Subjects"
	default:
		return site + " does not know this token: it was deleted, or the site's API_SECRET changed (that changes every token); copy it again from Admin Tools → Subjects and run `cgmtop login nightscout`"
	}
}

// Unwrap makes errors.Is(err, client.ErrUnauthorized) hold.
func (e *AuthError) Unwrap() error { return client.ErrUnauthorized }

// As lets errors.As find a *client.LoginError in an AuthError, which is
// how the rest of cgmtop (the hybrid source, the views) knows a refused
// login of any source.
func (e *AuthError) As(target any) bool {
	if le, ok := target.(**client.LoginError); ok {
		*le = e.LoginError()
		return true
	}
	return false
}

// LoginError is the refusal in the form every source reports it.
func (e *AuthError) LoginError() *client.LoginError {
	return &client.LoginError{Source: "nightscout", Code: e.Reason.String(), Msg: e.Error()}
}

// Built on first use, not at package init: init runs on every `cgmtop
// status`, which tmux calls every few seconds.
var (
	// A token is its subject's name cut to 10 word characters, then the
	// first 16 hex digits of a digest. Nightscout matches on the digits
	// alone, so the name part may be missing.
	tokenShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z0-9_]{0,10}-)?[0-9a-f]{16}$`) })
	hashShape  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i)([0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$`)
	})
)

// CheckToken tells, before anything is sent, whether token can be an
// access token. It rejects what is certainly not one (a hashed API
// secret, a JWT, text with spaces) with an *AuthError; a token of unusual
// shape passes, since only the site can tell.
func CheckToken(token string) error {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return nil // anonymous reads work on public sites
	case hashShape().MatchString(token):
		return &AuthError{Reason: SecretHash}
	case strings.HasPrefix(token, "eyJ") || strings.ContainsAny(token, " \t/:?&#"):
		return &AuthError{Reason: NotAToken}
	}
	return nil
}

// classify names the reason a token was refused from its shape alone.
func classify(token string) AuthReason {
	switch {
	case token == "":
		return NeedsToken
	case hashShape().MatchString(token):
		return SecretHash
	case !tokenShape().MatchString(token):
		return NotAToken
	}
	return TokenRefused
}
