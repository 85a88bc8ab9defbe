package client

import (
	"errors"
	"fmt"
	"testing"
)

// The syncer, the hybrid source and the views tell the login failures
// apart by errors.Is and errors.As alone; these are the relations they
// rely on.
func TestLoginErrorKinds(t *testing.T) {
	refused := &LoginError{Source: "share", Code: "AccountPasswordInvalid", Msg: "Dexcom Share refused the password"}
	for _, tc := range []struct {
		name       string
		err        error
		notLogged  bool
		client     bool
		loginError bool
	}{
		{"expired", fmt.Errorf("dexcom egvs: %w", ErrUnauthorized), false, false, false},
		{"not logged in", fmt.Errorf("no stored login: %w", ErrNotLoggedIn), true, false, false},
		{"client refused", fmt.Errorf("invalid_client: %w", ErrClientRefused), false, true, false},
		{"credentials refused", fmt.Errorf("share: %w", refused), false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, ErrUnauthorized) {
				t.Errorf("%v is not an ErrUnauthorized", tc.err)
			}
			if got := errors.Is(tc.err, ErrNotLoggedIn); got != tc.notLogged {
				t.Errorf("errors.Is(ErrNotLoggedIn) = %v", got)
			}
			if got := errors.Is(tc.err, ErrClientRefused); got != tc.client {
				t.Errorf("errors.Is(ErrClientRefused) = %v", got)
			}
			var le *LoginError
			if got := errors.As(tc.err, &le); got != tc.loginError {
				t.Errorf("errors.As(*LoginError) = %v", got)
			}
		})
	}
	if ErrNotLoggedIn.Error() != "not logged in: run `cgmtop login`" {
		t.Errorf("ErrNotLoggedIn reads %q", ErrNotLoggedIn)
	}
	if refused.Error() != refused.Msg {
		t.Errorf("a LoginError reads %q, want its Msg", refused)
	}
}
