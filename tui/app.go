package tui

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
)

// Person is one person the App follows.
type Person struct {
	// Options are their monitor's: Store, Config (the settings as they
	// apply to them: config.Person), Name. SaveConfig is ignored: the
	// App saves the one setting its screens change, the unit.
	Options
	// Source names where their readings come from, for readings that do
	// not say ("official API", "Dexcom Share", "Nightscout").
	Source string
}

// AppOptions wire the App to the people it follows.
type AppOptions struct {
	People    []Person
	SaveUnits func(units string) error // persists the unit toggle; nil → don't persist
	Clock     clock.Clock
	Theme     theme.Theme
	Demo      bool
	ASCIIOnly bool
}

// PersonMsg is a message for one person's monitor. The App wraps every
// message a person's commands produce in one, and the program's owner
// wraps what it sends about a person (a sync, a change of the cache).
type PersonMsg struct {
	Person int
	Msg    tea.Msg
}

// SendTo returns a send function that addresses msg to person i, for
// Follow and the owner's sync reports.
func SendTo(i int, send func(tea.Msg)) func(tea.Msg) {
	return func(msg tea.Msg) { send(PersonMsg{Person: i, Msg: msg}) }
}

// App is cgmtop when it follows several people: the overview, and each
// person's own monitor behind it. Every person's model runs all the time
// (loads, ticks, alerts) whether their screen is open or not: an alert
// rings for someone nobody is looking at.
type App struct {
	people []Model
	lazy   []*lazyStats
	names  []string
	source []string
	save   func(string) error

	over          overview
	open          int // the person whose screen is open; -1: the overview
	width, height int
}

// NewApp builds the App.
func NewApp(opts AppOptions) *App {
	th := opts.Theme
	n := len(opts.People)
	a := &App{open: -1, save: opts.SaveUnits}
	for i, p := range opts.People {
		o := p.Options
		lz := &lazyStats{}
		if o.Store != nil {
			lz.Store = o.Store
			o.Store = lz.wrap()
		}
		o.SaveConfig = nil
		if o.Clock == nil {
			o.Clock = opts.Clock
		}
		if !o.Theme.Valid() {
			o.Theme = th
		}
		o.Demo = o.Demo || opts.Demo
		o.ASCIIOnly = o.ASCIIOnly || opts.ASCIIOnly
		m := New(o)
		if !th.Valid() {
			th = m.th
		}
		name := p.Name
		if name == "" {
			name = "person " + string(rune('1'+i))
		}
		a.people = append(a.people, m)
		a.lazy = append(a.lazy, lz)
		a.names = append(a.names, name)
		a.source = append(a.source, p.Source)
	}
	a.over = newOverview(th, opts.ASCIIOnly, opts.Demo, n)
	for i := range a.people {
		a.over.glances[i] = glanceOf(&a.people[i], i, a.names[i], a.source[i])
	}
	a.over.measureNames()
	a.over.sort()
	return a
}

// Init loads what the overview shows of every person: the last hours.
// Statistics (up to 90 days each) wait until a person's screen opens.
func (a *App) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.people))
	for i := range a.people {
		m := &a.people[i]
		cmds = append(cmds, wrapCmd(i, tea.Batch(m.loadCmd(), m.tickCmd())))
	}
	return tea.Batch(cmds...)
}

// wrapCmd addresses what cmd produces to person i.
func wrapCmd(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return wrapMsg(i, cmd()) }
}

func wrapMsg(i int, msg tea.Msg) tea.Msg {
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.QuitMsg:
		return msg
	case tea.BatchMsg:
		out := make(tea.BatchMsg, len(msg))
		for j, c := range msg {
			out[j] = wrapCmd(i, c)
		}
		return out
	}
	return PersonMsg{Person: i, Msg: msg}
}

// Update routes a message: a person's to them, keys to the open screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case PersonMsg:
		if msg.Person < 0 || msg.Person >= len(a.people) {
			return a, nil
		}
		return a, a.updatePerson(msg.Person, msg.Msg)

	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.over.SetSize(msg.Width, msg.Height)
		if a.open >= 0 {
			return a, a.updatePerson(a.open, msg)
		}
		return a, nil

	case tea.KeyMsg:
		if a.open >= 0 {
			return a.personKey(msg)
		}
		return a.overviewKey(msg)
	}
	return a, nil
}

// updatePerson hands msg to person i and refreshes their glance.
func (a *App) updatePerson(i int, msg tea.Msg) tea.Cmd {
	cmd := a.people[i].step(msg)
	a.refresh(i)
	return wrapCmd(i, cmd)
}

func (a *App) refresh(i int) {
	a.over.setGlance(i, glanceOf(&a.people[i], i, a.names[i], a.source[i]))
}

func (a *App) overviewKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := a.over.keys
	a.over.notice = ""
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Quit):
		return a, tea.Quit
	case a.over.fullHelp && key.Matches(msg, k.Close):
		a.over.fullHelp = false
	case key.Matches(msg, k.Help):
		a.over.fullHelp = true
	case key.Matches(msg, k.Open):
		return a.openPerson(a.over.selected)
	case key.Matches(msg, k.Person):
		i := int(msg.String()[0] - '1')
		if i < len(a.people) {
			return a.openPerson(i)
		}
	case key.Matches(msg, k.Up):
		a.over.move(-1)
	case key.Matches(msg, k.Down):
		a.over.move(1)
	case key.Matches(msg, k.Snooze):
		a.over.notice = a.snoozeTop()
	case key.Matches(msg, k.Units):
		cmd = a.setUnits(a.over.unit().Toggle().String())
	}
	a.over.layout()
	return a, cmd
}

// snoozeTop snoozes the alert the overview shows first: the most urgent
// person's whose alerts are not snoozed yet (when all are, the first
// one's again, which starts their snooze over, as s on their screen does).
// The snooze is theirs, as if s had been pressed on their screen. It
// says what it did, with their name.
func (a *App) snoozeTop() string {
	top := -1
	for _, i := range a.over.order {
		if g := a.over.glances[i]; g.HasAlert {
			if top < 0 {
				top = i
			}
			if !g.Snoozed {
				top = i
				break
			}
		}
	}
	if top < 0 {
		return "no alert to snooze"
	}
	m := &a.people[top]
	k, _ := m.activeAlert()
	m.snooze()
	m.refresh()
	a.refresh(top)
	return a.names[top] + ": " + strings.ToLower(k.title()) + " snoozed until " + m.ctx.clockTime(m.alerts.snoozedUntil)
}

// personKey hands a key to the open person's screen; esc on its main view
// comes back to the overview (on the AGP screen it is that screen's back).
func (a *App) personKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	i := a.open
	m := &a.people[i]
	// esc closes their full help first, as on the overview; then it
	// comes back to the overview.
	if msg.Type == tea.KeyEsc && !m.screen.open && !m.fullHelp {
		a.open = -1
		a.over.selected, a.over.chosen = i, true
		// Hidden, the person's model draws no chart on every load.
		cmd := a.updatePerson(i, tea.WindowSizeMsg{})
		a.over.layout()
		return a, cmd
	}
	before := m.cfg.Units
	cmd := a.updatePerson(i, msg)
	if u := a.people[i].cfg.Units; u != before {
		return a, tea.Batch(cmd, a.setUnits(u))
	}
	return a, cmd
}

// openPerson opens person i's screen at the App's size, and has their
// statistics loaded the first time.
func (a *App) openPerson(i int) (tea.Model, tea.Cmd) {
	a.open = i
	a.over.selected, a.over.chosen = i, true
	cmds := []tea.Cmd{a.updatePerson(i, tea.WindowSizeMsg{Width: a.width, Height: a.height})}
	if !a.lazy[i].on.Swap(true) {
		m := &a.people[i]
		m.statsSeq++
		cmds = append(cmds, wrapCmd(i, m.statsCmd()))
	}
	return a, tea.Batch(cmds...)
}

// setUnits puts everyone in units u and saves the choice.
func (a *App) setUnits(u string) tea.Cmd {
	for i := range a.people {
		m := &a.people[i]
		m.cfg.Units = u
		m.screen.SetUnit(m.unit())
		if i == a.open {
			m.redraw()
		}
		a.refresh(i)
	}
	if a.save == nil {
		return nil
	}
	save := a.save
	return func() tea.Msg { return savedMsg{err: save(u)} }
}

// View is the open person's screen, or the overview.
func (a *App) View() string {
	if a.open >= 0 {
		return a.people[a.open].View()
	}
	return a.over.View()
}

// Glances are every person's glance, in account order (for tests and the
// status of the App).
func (a *App) Glances() []Glance { return append([]Glance(nil), a.over.glances...) }

// lazyStats holds back a person's statistics until their screen first
// opens: the overview needs only the last hours, and adding up 90 days
// for everyone at start would delay the first screen. Until then the sums
// come back empty, which no screen shows.
type lazyStats struct {
	Store
	on atomic.Bool
}

// wrap returns the store the person's model reads: with the streaming
// AGP reads when the cache has them.
func (l *lazyStats) wrap() Store {
	if as, ok := l.Store.(agp.Store); ok {
		return lazyAGP{l, as}
	}
	return l
}

func (l *lazyStats) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	if !l.on.Load() {
		return make([]stats.Sums, len(periods)), nil
	}
	return l.Store.GlucoseSums(ctx, to, periods...)
}

type lazyAGP struct {
	*lazyStats
	as agp.Store
}

func (l lazyAGP) EachGlucose(ctx context.Context, from, to time.Time, fn func(cache.Glucose) error) error {
	return l.as.EachGlucose(ctx, from, to, fn)
}
