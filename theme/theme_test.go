package theme

import "testing"

func TestResolve(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	tests := []struct {
		name   string
		dark   bool
		want   string
		labels bool
	}{
		{"auto", true, "dark", false},
		{"auto", false, "light", false},
		{"dark", false, "dark", false},
		{"light", true, "light", false},
		{"high-contrast", true, "high-contrast", true},
		{"high-contrast", false, "high-contrast", true},
		{"", true, "dark", false},
	}
	for _, tt := range tests {
		th := Resolve(tt.name, tt.dark)
		if th.Name != tt.want || th.Labels != tt.labels || !th.Valid() {
			t.Errorf("Resolve(%q, %v) = %q labels=%v, want %q labels=%v", tt.name, tt.dark, th.Name, th.Labels, tt.want, tt.labels)
		}
	}
}

func TestNoColorWins(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	for _, name := range []string{"auto", "dark", "light", "high-contrast"} {
		if th := Resolve(name, true); th.Name != "no-color" || !th.Labels {
			t.Errorf("NO_COLOR with %q gave %q", name, th.Name)
		}
	}
}

// Every band can be told apart without colour: by label and by glyph, in
// Unicode and in ASCII.
func TestRangesDistinctWithoutColour(t *testing.T) {
	for _, ascii := range []bool{false, true} {
		labels, glyphs := map[string]bool{}, map[string]bool{}
		for r := range numRanges {
			labels[r.Label()] = true
			glyphs[r.Glyph(ascii)] = true
		}
		if len(labels) != int(numRanges) || len(glyphs) != int(numRanges) {
			t.Errorf("ascii=%v: %d labels, %d glyphs for %d bands", ascii, len(labels), len(glyphs), numRanges)
		}
	}
}

// An out-of-range index falls back to the in-range style instead of
// panicking.
func TestStyleBounds(t *testing.T) {
	th := Dark()
	if th.Style(Range(200)).GetForeground() != th.Style(InRange).GetForeground() {
		t.Error("unknown range not styled as in range")
	}
}
