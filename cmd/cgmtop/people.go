package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
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
	// Each login opens on its own, beside the program (see monitorPeople):
	// a slow keyring or a refused login holds neither the first screen
	// nor anyone else.
	setups := make([]monitorSetup, len(accounts))
	for i, a := range accounts {
		pe := e
		pe.account = a
		setups[i] = monitorSetup{env: pe, clock: clock.Real{}, log: log}
		if loginStamp(pe).IsZero() {
			setups[i].sourceErr = loggedOutError(a)
			continue
		}
		setups[i].openSource = func(ctx context.Context) (client.Source, error) {
			open, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return openSource(open, pe, log)
		}
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
	stores := make([]*lateStore, len(setups))
	people := make([]tui.Person, len(setups))
	for i, s := range setups {
		cfg := s.env.cfg.Person(s.env.account)
		cfg.ASCII = cfg.ASCII || ascii
		people[i] = tui.Person{
			Options: tui.Options{Config: cfg, Clock: s.clock, Theme: th, Demo: s.demo, ASCIIOnly: ascii,
				Name: s.env.cfg.DisplayName(s.env.account), Account: s.env.account,
				Sources: s.env.cfg.Account(s.env.account).Sources},
			Source: sourceLabel(s.env.cfg.Account(s.env.account)),
		}
		stores[i] = newLateStore()
		people[i].Store = stores[i]
		// A logged-out account's cache is not created until they log in:
		// meanwhile their row says how to.
		stores[i].empty = s.source == nil && s.openSource == nil && !exists(s.env.paths.Database(s.env.account))
	}
	leaveOpen := first.demo && runtime.GOOS != "windows" // see monitor
	defer func() {
		for _, st := range stores {
			if db := st.db(); db != nil && !leaveOpen {
				closeWithin(db, cacheCloseWait)
			}
		}
	}()

	app := tui.NewApp(tui.AppOptions{People: people, SaveUnits: saveUnits, Clock: first.clock, Theme: th,
		Demo: first.demo, ASCIIOnly: ascii})
	// Frames show at once, as in the monitor (see monitorFPS).
	prog, output, stopPaint := tui.Paint(app, os.Stdout)
	p := tea.NewProgram(prog, append(programOptions(ctx, os.Getenv("TERM")), output)...)
	syncCtx, stopSync := context.WithCancel(ctx)
	var mu sync.Mutex
	var done []<-chan struct{}
	// One look at everyone's cache every two seconds, not one per person.
	watch := tui.NewWatcher(first.clock)
	go watch.Run(syncCtx)
	for i, s := range setups {
		send := tui.SendTo(i, p.Send)
		s.watch = watch
		// Every person's cache opens on its own, beside the program:
		// the first screen waits for nobody, and one cache that is slow
		// or broken holds nobody else.
		go func() {
			if stores[i].empty {
				// Logged out: say so, and wait for a login.
				send(tui.SyncedMsg{Err: s.sourceErr})
				f := &follower{env: s.env, clk: s.clock, log: s.log}
				if f.waitFor(syncCtx, func(t time.Time) bool { return !t.IsZero() }).IsZero() {
					return
				}
				if e, err := loadEnv(s.env.account); err == nil {
					s.env.cfg = e.cfg // the login wrote the account's settings
				}
				// The row stops saying "logged out" now, not when the
				// first pass (a backfill, maybe long) ends.
				send(tui.SyncedMsg{})
				s.sourceErr = nil
				s.openSource = func(ctx context.Context) (client.Source, error) { return openSource(ctx, s.env, s.log) }
			}
			var opened sync.WaitGroup
			if s.openSource != nil {
				opened.Add(1)
				go func() {
					defer opened.Done()
					s.source, s.sourceErr = s.openSource(syncCtx)
				}()
			}
			db, raw, readOnly, err := stores[i].open(syncCtx, s.env.paths.Database(s.env.account), s.log)
			opened.Wait()
			if err != nil {
				s.log.Warn("cache could not be opened", "account", s.env.account, "err", err)
				send(tui.SyncedMsg{Err: err})
				return
			}
			d := startSync(syncCtx, s, raw, db, readOnly, send)
			mu.Lock()
			done = append(done, d)
			mu.Unlock()
		}()
	}

	_, err := p.Run()
	stopPaint()
	stopSync()
	wait := time.NewTimer(engineStopWait)
	defer wait.Stop()
	mu.Lock()
	waitFor := done
	mu.Unlock()
	for _, d := range waitFor {
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
