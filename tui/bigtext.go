package tui

import "strings"

// font is a 3×5 pixel font for the big value: digits, the decimal point
// and the letters of HIGH and LOW.
var font = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", "###", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", "..#", "..#", "..#"},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'.': {".", ".", ".", ".", "#"},
	'-': {"...", "...", "###", "...", "..."},
	'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'I': {"###", ".#.", ".#.", ".#.", "###"},
	'G': {"###", "#..", "#.#", "#.#", "###"},
	'L': {"#..", "#..", "#..", "#..", "###"},
	'O': {"###", "#.#", "#.#", "#.#", "###"},
	'W': {"#.#", "#.#", "###", "###", "#.#"},
}

// bigHeight is how many terminal rows big text takes: two pixel rows per
// cell, drawn with half blocks.
const bigHeight = 3

// bigText renders s in the pixel font, three rows high, or reports false
// when s holds a character the font lacks.
func bigText(s string) ([bigHeight]string, bool) {
	var px [6]strings.Builder
	for i, r := range s {
		g, ok := font[r]
		if !ok {
			return [bigHeight]string{}, false
		}
		for row := range 6 {
			if i > 0 {
				px[row].WriteByte('.')
			}
			if row < 5 {
				px[row].WriteString(g[row])
			} else {
				px[row].WriteString(strings.Repeat(".", len(g[0])))
			}
		}
	}
	var out [bigHeight]string
	for r := range bigHeight {
		top, bottom := px[2*r].String(), px[2*r+1].String()
		var b strings.Builder
		for i := range len(top) {
			switch t, u := top[i] == '#', bottom[i] == '#'; {
			case t && u:
				b.WriteString("█")
			case t:
				b.WriteString("▀")
			case u:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		out[r] = b.String()
	}
	return out, true
}

// bigWidth is the width bigText(s) takes.
func bigWidth(s string) int {
	w := 0
	for i, r := range s {
		if i > 0 {
			w++
		}
		w += len(font[r][0])
	}
	return w
}
