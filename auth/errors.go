package auth

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client"
)

// oneLine squeezes text onto a single short line with nothing a terminal
// would act on, so an error from outside never breaks the CLI's one-line
// error, retitles the terminal or writes its clipboard.
func oneLine(s string) string { return client.Printable(s, 160) }

// oauthCode returns the OAuth error code of a token endpoint refusal, or "".
func oauthCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return re.ErrorCode
		}
		if re.Response != nil && re.Response.StatusCode == 401 {
			return "invalid_client"
		}
	}
	return ""
}

// explainExchange turns a failed code exchange into a line the user can act
// on. It never includes the response body, which may echo what we sent.
func explainExchange(err error) error {
	switch oauthCode(err) {
	case "invalid_grant":
		return errors.New("Dexcom refused the authorization code (already used, expired, or for another redirect URI): run `cgmtop login` again")
	case "invalid_client", "unauthorized_client":
		return errors.New("Dexcom refused the client id or client secret (invalid_client): check the client ID and secret against your Dexcom developer app")
	}
	return fmt.Errorf("exchange the authorization code: %s", describe(err))
}

// describe summarises a token endpoint error without its body.
func describe(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := "server refused"
		if re.Response != nil {
			msg = fmt.Sprintf("server answered HTTP %d", re.Response.StatusCode)
		}
		if re.ErrorCode != "" {
			msg += " " + oneLine(re.ErrorCode)
		}
		if re.ErrorDescription != "" {
			msg += ": " + oneLine(re.ErrorDescription)
		}
		return msg
	}
	return oneLine(err.Error())
}

// loginDead wraps client.ErrUnauthorized with the reason, so callers can
// tell "log in again" from "try again later" with errors.Is.
func loginDead(reason string) error {
	return fmt.Errorf("%s: %w", reason, client.ErrUnauthorized)
}

// storageProblem names a full or read-only disk as such, since "write
// token.json: no space left on device" reads like a bug and "login expired"
// (what a lost refresh token led to) would be false. It keeps err wrapped.
func storageProblem(dir string, err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("disk full: no room in %s to save a renewed login; free some space (the stored login was not used): %w", dir, err)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("read-only disk: cannot save a renewed login in %s (the stored login was not used): %w", dir, err)
	}
	return fmt.Errorf("cannot save a renewed login in %s (the stored login was not used): %w", dir, err)
}
