package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// TestScreensASCIIOnly: under a locale without UTF-8 (LANG=C) the README
// promises that cgmtop draws only ASCII, "charts and lines included". The
// monitor does; its AGP and daily screens drew '·', '–', '…', '↑↓' there.
func TestScreensASCIIOnly(t *testing.T) {
	db := agpCache(t)
	cfg := config.Default()
	cfg.ASCII = true // as cmd/cgmtop sets it under LANG=C
	for _, key := range []string{"a", "d"} {
		for _, size := range [][2]int{{30, 8}, {80, 24}, {120, 40}} {
			m := New(Options{Store: db, Config: cfg, Clock: clock.NewManual(testNow), Theme: theme.Dark(), ASCIIOnly: true})
			m.screen.loc = time.UTC
			next, _ := m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			next, cmd := next.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(key)})
			if cmd != nil {
				next, _ = next.Update(cmd())
			}
			view := next.(Model).View()
			for _, r := range view {
				if r >= 0x80 {
					t.Errorf("screen %q at %dx%d draws %q under LANG=C:\n%s", key, size[0], size[1], r, view)
					break
				}
			}
		}
	}
}
