package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// helpPane is the footer: the keys that matter most on one line, or the
// full help once asked for. It redraws only when the width, the layout
// or the full help's toggle changes.
type helpPane struct {
	keys KeyMap
	help help.Model
	in   helpIn
	memo memo[helpIn]
}

// helpIn is the pane's cache key.
type helpIn struct {
	w    int
	l    layout
	full bool
}

func newHelpPane(keys KeyMap, h help.Model) helpPane { return helpPane{keys: keys, help: h} }

// SetSize sets the width and the layout the keys are chosen for.
func (p *helpPane) SetSize(w int, l layout) { p.in.w, p.in.l = w, l }

// Update sets whether the full help shows, and draws again if anything
// moved.
func (p *helpPane) Update(full bool) {
	p.in.full = full
	if p.memo.stale(p.in) {
		p.memo.put(p.in, drawHelp(p.keys, p.help, p.in.full, p.in.w, p.in.l))
	}
}

// Lines are the help as last drawn.
func (p *helpPane) Lines() []string { return p.memo.lines }

// View is the help as last drawn.
func (p *helpPane) View() string { return p.memo.view }

// helpLines are the keys: one line that keeps the keys that matter most
// when the width runs out (never a key cut in half), or the full help in
// as few columns as fit.
func drawHelp(k KeyMap, h help.Model, full bool, w int, l layout) []string { // its Width stays 0: the fitting here is ours, never a cut "…"
	if full {
		groups := k.FullHelp()
		var flat []key.Binding
		for _, g := range groups {
			flat = append(flat, g...)
		}
		in, help := k.fullHelpWords()
		var view string
		for _, try := range []struct {
			groups [][]key.Binding
			sep    string
		}{
			{groups, "    "},
			{[][]key.Binding{{in, k.ZoomOut, k.Window, k.Period, k.AGP}, {k.Units, k.Snooze, help, k.Quit, k.Daily}}, "  "},
			// The one-letter keys together, so two columns fit 30 cells.
			{[][]key.Binding{{in, k.ZoomOut, k.Units, k.Quit, k.AGP}, {k.Window, k.Period, k.Snooze, help, k.Daily}}, "  "},
			{[][]key.Binding{flat}, ""},
		} {
			h.FullSeparator = try.sep
			view = h.FullHelpView(try.groups)
			if lipgloss.Width(view) <= w {
				break
			}
		}
		return strings.Split(view, "\n")
	}

	// Least useful first: the statistics period does nothing without the
	// statistics on screen.
	keys := k.ShortHelp()
	drop := []key.Binding{k.Period, k.Snooze, k.ZoomIn, k.Units, k.Quit}
	if l != layoutFull {
		keys = without(keys, k.Period)
	}
	view := h.ShortHelpView(keys)
	for _, d := range drop {
		if lipgloss.Width(view) <= w {
			break
		}
		keys = without(keys, d)
		view = h.ShortHelpView(keys)
	}
	return []string{view}
}

// without is bindings less the one with b's keys.
func without(bindings []key.Binding, b key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bindings))
	for _, x := range bindings {
		if !slices.Equal(x.Keys(), b.Keys()) {
			out = append(out, x)
		}
	}
	return out
}
