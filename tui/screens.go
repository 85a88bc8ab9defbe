package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/agp"
)

// agpStore is the monitor's store as the AGP screen reads it: the cache
// streams a period in one pass. A store that cannot (a test double) gets
// a screen that says why it has nothing to show.
func agpStore(s Store) agp.Store {
	if as, ok := s.(agp.Store); ok {
		return as
	}
	return nil
}

// routeScreen sends a message to the AGP screen when it is the screen's:
// its loads, and every key while it is open (but quit, units and back).
// done reports that the monitor has nothing more to do with msg.
func (m *Model) routeScreen(msg tea.Msg) (tea.Cmd, bool) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case agpLoadedMsg:
		m.screen, cmd = m.screen.Update(msg)
		return cmd, true
	case tea.WindowSizeMsg:
		m.screen.SetSize(msg.Width, msg.Height)
	case tea.KeyMsg:
		if !m.screen.open {
			switch {
			case key.Matches(msg, m.keys.AGP):
				m.screen, cmd = m.screen.Open(viewAGP)
				return cmd, true
			case key.Matches(msg, m.keys.Daily):
				m.screen, cmd = m.screen.Open(viewDaily)
				return cmd, true
			}
			return nil, false
		}
		switch {
		case key.Matches(msg, m.keys.Quit):
			return tea.Quit, true
		case key.Matches(msg, m.screen.keys.Back):
			m.screen.open = false
			return nil, true
		case key.Matches(msg, m.keys.Units):
			cmd := m.handleKey(msg)
			m.screen.SetUnit(m.unit())
			return cmd, true
		}
		m.screen, cmd = m.screen.Update(msg)
		return cmd, true
	}
	return nil, false
}
