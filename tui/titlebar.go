package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// titlePane is the top line of the medium and full layouts: the program,
// the person's name among several, the DEMO badge, the unit and the clock. It redraws when the width, the
// unit or the minute changes.
type titlePane struct {
	w    int
	memo memo[titleKey]
}

type titleKey struct {
	w  int
	st stamp
}

func (p *titlePane) SetSize(w, _ int) { p.w = w }

// Update draws the bar again if the unit or the clock moved.
func (p *titlePane) Update(c *paneContext) {
	if k := (titleKey{p.w, c.stamp()}); p.memo.stale(k) {
		p.memo.put(k, []string{drawTitle(c, p.w)})
	}
}

// View is the bar as last drawn.
func (p *titlePane) View() string { return p.memo.view }

// titleBar names the program and shows the settings in force.
func drawTitle(c *paneContext, w int) string {
	st := c.th.Styles
	left := st.Title.Render("cgmtop")
	if c.name != "" {
		left += " " + st.Bold.Render(c.name) // whose monitor, among several
	}
	if c.demo {
		left += " " + st.Badge.Render(" DEMO ")
	}
	right := st.Muted.Render(c.unit().String() + " · " + c.clockTime(c.now))
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}
