package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/client/hybrid"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
)

const demoAccount = "demo"

// runDemo runs the whole real stack — login, client, sync, cache, monitor —
// against the built-in emulator on loopback, in a scratch folder that is
// deleted on exit.
func runDemo(ctx context.Context, opts monitorOptions, std stdio) error {
	source := opts.source
	switch source {
	case "dexcom", "share", "hybrid", "nightscout":
	default:
		return usageError("--source %q: use dexcom, share, nightscout or hybrid", source)
	}
	removeAbandonedDemos(os.TempDir())
	tmp, err := os.MkdirTemp("", demoPrefix)
	if err != nil {
		return fmt.Errorf("demo scratch folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	// Every way out of the demo runs the deferred removal (signals end it
	// through ctx); a demo killed outright (SIGKILL, a crash) leaves its
	// pid here for the next demo to find and clean up after it.
	if err := os.WriteFile(filepath.Join(tmp, demoPIDFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return fmt.Errorf("demo scratch folder: %w", err)
	}
	paths := config.Under(tmp)
	cfg, err := config.Load(config.DefaultPaths().ConfigFile) // the user's units and theme, if any
	if err != nil {
		cfg = config.Default()
	}
	cfg.TokenStore = "file"
	if opts.theme != "" {
		cfg.Theme = opts.theme
	}
	e := env{paths: paths, account: demoAccount, cfg: cfg}

	log, closeLog, err := openLog(paths)
	if err != nil {
		return err
	}
	defer closeLog()

	clk := clock.NewScaled(time.Now(), opts.speed)
	if opts.people > 1 {
		return runDemoPeople(ctx, e, opts, clk, log)
	}
	src, stop, err := demoSource(ctx, &e, source, 1, clk, log)
	if err != nil {
		return err
	}
	defer stop()
	return monitor(ctx, monitorSetup{
		env:    e,
		source: src,
		clock:  clk,
		log:    log,
		save:   nil, // the demo changes nothing of the user's
		demo:   true,
	})
}

// demoPeople are the names of the demo's people.
var demoPeople = []string{"Ana", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo"}

// demoPeopleSources are the sources the demo's people read, in turn: every
// kind of source at once.
var demoPeopleSources = []string{"dexcom", "share", "nightscout", "hybrid"}

// runDemoPeople is the overview of n emulated people, each with an
// emulator of their own (their own sensor) and a source in turn.
func runDemoPeople(ctx context.Context, e env, opts monitorOptions, clk *clock.Scaled, log *slog.Logger) error {
	if opts.people > len(demoPeople) {
		return usageError("--people %d: the demo follows at most %d people", opts.people, len(demoPeople))
	}
	first := slices.Index(demoPeopleSources, opts.source)
	var setups []monitorSetup
	for i := range opts.people {
		pe := e
		pe.account = demoAccount
		if i > 0 {
			pe.account = fmt.Sprintf("%s%d", demoAccount, i+1)
		}
		source := demoPeopleSources[(first+i)%len(demoPeopleSources)]
		src, stop, err := demoSource(ctx, &pe, source, int64(i+1), clk, log)
		if err != nil {
			return fmt.Errorf("demo person %d (%s): %w", i+1, source, err)
		}
		defer stop()
		a := pe.cfg.Account(pe.account)
		a.Name = demoPeople[i]
		pe.cfg.SetAccount(pe.account, a)
		setups = append(setups, monitorSetup{env: pe, source: src, clock: clk, log: log, demo: true})
	}
	return monitorPeople(ctx, setups, nil)
}

// demoSource starts an emulator for source, logs e's account in to it as
// a user would, and opens the account's source. stop ends the emulator.
func demoSource(ctx context.Context, ep *env, source string, seed int64, clk *clock.Scaled, log *slog.Logger) (client.Source, func(), error) {
	e := *ep
	defer func() { *ep = e }()
	paths := e.paths
	if source == "nightscout" {
		src, site, err := demoNightscout(ctx, &e, seed, clk, log)
		if err != nil {
			return nil, nil, err
		}
		return src, func() { site.Close() }, nil
	}
	redirect, err := freeRedirectURI()
	if err != nil {
		return nil, nil, err
	}
	lag := 30 * time.Second
	if source == "hybrid" {
		lag = time.Hour // as the US official API: Share brings the last hour
	}
	srv, err := emulator.Start(emulator.Config{
		Seed:        seed,
		Clock:       clk,
		AutoApprove: true,
		RedirectURI: redirect,
		UploadLag:   lag,
		Share:       emulator.ShareConfig{Lag: 10 * time.Second, Offset: 2 * time.Second},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("start the Dexcom emulator: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			srv.Close()
		}
	}()

	httpClient := dexcom.NewHTTPClient()
	if source != "dexcom" {
		if err := demoShareLogin(ctx, e, srv.URL()); err != nil {
			return nil, nil, err
		}
		if err := sourceAdded(ctx, e, config.SourceShare); err != nil {
			return nil, nil, err
		}
	}
	if source == "share" {
		e.cfg.SetAccount(e.account, config.Account{Sources: []string{config.SourceShare}})
		src, err := openSourceClock(ctx, e, clk, log)
		if err != nil {
			return nil, nil, err
		}
		ok = true
		return src, func() { srv.Close() }, nil
	}
	oauth := dexcom.OAuthConfig(srv.URL(), emulator.DefaultClientID, emulator.DefaultClientSecret, redirect)
	store := auth.NewFileStore(paths.TokenFile(e.account))
	// The same login code path as a real login; the emulator approves at
	// once, so "opening the browser" is a plain GET that follows its redirect
	// to our callback.
	tok, err := auth.Connect(ctx, store, srv.URL(), auth.LoginOptions{
		OAuth:       oauth,
		HTTPClient:  httpClient,
		OpenBrowser: func(url string) error { return getAndDiscard(ctx, httpClient, url) },
	})
	if err != nil {
		return nil, nil, fmt.Errorf("demo login: %w", err)
	}
	tokens := auth.NewTokenSource(store, oauth, httpClient, paths.Lock(e.account, "refresh"), clk)
	tokens.Seed(tok)
	var src client.Source = dexcom.New(srv.URL(), tokens, dexcom.WithHTTPClient(httpClient), dexcom.WithUserAgent(userAgent()))
	if source == "hybrid" {
		e.cfg.SetAccount(e.account, config.Account{Sources: []string{config.SourceShare}})
		rt, err := openSourceClock(ctx, e, clk, log)
		if err != nil {
			return nil, nil, err
		}
		src = hybrid.New(hybrid.Part{Kind: config.SourceDexcom, Source: src},
			hybrid.Part{Kind: config.SourceShare, Source: rt, Window: share.Window}, clk)
		// The settings as a real hybrid login leaves them: the monitor
		// says what the official API keeps.
		e.cfg.SetAccount(e.account, config.Account{Sources: []string{config.SourceDexcom, config.SourceShare}})
	}

	ok = true
	return src, func() { srv.Close() }, nil
}

const (
	demoPrefix  = "cgmtop-demo-"
	demoPIDFile = "pid"
)

// removeAbandonedDemos deletes the scratch folders of demos that were
// killed outright: their process is gone. A folder without a pid file may
// be one being set up this instant, and is left alone.
func removeAbandonedDemos(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, demoPrefix+"*"))
	for _, d := range old {
		data, err := os.ReadFile(filepath.Join(d, demoPIDFile))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && !processAlive(pid) {
			os.RemoveAll(d)
		}
	}
}

// processAlive reports whether pid names a running process. On Unix,
// signal 0 probes without disturbing it; Windows's FindProcess fails for a
// process that is gone. A killed process its parent has not reaped yet (a
// zombie: tmux may see its pane die first) takes signals but is gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
	}
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// "pid (comm) S ...": the state follows the command's name.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return false
		}
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// demoShareLogin logs in to the emulator's Share service as `cgmtop login
// share` would, keeping the login in the demo's scratch folder.
func demoShareLogin(ctx context.Context, e env, url string) error {
	store, err := shareStore(e)
	if err != nil {
		return err
	}
	l, err := share.Connect(ctx, nil, userAgent(), share.Login{
		Region: "us", URL: url, Username: emulator.DefaultShareUser, Password: emulator.DefaultSharePassword,
	})
	if err != nil {
		return fmt.Errorf("demo Share login: %w", err)
	}
	return store.Save(ctx, l)
}

// freeRedirectURI picks a free loopback port for the demo's OAuth callback.
func freeRedirectURI() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for the demo login: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/callback", nil
}

func getAndDiscard(ctx context.Context, c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
