// Package tui is cgmtop's live monitor: a Bubble Tea program that shows the
// newest glucose reading, its trend and history from the local cache.
package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/statusline"
	"github.com/cgmtop/cgmtop/theme"
)

// Store is the part of the cache the monitor reads.
type Store interface {
	Freshness(ctx context.Context) (cache.Freshness, error)
	Readings(ctx context.Context, from, to time.Time) ([]client.Reading, error) // [from,to) ascending
	Events(ctx context.Context, from, to time.Time) ([]client.Event, error)
	Devices(ctx context.Context) ([]client.Device, error)
	DataRange(ctx context.Context) (client.DataRange, error)
	SyncStatus(ctx context.Context) (cache.SyncStatus, error)
	// GlucoseSums adds up the readings of each period [to-period, to),
	// so statistics never need a period's readings in memory.
	GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error)
	// DataVersion changes whenever anything is committed to the cache, by
	// any process: the monitor follows the cache whoever syncs it.
	DataVersion(ctx context.Context) (int64, error)
}

// Options wire the monitor to its data and settings.
type Options struct {
	Store      Store
	Config     config.Config
	SaveConfig func(config.Config) error // persists the unit toggle; nil → don't persist
	Clock      clock.Clock               // nil → real; ages and ticks use it (Wall for tea.Tick)
	Theme      theme.Theme               // resolved before the program starts; zero → from Config.Theme on a dark background
	Demo       bool                      // show a DEMO badge
	// Name is the person's display name when cgmtop follows several
	// people: alerts (banner, bell, notifications) name them. Empty for
	// one account: the alerts read as before.
	Name string
	// Account is the person's account. When it is not the default one,
	// every error that says to run `cgmtop login` says
	// `cgmtop login --account NAME`, which logs in that person.
	Account string
	// ASCIIOnly: the terminal's locale cannot show UTF-8 (LANG=C), so every
	// character drawn is ASCII, charts and lines included. Implies
	// Config.ASCII's arrows and glyphs.
	ASCIIOnly bool
	// Sources are the account's source kinds, as in the settings
	// ("dexcom", "share", "nightscout"); the Source pane says how much
	// history they keep. Empty means the official API, as in the settings.
	Sources []string
}

// SyncedMsg is sent by the program's owner after each sync pass; the
// monitor reloads from the Store.
type SyncedMsg struct {
	Added int
	Next  time.Time
	Err   error
}

// chartWindows are the chart's zoom levels.
var chartWindows = []time.Duration{3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// statsPeriods are the statistics the `p` key cycles through.
var statsPeriods = [numPeriods]struct {
	name string
	d    time.Duration
}{
	{"24h", 24 * time.Hour},
	{"7 days", 7 * 24 * time.Hour},
	{"14 days", 14 * 24 * time.Hour},
	{"90 days", 90 * 24 * time.Hour},
}

const numPeriods = 4

// recentSpan is how much history the model keeps in memory: what the
// widest chart window shows. Longer periods live in the cache and reach
// the model only as statistics.
const recentSpan = 24 * time.Hour

// loadTimeout bounds a read of the local cache; a locked or broken
// database must not freeze the monitor.
const loadTimeout = 10 * time.Second

// watchEvery is how often Follow looks for changes to the cache made by
// any process (the monitor's own sync engine, `cgmtop sync --daemon`,
// another monitor, the status line's background sync). A look costs
// microseconds; a reading is on screen within this long of being stored.
const watchEvery = 2 * time.Second

// Model is the monitor. It is a tea.Model; build it with New.
type Model struct {
	store Store
	cfg   config.Config
	save  func(config.Config) error
	clk   clock.Clock
	th    theme.Theme
	thp   *theme.Theme // th, shared by the panes' context without a copy
	demo  bool
	name  string // the person's name in alerts (Options.Name); "" for one account
	// account is the person's account (Options.Account): the commands
	// errors name to log in name it. errIn and errOut are the last
	// source error and its words for the account.
	account       string
	errIn, errOut string
	ascii         bool           // draw nothing but ASCII (Options.ASCIIOnly)
	loc           *time.Location // clock times are shown in it; tests pin it
	out           io.Writer      // where bells and desktop notifications go

	keys     KeyMap     // the person screen's keys; the help pane shows them
	helpKeys HelpKeyMap // the full help's, while fullHelp
	fullHelp bool

	width, height int
	now           time.Time

	// What the cache last said.
	loaded    bool // the first load has finished
	fresh     cache.Freshness
	recent    []client.Reading // the last recentSpan, ascending
	events    []client.Event
	devices   []client.Device
	dataRange client.DataRange
	sync      cache.SyncStatus
	syncErr   error // from the last SyncedMsg
	loadErr   error // reading the cache failed
	summaries [numPeriods]stats.Summary
	statsOK   bool
	version   int64 // the cache's DataVersion when the last load started
	watching  bool  // version is known: changes to it trigger a reload
	loadSeq   int   // tags loads so a slow, older one cannot overwrite a newer one
	statsSeq  int
	tickSeq   int // tags the minute tick; see tickMsg

	window int // index in chartWindows
	period int // index in statsPeriods
	notice string

	alerts alertState

	dataGen int // counts loads of recent and events: the chart's key
	devGen  int // counts loads of devices: the devices pane's key

	// The person screen's panes, each keeping its last drawing, and the
	// context they read (see refresh).
	ctx     paneContext
	title   titlePane
	header  headerPane
	line    linePane
	banner  bannerPane
	chart   chartPane
	spark   sparkPane
	stats   statsPane
	source  devicesPane
	helpBar helpPane
	lower   memo[lowerKey]

	drawn    string // the screen refresh last joined
	drawnKey frameKey
	drawnOK  bool

	screen agpScreen // the AGP and daily screens (keys a, d), when open
}

// New builds the monitor.
func New(opts Options) Model {
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	th := opts.Theme
	if !th.Valid() {
		th = theme.Resolve(opts.Config.Theme, true)
	}
	cfg := opts.Config
	if cfg.Thresholds == (config.Thresholds{}) {
		cfg.Thresholds = config.Default().Thresholds
	}
	h := newHelp(th)
	return Model{
		store:    opts.Store,
		cfg:      cfg,
		save:     opts.SaveConfig,
		clk:      clk,
		th:       th,
		thp:      &th,
		demo:     opts.Demo,
		name:     opts.Name,
		account:  opts.Account,
		ascii:    opts.ASCIIOnly,
		loc:      time.Local,
		out:      os.Stdout,
		keys:     DefaultKeyMap(),
		helpKeys: DefaultHelpKeyMap(),

		helpBar: newHelpPane(DefaultKeyMap(), h),
		now:     clk.Now(),

		screen: newAgpScreen(agpStore(opts.Store), clk, time.Local, th, cfg.Unit(), cfg.ASCII),
		source: devicesPane{in: devicesIn{keeps: keeps(opts.Sources)}},
	}
}

// newHelp is the key help drawn in th's colours, for every screen.
func newHelp(th theme.Theme) help.Model {
	h := help.New()
	h.Styles.ShortKey = th.Styles.HelpKey
	h.Styles.ShortDesc = th.Styles.HelpDesc
	h.Styles.ShortSeparator = th.Styles.HelpSep
	h.Styles.FullKey = th.Styles.HelpKey
	h.Styles.FullDesc = th.Styles.HelpDesc
	h.Styles.FullSeparator = th.Styles.HelpSep
	h.Styles.Ellipsis = th.Styles.HelpSep
	return h
}

// Init loads the cache and starts the minute tick.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.loadCmd(), m.statsCmd(), m.tickCmd())
}

// loadedMsg carries what a load read from the cache. Each part is applied
// only if its query succeeded, so one failure never blanks the screen.
type loadedMsg struct {
	seq       int
	version   int64 // DataVersion before the queries; valid when versionOK
	versionOK bool
	fresh     *cache.Freshness
	recent    []client.Reading
	recentOK  bool
	events    []client.Event
	eventsOK  bool
	devices   []client.Device
	devicesOK bool
	dataRange *client.DataRange
	sync      *cache.SyncStatus
	err       error
}

type statsMsg struct {
	seq       int
	summaries [numPeriods]stats.Summary
	err       error
}

// tickMsg is the minute tick: ages and the chart's window move on. seq
// tags the tick so one armed for an older reading is dropped: only one
// tick chain ever runs, and none faster than a minute.
type tickMsg struct{ seq int }

// savedMsg reports the result of persisting the settings.
type savedMsg struct{ err error }

// notifiedMsg reports a failed write of a bell or notification.
type notifiedMsg struct{ err error }

func (m *Model) loadCmd() tea.Cmd {
	if m.store == nil {
		return nil
	}
	store, clk, off, seq := m.store, m.clk, m.sync.ClockOffset, m.loadSeq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		now := clk.Now().Add(off)
		msg := loadedMsg{seq: seq}
		// Read first: a commit landing during the queries then still
		// counts as a change, and is loaded again.
		if v, err := store.DataVersion(ctx); err == nil {
			msg.version, msg.versionOK = v, true
		}
		keep := func(err error) bool {
			if err != nil && msg.err == nil {
				msg.err = fmt.Errorf("reading the local cache: %w", err)
			}
			return err == nil
		}
		if f, err := store.Freshness(ctx); keep(err) {
			msg.fresh = &f
		}
		// The end is past now: a reading stamped a little ahead by a
		// drifting receiver clock is still the newest one.
		if rs, err := store.Readings(ctx, now.Add(-recentSpan), now.Add(time.Hour)); keep(err) {
			msg.recent, msg.recentOK = rs, true
		}
		if es, err := store.Events(ctx, now.Add(-recentSpan), now.Add(time.Hour)); keep(err) {
			msg.events, msg.eventsOK = es, true
		}
		if ds, err := store.Devices(ctx); keep(err) {
			msg.devices, msg.devicesOK = ds, true
		}
		if dr, err := store.DataRange(ctx); keep(err) {
			msg.dataRange = &dr
		}
		if s, err := store.SyncStatus(ctx); keep(err) {
			msg.sync = &s
		}
		return msg
	}
}

// statsCmd has the cache add up each period's readings and turns the sums
// into statistics: 90 days of readings are never loaded into memory.
func (m *Model) statsCmd() tea.Cmd {
	if m.store == nil {
		return nil
	}
	store, clk, off, seq := m.store, m.clk, m.sync.ClockOffset, m.statsSeq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		now := clk.Now().Add(off)
		var periods [numPeriods]time.Duration
		for i, p := range statsPeriods {
			periods[i] = p.d
		}
		sums, err := store.GlucoseSums(ctx, now, periods[:]...)
		if err == nil && len(sums) != numPeriods {
			err = fmt.Errorf("got %d sums for %d periods", len(sums), numPeriods)
		}
		if err != nil {
			return statsMsg{seq: seq, err: fmt.Errorf("reading the local cache for statistics: %w", err)}
		}
		msg := statsMsg{seq: seq}
		for i, p := range statsPeriods {
			msg.summaries[i] = sums[i].Summary(now.Add(-p.d), now)
		}
		return msg
	}
}

// watchMsg says the cache's DataVersion moved to version.
type watchMsg struct{ version int64 }

// Follow makes a monitor follow its cache, whoever writes it: every
// watchEvery (of clk's time) it looks at the store's DataVersion and, when
// that moved, tells the program through send (tea.Program.Send), which then
// reloads. It runs until ctx is done. It lives outside the program so that
// an idle monitor's program sleeps: looking wakes nothing else, while a
// tea.Tick would run Update and View every time. The overview follows
// everyone's caches on one Watcher.
func Follow(ctx context.Context, store Store, clk clock.Clock, send func(tea.Msg)) {
	w := NewWatcher(clk)
	w.Add(store, send)
	w.Run(ctx)
}

// tickCmd waits until the age shown next changes: the next whole minute
// since the newest reading, in clock time.
func (m *Model) tickCmd() tea.Cmd {
	d := time.Minute
	if t := m.fresh.Latest.Time; !t.IsZero() && !m.now.Before(t) {
		d = time.Minute - m.now.Sub(t)%time.Minute
	}
	// A little late rather than early, so the age has surely changed.
	d += time.Second
	seq := m.tickSeq
	return tea.Tick(m.clk.Wall(d), func(time.Time) tea.Msg { return tickMsg{seq: seq} })
}

// Update handles a message: it routes it, then brings the panes up to
// date (see refresh), so View only returns a string.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.step(msg)
	return m, cmd
}

// step is Update in place: the App steps the people it keeps without
// copying their models onto the heap, which boxing one in a tea.Model on
// every message would.
func (m *Model) step(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.refresh()
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	if cmd, done := m.routeScreen(msg); done {
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return nil

	case tea.KeyMsg:
		return m.handleKey(msg)

	case SyncedMsg:
		m.syncErr = msg.Err
		if !msg.Next.IsZero() {
			m.sync.NextPoll = msg.Next.Add(m.sync.ClockOffset)
		}
		m.loadSeq++
		cmds := []tea.Cmd{m.loadCmd()}
		if m.screen.open {
			var c tea.Cmd
			m.screen, c = m.screen.Update(msg)
			cmds = append(cmds, c)
		}
		if msg.Added > 0 || !m.statsOK {
			m.statsSeq++
			cmds = append(cmds, m.statsCmd())
		}
		return tea.Batch(cmds...)

	case watchMsg:
		if !m.watching || msg.version == m.version {
			return nil // before the first load, or what was loaded already
		}
		m.version = msg.version
		m.loadSeq++
		m.statsSeq++
		return tea.Batch(m.loadCmd(), m.statsCmd())

	case loadedMsg:
		if msg.seq != m.loadSeq {
			return nil
		}
		if msg.versionOK {
			m.version, m.watching = msg.version, true
		}
		latest := m.fresh.Latest.Time
		m.apply(msg)
		m.now = m.clockNow()
		cmds := []tea.Cmd{m.checkAlerts()}
		if !m.fresh.Latest.Time.Equal(latest) {
			// Ages count from the new reading: re-align the minute tick
			// to it, so "5 min ago" turns when the fifth minute does.
			m.tickSeq++
			cmds = append(cmds, m.tickCmd())
		}
		return tea.Batch(cmds...)

	case statsMsg:
		if msg.seq != m.statsSeq {
			return nil
		}
		if msg.err != nil {
			m.loadErr = msg.err
			return nil
		}
		m.summaries, m.statsOK = msg.summaries, true
		return nil

	case tickMsg:
		if msg.seq != m.tickSeq {
			return nil
		}
		m.now = m.clockNow()
		alert := m.checkAlerts()
		return tea.Batch(m.tickCmd(), alert)

	case savedMsg:
		if msg.err != nil {
			m.notice = "could not save the unit: " + msg.err.Error()
		}
		return nil

	case notifiedMsg:
		if msg.err != nil {
			m.notice = "could not ring the terminal: " + msg.err.Error()
		}
		return nil
	}
	return nil
}

func (m *Model) apply(msg loadedMsg) {
	m.loaded = true
	m.loadErr = msg.err
	if msg.fresh != nil {
		m.fresh = *msg.fresh
	}
	if msg.recentOK {
		m.recent = msg.recent
		m.dataGen++
		// The Freshness query and the range query may straddle a sync;
		// trust whichever saw the newer reading.
		if n := len(m.recent); n > 0 && m.recent[n-1].Time.After(m.fresh.Latest.Time) {
			m.fresh.Latest = m.recent[n-1]
			if n > 1 {
				m.fresh.Previous = m.recent[n-2]
			}
		}
	}
	if msg.eventsOK {
		m.events = msg.events
		m.dataGen++
	}
	if msg.devicesOK {
		m.devices = msg.devices
		m.devGen++
	}
	if msg.dataRange != nil {
		m.dataRange = *msg.dataRange
	}
	if msg.sync != nil {
		next := m.sync.NextPoll
		m.sync = *msg.sync
		// The sync status keeps this computer's times; everything on
		// screen is on the source's clock, as the readings are.
		for _, t := range []*time.Time{&m.sync.LastAttempt, &m.sync.LastSuccess, &m.sync.NextPoll} {
			if !t.IsZero() {
				*t = t.Add(m.sync.ClockOffset)
			}
		}
		if m.sync.NextPoll.IsZero() {
			m.sync.NextPoll = next
		}
	}
}

// clockNow is the time on the source's clock: this computer's, corrected by
// the offset the syncing process last measured, so a wrong clock neither
// makes a new reading look old nor an old one look new.
func (m *Model) clockNow() time.Time { return m.clk.Now().Add(m.sync.ClockOffset) }

func (m *Model) handleKey(msg tea.KeyMsg) tea.Cmd {
	if m.notice != "" {
		m.notice = ""
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return tea.Quit
	case m.fullHelp && key.Matches(msg, m.helpKeys.Close):
		m.fullHelp = false
	case key.Matches(msg, m.keys.Help):
		m.fullHelp = true
	case key.Matches(msg, m.keys.ZoomIn):
		if m.window > 0 {
			m.window--
		}
	case key.Matches(msg, m.keys.ZoomOut):
		if m.window < len(chartWindows)-1 {
			m.window++
		}
	case key.Matches(msg, m.keys.Window):
		m.window = int(msg.String()[0] - '1')
	case key.Matches(msg, m.keys.Period):
		m.period = (m.period + 1) % len(statsPeriods)
	case key.Matches(msg, m.keys.Units):
		m.cfg.Units = m.cfg.Unit().Toggle().String()
		if m.save != nil {
			save, cfg := m.save, m.cfg
			return func() tea.Msg { return savedMsg{err: save(cfg)} }
		}
	case key.Matches(msg, m.keys.Snooze):
		m.snooze()
	}
	return nil
}

func (m *Model) unit() client.Unit { return m.cfg.Unit() }

// snooze silences the person's alerts for their snooze time, from now.
func (m *Model) snooze() {
	m.now = m.clockNow()
	m.alerts = m.alerts.snooze(m.now, m.snoozeFor())
}

func (m *Model) snoozeFor() time.Duration {
	if n := m.cfg.Alerts.SnoozeMinutes; n > 0 {
		return time.Duration(n) * time.Minute
	}
	return 30 * time.Minute
}

// stale reports whether the newest reading is too old to act on.
func (m *Model) stale() bool {
	t := m.fresh.Latest.Time
	return !t.IsZero() && m.now.Sub(t) > m.cfg.StaleAfter()
}

// hasReading reports whether there is any reading to show.
func (m *Model) hasReading() bool { return !m.fresh.Latest.Time.IsZero() }

// sourceError is the problem to show about getting data, in plain words,
// or "" when all is well.
// A command it names to log in names the person's account.
func (m *Model) sourceError() string {
	var e string
	switch {
	case m.syncErr != nil:
		e = m.syncErr.Error()
	case m.sync.LastError != "":
		e = m.sync.LastError
	case m.loadErr != nil:
		e = m.loadErr.Error()
	}
	if statusline.Reason(e) == statusline.ReasonRateLimited {
		e = m.rateLimitWait(e)
	}
	if e != m.errIn {
		// Kept: the error is read on every message, and rewriting it
		// would allocate each time.
		m.errIn, m.errOut = e, forAccount(e, m.account)
	}
	return m.errOut
}

// rateLimitWait replaces a rate limit's wait ("waiting 1m30s", "retrying
// in 1m30s"), which was counted from when the error came and would never
// count down, with the time of the next try, as the sync pane says it.
func (m *Model) rateLimitWait(e string) string {
	for _, wait := range []string{"; waiting ", ": retrying in "} {
		if i := strings.Index(e, wait); i >= 0 {
			e = e[:i]
			if next := m.sync.NextPoll; next.After(m.now) {
				e += "; next try at " + next.In(m.loc).Format("15:04")
			}
			break
		}
	}
	return e
}

// loginCommand is a command an error tells the user to run to log in.
var loginCommand = regexp.MustCompile("`cgmtop login[^`]*`")

// forAccount has every `cgmtop login …` in s log account in, when it is not
// the default one (which a plain `cgmtop login` logs in). An error says
// "run `cgmtop login`" wherever it comes from (the sync engine, a daemon's
// status in the cache, the login store); only the monitor knows whose.
func forAccount(s, account string) string {
	if account == "" || account == config.DefaultAccount || !strings.Contains(s, "`cgmtop login") {
		return s
	}
	return loginCommand.ReplaceAllStringFunc(s, func(c string) string {
		if strings.Contains(c, "--account") {
			return c
		}
		return strings.TrimSuffix(c, "`") + " --account " + account + "`"
	})
}

// loginCommandIn is the first command s says to run to log in, or "".
func loginCommandIn(s string) string { return loginCommand.FindString(s) }
