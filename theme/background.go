package theme

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Bubble Tea v1's package init asks the terminal for its background colour
// (lipgloss.HasDarkBackground) in every process whose stdout is a terminal
// other than tmux or screen. For cgmtop that was every command, `cgmtop
// status` included: a round trip to the terminal (over ssh, a network
// one), the query's escape codes in the output, and a 5 s wait on a
// terminal that never answers. Marking the background as known here stops
// it: Go initialises, of the packages whose imports are done, the first by
// import path, and this package imports only what Bubble Tea imports too
// and sorts before it (github.com/cgmtop < github.com/charmbracelet).
// TestNoTerminalQueryOutsideTheTUI (cmd/cgmtop) holds it. The TUI still
// asks, in Detect, before its program takes the terminal.
func init() { lipgloss.SetHasDarkBackground(true) }

// darkBackground asks the terminal on stdout whether its background is
// dark (true when it cannot tell), and tells lipgloss the answer.
func darkBackground() bool {
	dark := termenv.HasDarkBackground()
	lipgloss.SetHasDarkBackground(dark)
	return dark
}
