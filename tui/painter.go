package tui

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Paint makes each of a program's frames reach the terminal as soon as
// Update has made it. Bubble Tea v1's renderer writes frames only on its
// ticker: at the rate an idle monitor can afford (12 a second; each tick
// wakes the program) a key waited up to 83 ms for the next one. Painted,
// a key costs its Update and the write of the lines it changed. The
// renderer still runs (the alternate screen, the cursor, resizes) and at
// its next tick rewrites those lines with what is already there.
//
// Run the program on the returned model with the returned option (its
// output: the terminal f, shared with the painter so that their writes
// never interleave) and call stop once it has ended. Frames are painted
// only while the renderer holds the alternate screen, where both write
// with absolute cursor moves. A goroutine writes them, never Update, so a
// stalled terminal never freezes the program: a newer frame replaces one
// still waiting.
func Paint(m tea.Model, f *os.File) (model tea.Model, output tea.ProgramOption, stop func()) {
	return paint(m, f, nil)
}

func paint(m tea.Model, f *os.File, after func()) (tea.Model, tea.ProgramOption, func()) {
	p := &painter{out: f, frames: make(chan paintFrame, 1), done: make(chan struct{}), painted: after}
	go p.run()
	var once sync.Once
	return painted{inner: m, p: p}, tea.WithOutput(paintOutput{f: f, p: p}), func() {
		once.Do(func() {
			close(p.frames)
			<-p.done
		})
	}
}

// painted is a model whose frames the painter writes.
type painted struct {
	inner tea.Model
	p     *painter
	w, h  int
	last  string // the frame sent last
}

func (m painted) Init() tea.Cmd { return m.inner.Init() }

func (m painted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.w, m.h = ws.Width, ws.Height
		m.last = ""
	}
	next, cmd := m.inner.Update(msg)
	m.inner = next
	if v := next.View(); m.w > 0 && m.h > 0 && v != m.last {
		m.last = v
		m.p.send(paintFrame{view: v, w: m.w, h: m.h})
	}
	return m, cmd
}

// View is the inner model's frame, for Bubble Tea's renderer.
func (m painted) View() string { return m.inner.View() }

// painter writes frames, each as the lines that differ from the last.
type painter struct {
	out    io.Writer
	frames chan paintFrame // holds at most the newest frame not yet written
	done   chan struct{}

	mu  sync.Mutex // one write at a time to the terminal, the renderer's or ours
	alt bool       // the renderer holds the alternate screen

	painted func() // tests: called after each frame is handled

	// Only run's goroutine touches these.
	last []string
	w, h int
	buf  bytes.Buffer
}

type paintFrame struct {
	view string
	w, h int
}

// send queues f in place of any frame still waiting.
func (p *painter) send(f paintFrame) {
	for {
		select {
		case p.frames <- f:
			return
		default:
		}
		select {
		case <-p.frames: // superseded
		default:
		}
	}
}

func (p *painter) run() {
	defer close(p.done)
	for f := range p.frames {
		p.paint(f)
		if p.painted != nil {
			p.painted()
		}
	}
}

// paint writes the lines of f that changed since the last frame: each
// from the start of its row, then the rest of the row cleared, as Bubble
// Tea's renderer does. A new size repaints everything.
func (p *painter) paint(f paintFrame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.alt {
		p.last = nil // not ours to draw on; start afresh when it is
		return
	}
	b := &p.buf
	b.Reset()
	resized := f.w != p.w || f.h != p.h
	if resized {
		p.w, p.h, p.last = f.w, f.h, nil
	}
	lines := strings.Split(f.view, "\n")
	if len(lines) > f.h {
		lines = lines[:f.h] // never scroll
	}
	for i, l := range lines {
		if i < len(p.last) && p.last[i] == l {
			continue
		}
		moveTo(b, i)
		w := ansi.StringWidth(l)
		if w > f.w {
			l, w = ansi.Truncate(l, f.w, ""), f.w
		}
		b.WriteString(l)
		if w < f.w {
			// Not at the last column: clearing there would wipe the
			// line's last cell.
			b.WriteString(ansi.EraseLineRight)
		}
	}
	for i := len(lines); i < len(p.last); i++ {
		moveTo(b, i)
		b.WriteString(ansi.EraseEntireLine)
	}
	if resized && len(lines) < f.h {
		moveTo(b, len(lines))
		b.WriteString(ansi.EraseScreenBelow)
	}
	p.last = lines
	if b.Len() > 0 {
		_, _ = p.out.Write(b.Bytes())
	}
}

// moveTo puts the cursor at the start of row (0-based).
func moveTo(b *bytes.Buffer, row int) {
	b.WriteString("\x1b[")
	b.WriteString(strconv.Itoa(row + 1))
	b.WriteString(";1H")
}

// paintOutput is the terminal as Bubble Tea writes to it: each write
// holds the painter's lock, and tells it when the alternate screen is
// entered or left. It is still the terminal file (Fd), so Bubble Tea sets
// it raw and reads its size.
type paintOutput struct {
	f *os.File
	p *painter
}

var (
	enterAlt = []byte(ansi.SetAltScreenSaveCursorMode)
	leaveAlt = []byte(ansi.ResetAltScreenSaveCursorMode)
)

func (o paintOutput) Write(b []byte) (int, error) {
	o.p.mu.Lock()
	defer o.p.mu.Unlock()
	if bytes.Contains(b, leaveAlt) {
		o.p.alt = false
	}
	if bytes.Contains(b, enterAlt) {
		o.p.alt = true
	}
	return o.f.Write(b)
}

func (o paintOutput) Read(b []byte) (int, error) { return o.f.Read(b) }

// Close leaves the terminal open: it is the process's.
func (o paintOutput) Close() error { return nil }

func (o paintOutput) Fd() uintptr { return o.f.Fd() }
