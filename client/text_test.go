package client

import (
	"strings"
	"testing"
	"unicode"
)

func TestPrintable(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"plain words", 0, "plain words"},
		{"  two\n lines\r\n", 0, "two lines"},
		{"title\x1b]0;pwned\x07", 0, "title ]0;pwned"},
		{"clip\x1b]52;c;aGVsbG8=\x1b\\ end", 0, "clip ]52;c;aGVsbG8= \\ end"},
		{"clear\x1b[2J\x1b[H", 0, "clear [2J [H"},
		{"c1 \u009b31m csi", 0, "c1 31m csi"},
		{"bidi \u202egnp.exe", 0, "bidi gnp.exe"},
		{"zero\u200bwidth", 0, "zero width"},
		{"line\u2028sep", 0, "line sep"},
		{"del\x7f", 0, "del"},
		{"bad utf-8 \xff", 0, "bad utf-8 \ufffd"},
		{"ünïcödé ✓", 0, "ünïcödé ✓"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
	}
	for _, tc := range tests {
		if got := Printable(tc.in, tc.limit); got != tc.want {
			t.Errorf("Printable(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

// FuzzPrintable: whatever a server sends, nothing that steers a terminal
// comes out.
func FuzzPrintable(f *testing.F) {
	f.Add("\x1b]52;c;aGk=\x07", 10)
	f.Add("\u202e\u2066x\r\n", 0)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		out := Printable(s, limit%500)
		for _, r := range out {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("Printable(%q) = %q keeps %U", s, out, r)
			}
		}
		if strings.Contains(out, "  ") {
			t.Fatalf("Printable(%q) = %q keeps a run of spaces", s, out)
		}
	})
}
