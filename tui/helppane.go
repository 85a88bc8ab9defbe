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
// or the full help's toggle changes. Each screen brings its own keys.
type helpPane struct {
	keys helpKeyMap
	help help.Model
	in   helpIn
	memo memo[helpIn]
}

// helpKeyMap is a screen's keys as its help pane shows them.
type helpKeyMap interface {
	// shortHelp is the footer's keys in layout l, and the keys it
	// leaves out, least useful first, while they do not fit.
	shortHelp(l layout) (keys, drop []key.Binding)
	// fullHelps are the full help's arrangements, widest first.
	fullHelps() []helpLayout
}

// helpLayout is one arrangement of the full help: columns of keys, and
// the gap between them.
type helpLayout struct {
	groups [][]key.Binding
	sep    string
}

// helpIn is the pane's cache key.
type helpIn struct {
	w    int
	l    layout
	full bool
}

func newHelpPane(keys helpKeyMap, h help.Model) helpPane { return helpPane{keys: keys, help: h} }

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
func drawHelp(k helpKeyMap, h help.Model, full bool, w int, l layout) []string { // its Width stays 0: the fitting here is ours, never a cut "…"
	if full {
		var view string
		for _, try := range k.fullHelps() {
			h.FullSeparator = try.sep
			view = h.FullHelpView(try.groups)
			if lipgloss.Width(view) <= w {
				break
			}
		}
		return strings.Split(view, "\n")
	}

	keys, drop := k.shortHelp(l)
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
