package share

import (
	"fmt"

	"github.com/cgmtop/cgmtop/client"
)

// Error is a refusal from Share: nearly all come as HTTP 500 with a Code.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("Dexcom Share answered HTTP %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + oneLine(e.Message)
	}
	return msg
}

// codeZeroID stands for the all-zero id Share has returned, with HTTP 200,
// instead of refusing a login.
const codeZeroID = "AllZeroId"

// The codes that mean "these credentials are refused": the user must act.
// A retry would only count towards the account's lockout.
var credentialCodes = map[string]bool{
	"AccountPasswordInvalid":              true,
	"SSO_AuthenticateMaxAttemptsExceeded": true,
	"SSO_InternalError":                   true,
	"SSO_AuthenticateAccountNotFound":     true,
	"SSO_AuthenticatePasswordInvalid":     true,
	"InvalidArgument":                     true,
	codeZeroID:                            true,
}

// sessionGone reports whether err means the session id is no longer
// accepted, which one new login can fix.
func sessionGone(err error) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	return e.Code == "SessionIdNotFound" || e.Code == "SessionNotValid" || (e.Status == 400 && e.Code == "")
}

// isCredential reports whether err refuses the credentials themselves.
func isCredential(err error) bool {
	e, ok := err.(*Error)
	return ok && credentialCodes[e.Code]
}

// loginError words a refused login for the user: one line that says what
// may be wrong (a wrong region looks exactly like a wrong password) and
// what to do.
func loginError(e *Error, region string) *client.LoginError {
	var msg string
	switch e.Code {
	case "SSO_AuthenticateMaxAttemptsExceeded":
		msg = "Dexcom Share locked the login after too many failed attempts (SSO_AuthenticateMaxAttemptsExceeded): wait a while, check the password in the Dexcom app, then run `cgmtop login share`"
	case "InvalidArgument":
		msg = "Dexcom Share says the user name, account id or password is malformed (InvalidArgument): run `cgmtop login share`"
	default:
		msg = fmt.Sprintf("Dexcom Share refused the login (%s): wrong password, unknown user name, or wrong region (this login uses %s); run `cgmtop login share`", e.Code, RegionName(region))
	}
	return &client.LoginError{Source: "share", Code: e.Code, Msg: msg}
}

// oneLine makes a server's words safe for one line of a terminal.
func oneLine(s string) string { return client.Printable(s, 160) }
