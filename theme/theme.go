// Package theme holds cgmtop's colour palettes (dark, light, high-contrast,
// no colour) and the lipgloss styles derived once from them.
package theme

import (
	"os"

	"github.com/charmbracelet/lipgloss"
)

// Range is the glucose band a value falls in, for colouring. The limits
// come from the user's thresholds; see tui for the classification.
type Range uint8

const (
	UrgentLow Range = iota
	Low
	InRange
	High
	VeryHigh
	numRanges
)

// Label names the band in words, so colour is never the only signal.
func (r Range) Label() string {
	switch r {
	case UrgentLow:
		return "URGENT LOW"
	case Low:
		return "LOW"
	case High:
		return "HIGH"
	case VeryHigh:
		return "VERY HIGH"
	}
	return "in range"
}

// Glyph is a shape for the band, for colour-blind users and monochrome
// terminals; ascii selects a plain-ASCII version.
func (r Range) Glyph(ascii bool) string {
	if ascii {
		switch r {
		case UrgentLow:
			return "vv"
		case Low:
			return "v"
		case High:
			return "^"
		case VeryHigh:
			return "^^"
		}
		return "o"
	}
	switch r {
	case UrgentLow:
		return "▼▼"
	case Low:
		return "▼"
	case High:
		return "▲"
	case VeryHigh:
		return "▲▲"
	}
	return "●"
}

// Palette is the handful of colours a theme is made of. Colours are
// lipgloss.CompleteColor so 16-, 256- and true-colour terminals each get a
// colour chosen for them rather than a lossy approximation.
type Palette struct {
	Ranges [numRanges]lipgloss.TerminalColor
	Text   lipgloss.TerminalColor
	Muted  lipgloss.TerminalColor
	Accent lipgloss.TerminalColor
	Warn   lipgloss.TerminalColor
	Error  lipgloss.TerminalColor
	Band   lipgloss.TerminalColor // target band and threshold lines in the chart
}

// Theme is a palette and the styles derived from it. Build one with
// Resolve, Detect or one of the named constructors; the zero Theme is not
// usable (check Valid).
type Theme struct {
	Name string
	// Labels asks views to spell out ranges with glyphs and words
	// everywhere, because colour alone is not enough (high-contrast, no
	// colour).
	Labels  bool
	Palette Palette
	Styles  Styles
}

// Styles are derived once from a palette; views never build styles of
// their own on the hot path.
type Styles struct {
	Range      [numRanges]lipgloss.Style // value text per band
	RangeBlock [numRanges]lipgloss.Style // stacked-bar segments per band
	Text       lipgloss.Style
	Bold       lipgloss.Style
	Muted      lipgloss.Style
	Accent     lipgloss.Style
	Title      lipgloss.Style
	Warn       lipgloss.Style
	Error      lipgloss.Style
	Stale      lipgloss.Style // an old value: dim and struck through
	Urgent     lipgloss.Style // the banner of an urgent alert
	Banner     lipgloss.Style // the banner of any other alert
	Band       lipgloss.Style // chart target band
	Axis       lipgloss.Style
	Badge      lipgloss.Style // DEMO
	Border     lipgloss.Style // pane frames
	HelpKey    lipgloss.Style
	HelpDesc   lipgloss.Style
	HelpSep    lipgloss.Style
}

// Valid reports whether t was built by this package.
func (t Theme) Valid() bool { return t.Name != "" }

// Style returns the text style of a glucose band.
func (t Theme) Style(r Range) lipgloss.Style {
	if r >= numRanges {
		r = InRange
	}
	return t.Styles.Range[r]
}

// Block returns the stacked-bar style of a glucose band.
func (t Theme) Block(r Range) lipgloss.Style {
	if r >= numRanges {
		r = InRange
	}
	return t.Styles.RangeBlock[r]
}

func cc(truecolor, ansi256, ansi string) lipgloss.CompleteColor {
	return lipgloss.CompleteColor{TrueColor: truecolor, ANSI256: ansi256, ANSI: ansi}
}

// Dark is the theme for dark terminal backgrounds.
func Dark() Theme {
	return build("dark", false, Palette{
		Ranges: [numRanges]lipgloss.TerminalColor{
			UrgentLow: cc("#FF4D4D", "196", "9"),
			Low:       cc("#FF7A59", "203", "1"),
			InRange:   cc("#5FD787", "78", "10"),
			High:      cc("#FFD75F", "221", "11"),
			VeryHigh:  cc("#FFA24D", "215", "3"),
		},
		Text:   cc("#E4E4E4", "254", "15"),
		Muted:  cc("#8A8A8A", "245", "8"),
		Accent: cc("#5FAFFF", "75", "12"),
		Warn:   cc("#FFD75F", "221", "11"),
		Error:  cc("#FF5F5F", "203", "9"),
		Band:   cc("#4E7A5A", "65", "2"),
	})
}

// Light is the theme for light terminal backgrounds.
func Light() Theme {
	return build("light", false, Palette{
		Ranges: [numRanges]lipgloss.TerminalColor{
			UrgentLow: cc("#B00020", "124", "1"),
			Low:       cc("#D93A00", "166", "1"),
			InRange:   cc("#1E7B34", "28", "2"),
			High:      cc("#9A6A00", "136", "3"),
			VeryHigh:  cc("#B34700", "130", "3"),
		},
		Text:   cc("#1C1C1C", "234", "0"),
		Muted:  cc("#6C6C6C", "242", "8"),
		Accent: cc("#005FAF", "25", "4"),
		Warn:   cc("#9A6A00", "136", "3"),
		Error:  cc("#B00020", "124", "1"),
		Band:   cc("#8FBF9A", "108", "2"),
	})
}

// HighContrast uses the Okabe–Ito colour-blind-safe palette (no red/green
// pair carries meaning) and turns on glyphs and labels.
func HighContrast(dark bool) Theme {
	text, muted := cc("#FFFFFF", "231", "15"), cc("#BCBCBC", "250", "7")
	high := cc("#F0E442", "227", "11")
	if !dark {
		text, muted = cc("#000000", "16", "0"), cc("#4E4E4E", "239", "8")
		high = cc("#8A6D00", "136", "3")
	}
	return build("high-contrast", true, Palette{
		Ranges: [numRanges]lipgloss.TerminalColor{
			UrgentLow: cc("#D55E00", "166", "9"),
			Low:       cc("#E69F00", "214", "3"),
			InRange:   cc("#56B4E9", "74", "12"),
			High:      high,
			VeryHigh:  cc("#CC79A7", "175", "13"),
		},
		Text:   text,
		Muted:  muted,
		Accent: cc("#0072B2", "25", "4"),
		Warn:   high,
		Error:  cc("#D55E00", "166", "9"),
		Band:   cc("#0072B2", "25", "4"),
	})
}

// NoColor is the theme for NO_COLOR: no colours at all, so every band is
// spelled out with glyphs and words.
func NoColor() Theme {
	none := lipgloss.NoColor{}
	return build("no-color", true, Palette{
		Ranges: [numRanges]lipgloss.TerminalColor{none, none, none, none, none},
		Text:   none, Muted: none, Accent: none, Warn: none, Error: none, Band: none,
	})
}

// Resolve picks the theme a setting names: "dark", "light",
// "high-contrast" or "auto" (dark or light by background). NO_COLOR
// (https://no-color.org) wins over any setting.
func Resolve(name string, darkBackground bool) Theme {
	if os.Getenv("NO_COLOR") != "" {
		return NoColor()
	}
	switch name {
	case "dark":
		return Dark()
	case "light":
		return Light()
	case "high-contrast":
		return HighContrast(darkBackground)
	}
	if darkBackground {
		return Dark()
	}
	return Light()
}

// Detect is Resolve with the terminal's background queried. It talks to
// the terminal, so call it before the Bubble Tea program starts.
func Detect(name string) Theme {
	dark := true
	if name == "auto" || name == "high-contrast" || name == "" {
		dark = darkBackground()
	}
	return Resolve(name, dark)
}

func build(name string, labels bool, p Palette) Theme {
	base := lipgloss.NewStyle()
	var s Styles
	for r := range numRanges {
		s.Range[r] = base.Foreground(p.Ranges[r]).Bold(r != InRange)
		s.RangeBlock[r] = base.Foreground(p.Ranges[r])
	}
	// The extremes stand out even without colour.
	s.Range[UrgentLow] = s.Range[UrgentLow].Reverse(true)
	s.Text = base.Foreground(p.Text)
	s.Bold = s.Text.Bold(true)
	s.Muted = base.Foreground(p.Muted)
	s.Accent = base.Foreground(p.Accent)
	s.Title = base.Foreground(p.Accent).Bold(true)
	s.Warn = base.Foreground(p.Warn).Bold(true)
	s.Error = base.Foreground(p.Error).Bold(true)
	s.Stale = base.Foreground(p.Muted).Faint(true).Strikethrough(true)
	s.Urgent = base.Foreground(p.Ranges[UrgentLow]).Bold(true).Reverse(true)
	s.Banner = base.Foreground(p.Warn).Bold(true).Reverse(true)
	s.Band = base.Foreground(p.Band)
	s.Axis = base.Foreground(p.Muted)
	s.Badge = base.Foreground(p.Accent).Bold(true).Reverse(true)
	s.Border = base.Foreground(p.Muted)
	s.HelpKey = base.Foreground(p.Text).Bold(true)
	s.HelpDesc = base.Foreground(p.Muted)
	s.HelpSep = base.Foreground(p.Muted)
	return Theme{Name: name, Labels: labels, Palette: p, Styles: s}
}
