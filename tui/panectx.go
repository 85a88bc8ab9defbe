package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// paneContext is what every pane of the person screen reads and only the
// root writes, before it hands the panes their data (as gh-dash's
// ProgramContext): the theme, the settings (units, thresholds, glyphs),
// the clock and the screen's size. The theme and thresholds are fixed
// for a program's life; the units, the clock and the size move, so each
// pane's cache key holds the unit, loc and now it drew with.
type paneContext struct {
	th            *theme.Theme // shared, never written: a theme is fixed for the program's life
	cfg           config.Config
	u             client.Unit // cfg.Unit(), parsed once a refresh
	loc           *time.Location
	now           time.Time
	demo          bool
	name          string
	width, height int
}

// stamp is the part of the context that changes while the program runs:
// a pane whose key holds it redraws when the units, zone or clock move.
type stamp struct {
	unit client.Unit
	loc  *time.Location
	now  time.Time
}

func (c *paneContext) stamp() stamp { return stamp{c.u, c.loc, c.now} }

func (c *paneContext) unit() client.Unit { return c.u }

func (c *paneContext) clockTime(t time.Time) string { return t.In(c.loc).Format("15:04") }

func (c *paneContext) warnGlyph() string {
	if c.cfg.ASCII {
		return "!"
	}
	return "⚠"
}

// stale reports whether r, the newest reading, is too old to act on.
func (c *paneContext) stale(r client.Reading) bool {
	return !r.Time.IsZero() && c.now.Sub(r.Time) > c.cfg.StaleAfter()
}

// memo is a pane's last drawing and the inputs it was drawn from. A pane
// draws again only when stale says its inputs differ, and put counts the
// drawings so the root knows when a joined screen is out of date. (Two
// calls rather than one taking a func: a closure would cost an allocation
// on every frame, drawn or not.)
type memo[K comparable] struct {
	key   K
	ok    bool
	lines []string
	view  string // lines joined, for View
	n     int    // drawings so far
}

// stale reports whether inputs k need a new drawing.
func (c *memo[K]) stale(k K) bool { return !c.ok || c.key != k }

// put keeps lines as the drawing of k.
func (c *memo[K]) put(k K, lines []string) {
	c.key, c.ok, c.lines = k, true, slices.Clip(lines)
	c.view = strings.Join(c.lines, "\n")
	c.n++
}
