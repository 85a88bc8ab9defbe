package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
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
	if source == "nightscout" {
		src, site, err := demoNightscout(ctx, &e, clk, log)
		if err != nil {
			return err
		}
		defer site.Close()
		return monitor(ctx, monitorSetup{env: e, source: src, clock: clk, log: log, demo: true})
	}
	redirect, err := freeRedirectURI()
	if err != nil {
		return err
	}
	lag := 30 * time.Second
	if source == "hybrid" {
		lag = time.Hour // as the US official API: Share brings the last hour
	}
	srv, err := emulator.Start(emulator.Config{
		Seed:        1,
		Clock:       clk,
		AutoApprove: true,
		RedirectURI: redirect,
		UploadLag:   lag,
		Share:       emulator.ShareConfig{Lag: 10 * time.Second, Offset: 2 * time.Second},
	})
	if err != nil {
		return fmt.Errorf("start the Dexcom emulator: %w", err)
	}
	defer srv.Close()

	httpClient := dexcom.NewHTTPClient()
	if source != "dexcom" {
		if err := demoShareLogin(ctx, e, srv.URL()); err != nil {
			return err
		}
		if err := sourceAdded(ctx, e, config.SourceShare); err != nil {
			return err
		}
	}
	if source == "share" {
		e.cfg.SetAccount(demoAccount, config.Account{Sources: []string{config.SourceShare}})
		src, err := openSourceClock(ctx, e, clk, log)
		if err != nil {
			return err
		}
		return monitor(ctx, monitorSetup{env: e, source: src, clock: clk, log: log, demo: true})
	}
	oauth := dexcom.OAuthConfig(srv.URL(), emulator.DefaultClientID, emulator.DefaultClientSecret, redirect)
	store := auth.NewFileStore(paths.TokenFile(demoAccount))
	// The same login code path as a real login; the emulator approves at
	// once, so "opening the browser" is a plain GET that follows its redirect
	// to our callback.
	tok, err := auth.Connect(ctx, store, srv.URL(), auth.LoginOptions{
		OAuth:       oauth,
		HTTPClient:  httpClient,
		OpenBrowser: func(url string) error { return getAndDiscard(ctx, httpClient, url) },
	})
	if err != nil {
		return fmt.Errorf("demo login: %w", err)
	}
	tokens := auth.NewTokenSource(store, oauth, httpClient, paths.Lock(demoAccount, "refresh"), clk)
	tokens.Seed(tok)
	var src client.Source = dexcom.New(srv.URL(), tokens, dexcom.WithHTTPClient(httpClient), dexcom.WithUserAgent(userAgent()))
	if source == "hybrid" {
		e.cfg.SetAccount(demoAccount, config.Account{Sources: []string{config.SourceShare}})
		rt, err := openSourceClock(ctx, e, clk, log)
		if err != nil {
			return err
		}
		src = hybrid.New(hybrid.Part{Kind: config.SourceDexcom, Source: src},
			hybrid.Part{Kind: config.SourceShare, Source: rt, Window: share.Window}, clk)
	}

	return monitor(ctx, monitorSetup{
		env:    e,
		source: src,
		clock:  clk,
		log:    log,
		save:   nil, // the demo changes nothing of the user's
		demo:   true,
	})
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
// process that is gone.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true
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
