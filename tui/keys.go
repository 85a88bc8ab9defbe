package tui

import (
	"slices"

	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is every key the monitor answers to, with its help text.
type KeyMap struct {
	ZoomIn  key.Binding
	ZoomOut key.Binding
	Window  key.Binding // 1–4 pick a chart window directly
	Period  key.Binding
	Units   key.Binding
	Snooze  key.Binding
	Help    key.Binding
	Quit    key.Binding
	AGP     key.Binding // the AGP screen
	Daily   key.Binding // the daily patterns screen
}

// DefaultKeyMap is the monitor's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		ZoomIn:  key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "zoom")),
		ZoomOut: key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "zoom out")),
		Window:  key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "3/6/12/24h")),
		Period:  key.NewBinding(key.WithKeys("p", "tab"), key.WithHelp("p", "stats period")),
		Units:   key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "units")),
		Snooze:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snooze alerts")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		AGP:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "AGP")),
		Daily:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "daily patterns")),
	}
}

// ShortHelp is the one-line help: the keys people need at a glance.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.ZoomIn, k.Period, k.Units, k.Snooze, k.Help, k.Quit}
}

// fullHelpWords are the two keys whose words differ in the full help.
func (k KeyMap) fullHelpWords() (in, help key.Binding) {
	in = k.ZoomIn
	in.SetHelp("+", "zoom in")
	return in, DefaultHelpKeyMap().Close
}

// FullHelp is the help shown by `?`, in three groups: the chart, the
// numbers, the program. Zoom in and out are two entries here (one in the
// short help), and ? says it closes the help it opened.
func (k KeyMap) FullHelp() [][]key.Binding {
	in, help := k.fullHelpWords()
	return [][]key.Binding{
		{in, k.ZoomOut, k.Window},
		{k.Period, k.Units},
		{k.Snooze, help, k.Quit},
		{k.AGP, k.Daily},
	}
}

// HelpKeyMap is the keys of the full help, open over the person screen:
// its own key closes it, and every other key still acts on the screen
// beneath (the chart's zoom shows once the help is closed).
type HelpKeyMap struct {
	Close key.Binding
}

// DefaultHelpKeyMap is the full help's keys.
func DefaultHelpKeyMap() HelpKeyMap {
	// esc too, as on the overview: in the overview esc would otherwise
	// leave the person with their help still open.
	return HelpKeyMap{Close: key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?", "close help"))}
}

// fullHelps are the full help's arrangements, widest first: the help pane
// shows the first that fits the width.
func (k KeyMap) fullHelps() []helpLayout {
	in, help := k.fullHelpWords()
	groups := k.FullHelp()
	return []helpLayout{
		{groups, "    "},
		{[][]key.Binding{{in, k.ZoomOut, k.Window, k.Period, k.AGP}, {k.Units, k.Snooze, help, k.Quit, k.Daily}}, "  "},
		// The one-letter keys together, so two columns fit 30 cells.
		{[][]key.Binding{{in, k.ZoomOut, k.Units, k.Quit, k.AGP}, {k.Window, k.Period, k.Snooze, help, k.Daily}}, "  "},
		{[][]key.Binding{slices.Concat(groups...)}, ""},
	}
}

// shortHelp is the footer's keys in layout l, and the keys it leaves out,
// least useful first, while they do not fit: the statistics period does
// nothing without the statistics on screen.
func (k KeyMap) shortHelp(l layout) (keys, drop []key.Binding) {
	keys = k.ShortHelp()
	if l != layoutFull {
		keys = without(keys, k.Period)
	}
	return keys, []key.Binding{k.Period, k.Snooze, k.ZoomIn, k.Units, k.Quit}
}

// OverviewKeyMap is every key the overview answers to.
type OverviewKeyMap struct {
	Open   key.Binding // the selected person's monitor
	Person key.Binding // 1–9: that person's monitor
	Up     key.Binding
	Down   key.Binding
	Snooze key.Binding // the alert at the top: the most urgent person's
	Units  key.Binding
	Help   key.Binding
	Close  key.Binding // closes the full help
	Quit   key.Binding
}

// DefaultOverviewKeyMap is the overview's keys.
func DefaultOverviewKeyMap() OverviewKeyMap {
	return OverviewKeyMap{
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Person: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "person")),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "select")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "next")),
		Snooze: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snooze alert")),
		Units:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "units")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Close:  key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?", "close help")), // esc too,
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the footer's keys.
func (k OverviewKeyMap) ShortHelp() []key.Binding {
	snooze := k.Snooze
	snooze.SetHelp("s", "snooze")
	return []key.Binding{k.Open, k.Person, k.Up, snooze, k.Units, k.Help, k.Quit}
}

// FullHelp is the help shown by `?`: choosing a person, what the overview
// does for everyone, the program.
func (k OverviewKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Open, k.Person, k.Up}, {k.Snooze, k.Units}, {k.Close, k.Quit}}
}

func (k OverviewKeyMap) fullHelps() []helpLayout {
	groups := k.FullHelp()
	return []helpLayout{
		{groups, "    "},
		// The one-letter keys together, so two columns fit 30 cells.
		{[][]key.Binding{{k.Open, k.Person, k.Up}, {k.Snooze, k.Units, k.Close, k.Quit}}, "  "},
		{[][]key.Binding{slices.Concat(groups...)}, ""},
	}
}

// shortHelp is the footer's keys (the same in every layout), and the ones
// it leaves out, least useful first, while they do not fit: ? and q stay.
func (k OverviewKeyMap) shortHelp(layout) (keys, drop []key.Binding) {
	return k.ShortHelp(), []key.Binding{k.Units, k.Person, k.Up, k.Snooze, k.Open}
}
