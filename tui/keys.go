package tui

import "github.com/charmbracelet/bubbles/key"

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
	return HelpKeyMap{Close: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "close help"))}
}
