package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
	"github.com/cgmtop/cgmtop/tui"
)

// peopleToFollow are the accounts the overview shows, in account order
// (the default first): every logged-in account, and every account whose
// settings name a person, so someone logged out is still there, saying so.
// loggedIn counts the logged-in ones.
func peopleToFollow(e env) (accounts []string, loggedIn int) {
	for _, a := range knownAccounts(e) {
		ae := e
		ae.account = a
		in := !loginStamp(ae).IsZero()
		if in {
			loggedIn++
		}
		if in || e.cfg.Accounts[a].Name != "" {
			accounts = append(accounts, a)
		}
	}
	return accounts, loggedIn
}

// loggedOutError is what a person's row says while their account has no
// login: how to log them in.
func loggedOutError(account string) error {
	if account == config.DefaultAccount {
		return errLoggedOut
	}
	return fmt.Errorf("logged out: run `cgmtop login --account %s` to sync again", account)
}

// sourceLabel names an account's sources as the overview shows them.
func sourceLabel(a config.Account) string {
	names := map[string]string{config.SourceDexcom: "official API", config.SourceShare: "Dexcom Share", config.SourceNightscout: "Nightscout"}
	s := ""
	for _, k := range a.Sources {
		if s != "" {
			s += " + "
		}
		if n := names[k]; n != "" {
			s += n
		} else {
			s += k
		}
	}
	return s
}

// runPeople opens the overview of accounts. Each person's login is opened
// on its own: one that fails is shown failing, and never holds the others.
func runPeople(ctx context.Context, e env, accounts []string, opts monitorOptions) error {
	settingsTheme := e.cfg.Theme
	if opts.theme != "" {
		e.cfg.Theme = opts.theme
	}
	log, closeLog, err := openLog(e.paths)
	if err != nil {
		return err
	}
	defer closeLog()
	setups := make([]monitorSetup, len(accounts))
	for i, a := range accounts {
		pe := e
		pe.account = a
		s := monitorSetup{env: pe, clock: clock.Real{}, log: log}
		if loginStamp(pe).IsZero() {
			s.sourceErr = loggedOutError(a)
		} else {
			open, cancel := context.WithTimeout(ctx, 10*time.Second)
			s.source, s.sourceErr = openSource(open, pe, log)
			cancel()
		}
		setups[i] = s
	}
	return monitorPeople(ctx, setups, func(units string) error {
		// The unit is the one setting the overview changes: read the
		// file again so nothing else another command saved is lost.
		c, err := config.Load(e.paths.ConfigFile)
		if err != nil {
			return err
		}
		c.Units = units
		c.Theme = settingsTheme
		return config.Save(e.paths.ConfigFile, c)
	})
}

// noCache stands for a person's cache when there is none to read: a
// logged-out account's (err nil: nothing cached), or one that could not be
// opened (every read says why, on their row, while the others run).
type noCache struct{ err error }

func (b noCache) Freshness(context.Context) (cache.Freshness, error) {
	return cache.Freshness{}, b.err
}
func (b noCache) Readings(context.Context, time.Time, time.Time) ([]client.Reading, error) {
	return nil, b.err
}
func (b noCache) Events(context.Context, time.Time, time.Time) ([]client.Event, error) {
	return nil, b.err
}
func (b noCache) Devices(context.Context) ([]client.Device, error) { return nil, b.err }
func (b noCache) DataRange(context.Context) (client.DataRange, error) {
	return client.DataRange{}, b.err
}
func (b noCache) SyncStatus(context.Context) (cache.SyncStatus, error) {
	return cache.SyncStatus{}, b.err
}
func (b noCache) GlucoseSums(context.Context, time.Time, ...time.Duration) ([]stats.Sums, error) {
	return nil, b.err
}
func (b noCache) DataVersion(context.Context) (int64, error) { return 0, b.err }

// monitorPeople runs the overview: per person a cache handle, a Follow of
// it and a sync engine, exactly as the one-person monitor has, each
// addressing its messages to its person.
func monitorPeople(ctx context.Context, setups []monitorSetup, saveUnits func(string) error) error {
	if len(setups) == 0 {
		return errors.New("no account to follow")
	}
	first := setups[0]
	th := theme.Detect(first.env.cfg.Theme)
	ascii := asciiOnly(os.Getenv)
	type opened struct {
		db       *swapDB
		raw      *cache.DB
		readOnly error
	}
	dbs := make([]opened, len(setups))
	people := make([]tui.Person, len(setups))
	for i, s := range setups {
		cfg := s.env.cfg.Person(s.env.account)
		cfg.ASCII = cfg.ASCII || ascii
		p := tui.Person{
			Options: tui.Options{Config: cfg, Clock: s.clock, Theme: th, Demo: s.demo, ASCIIOnly: ascii,
				Name: s.env.cfg.DisplayName(s.env.account)},
			Source: sourceLabel(s.env.cfg.Account(s.env.account)),
		}
		// A logged-out account's cache is not created: its row says how
		// to log in.
		path := s.env.paths.Database(s.env.account)
		if s.source == nil && !exists(path) {
			p.Store = noCache{err: nil}
			people[i] = p
			continue
		}
		raw, readOnly, err := openCache(ctx, path, s.log)
		if err != nil {
			s.log.Warn("cache could not be opened", "account", s.env.account, "err", err)
			p.Store = noCache{err: fmt.Errorf("open the cache: %w", err)}
			people[i] = p
			continue
		}
		db := newSwapDB(raw)
		dbs[i] = opened{db: db, raw: raw, readOnly: readOnly}
		p.Store = db
		people[i] = p
	}
	defer func() {
		for _, o := range dbs {
			if o.db != nil && !(first.demo && runtime.GOOS != "windows") {
				closeWithin(o.db, cacheCloseWait)
			}
		}
	}()

	app := tui.NewApp(tui.AppOptions{People: people, SaveUnits: saveUnits, Clock: first.clock, Theme: th,
		Demo: first.demo, ASCIIOnly: ascii})
	p := tea.NewProgram(app, programOptions(ctx, os.Getenv("TERM"))...)
	syncCtx, stopSync := context.WithCancel(ctx)
	var done []<-chan struct{}
	for i, s := range setups {
		send := tui.SendTo(i, p.Send)
		if dbs[i].db == nil {
			if s.sourceErr != nil {
				go send(tui.SyncedMsg{Err: s.sourceErr})
			}
			continue
		}
		done = append(done, startSync(syncCtx, s, dbs[i].raw, dbs[i].db, dbs[i].readOnly, send))
	}

	_, err := p.Run()
	stopSync()
	wait := time.NewTimer(engineStopWait)
	defer wait.Stop()
	for _, d := range done {
		select {
		case <-d:
			continue
		case <-wait.C:
			first.log.Warn("sync still stopping at exit", "waited", engineStopWait)
		}
		break
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}

var _ tui.Store = noCache{}
