package tui

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// pipeTerminal is a file the painter and the renderer write to, read back
// whole.
func pipeTerminal(t *testing.T) (w *os.File, read func() string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		got <- b.String()
	}()
	return w, func() string {
		w.Close()
		return <-got
	}
}

type notKey string

// TestPaintWritesKeysChangesInAltScreenOnly: the painter draws nothing
// before the renderer enters the alternate screen or after it left, and
// inside writes, at a key press, the rows that differ from the frame
// before; other messages are left to the renderer.
func TestPaintWritesKeysChangesInAltScreenOnly(t *testing.T) {
	f, read := pipeTerminal(t)
	done := make(chan struct{}, 10)
	m, opt, stop := paint(keyScreen{}, f, func() { done <- struct{}{} })
	if opt == nil {
		t.Fatal("no output option")
	}
	p := m.(painted).p
	out := paintOutput{f: f, p: p}
	step := func(msg tea.Msg) { m, _ = m.Update(msg) }
	flush := func() { <-done } // the painter handled the frame

	step(tea.WindowSizeMsg{Width: 10, Height: 3})
	step(keyMsg("before\nalt\nscreen"))
	flush()
	out.Write([]byte(ansi.SetAltScreenSaveCursorMode))
	step(notKey("one\ntwo\nthree")) // the renderer's to draw
	var cmd tea.Cmd
	m, cmd = m.Update(keyMsg("one\nTWO\nthree"))
	flush()
	if cmd == nil || fmt.Sprintf("%T", cmd()) != fmt.Sprintf("%T", tea.WindowSize()()) {
		t.Error("a painted key does not ask for the size, which makes the renderer repaint")
	}
	step(keyMsg("one\nTWO\nthree")) // unchanged: nothing sent
	step(keyMsg("one"))
	flush()
	out.Write([]byte(ansi.ResetAltScreenSaveCursorMode))
	step(keyMsg("after\nalt\nscreen"))
	flush()
	stop()
	got := read()

	for _, never := range []string{"before", "after", "three"} {
		if strings.Contains(got, never) {
			t.Errorf("painted %q: %q", never, got)
		}
	}
	want := ansi.SetAltScreenSaveCursorMode +
		"\x1b[2;1HTWO" + ansi.EraseLineRight +
		"\x1b[2;1H" + ansi.EraseEntireLine + "\x1b[3;1H" + ansi.EraseEntireLine +
		ansi.ResetAltScreenSaveCursorMode
	if got != want {
		t.Errorf("terminal got\n%q\nwant\n%q", got, want)
	}
}

// keyScreen shows the frame a key or a notKey message carries: each key
// press is a tea.KeyMsg whose runes are the frame.
type keyScreen struct{ frame string }

func (s keyScreen) Init() tea.Cmd { return nil }
func (s keyScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		s.frame = string(msg.Runes)
	case notKey:
		s.frame = string(msg)
	}
	return s, nil
}
func (s keyScreen) View() string { return s.frame }

// TestPaintLeavesTheRendererLastWord: a frame made before the renderer's
// latest write is not painted: the renderer has drawn it, or a newer one.
func TestPaintLeavesTheRendererLastWord(t *testing.T) {
	var b bytes.Buffer
	p := &painter{out: &b, alt: true, writes: 2}
	p.paint(paintFrame{view: "old", w: 10, h: 3, gen: 1})
	if b.Len() != 0 {
		t.Errorf("painted over the renderer: %q", b.String())
	}
	p.paint(paintFrame{view: "new", w: 10, h: 3, gen: 2})
	if !strings.Contains(b.String(), "new") {
		t.Errorf("did not paint a frame made after the renderer's write: %q", b.String())
	}
}

// TestPaintFitsTheScreen: a line wider than the terminal is cut, one that
// fills it is not followed by a clear (which would wipe its last cell),
// and rows a shorter frame no longer uses are cleared.
func TestPaintFitsTheScreen(t *testing.T) {
	var b bytes.Buffer
	p := &painter{out: &b, alt: true}
	p.paint(paintFrame{view: "abcdefgh\nabcd\nxy\nbelow the screen", w: 4, h: 3})
	want := "\x1b[1;1Habcd\x1b[2;1Habcd\x1b[3;1Hxy" + ansi.EraseLineRight
	if got := b.String(); got != want {
		t.Errorf("first frame %q, want %q", got, want)
	}
}
