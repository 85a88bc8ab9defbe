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
		if Unprintable(r) {
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

// Unprintable reports whether a terminal may act on r rather than show it:
// control characters (C0, DEL, C1: escape sequences), format characters
// (bidi overrides that reorder a line, zero-width characters) and the line
// and paragraph separators.
func Unprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
}
