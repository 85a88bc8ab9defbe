package client

import (
	"strings"
	"unicode"
)

// Printable makes text that came from a server (an OAuth error, an API
// error body, a certificate name in a TLS error) safe to show on one line
// of a terminal, in the log or in `cgmtop auth status`. Control and format
// characters (escape sequences that retitle or clear the terminal or write
// the clipboard, bidi overrides, line separators) become spaces, runs of
// space collapse, and the result is cut to limit characters when limit > 0.
func Printable(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if limit > 0 {
		if r := []rune(s); len(r) > limit {
			s = string(r[:limit]) + "…"
		}
	}
	return s
}
