package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/cgmtop/cgmtop/config"
)

// TestDailyScreenNarrow: from 20 to 40 columns the daily patterns screen
// degrades as the other screens do. Its title and column header are made
// of whole words (at 23 columns they read "Daily patterns · 14 day" and
// "… TIR  m"), the unit stays, and each row shows a number whole or not
// at all.
func TestDailyScreenNarrow(t *testing.T) {
	db := agpCache(t)
	titleWords := []string{"Daily", "patterns", "AGP", "·", "14", "days", "d", "mg/dL"}
	headerWords := []string{"Day", "Ranges", "TIR", "mean", "lows", "0–24h", "00:00", "24:00"}
	for w := 20; w <= 40; w++ {
		for _, key := range []string{"d", "a"} {
			lines := strings.Split(openScreen(t, db, key, w, 12, config.Default()).View(), "\n")
			checkScreenFits(t, strings.Join(lines, "\n"), w, 12)
			title := strings.Fields(lines[0])
			for _, word := range title {
				if !slices.Contains(titleWords, word) {
					t.Errorf("%s at %d columns: title %q has a cut word %q", key, w, lines[0], word)
				}
			}
			if !slices.Contains(title, "mg/dL") {
				t.Errorf("%s at %d columns: title %q lost the unit", key, w, lines[0])
			}
			if key != "d" {
				continue
			}
			for _, word := range strings.Fields(lines[1]) {
				if !slices.Contains(headerWords, word) {
					t.Errorf("at %d columns: header %q has a cut word %q", w, lines[1], word)
				}
			}
			// Every column of the header has its values on the rows, and
			// no row holds a column the header does not name.
			header, row := strings.Fields(lines[1]), strings.Fields(lines[2])
			if len(row) != len(header)+1 { // the row's date is two words
				t.Errorf("at %d columns: header %q over row %q", w, lines[1], lines[2])
			}
		}
	}
}
