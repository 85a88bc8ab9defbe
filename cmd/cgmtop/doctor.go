package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/doctor"
)

// probeTimeout bounds the one request doctor makes to each account's server.
const probeTimeout = 15 * time.Second

func newDoctorCmd(std stdio) *cobra.Command {
	var offline, ascii bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the whole setup and say how to fix what is wrong",
		Long: `Check the settings file, each account's login and server (one request per
account, none with --offline), the keyring, each cache, syncing, the free
space where cgmtop writes, the clock against the server's, the terminal and
tmux. Each finding is one line, with
the fix under it. doctor changes nothing and never prints a glucose value; it
exits 1 when something is broken, 0 otherwise.`,
		Example: `  cgmtop doctor
  cgmtop doctor --offline --ascii`,
		GroupID: "other",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), offline, ascii, std)
		},
	}
	cmd.Flags().BoolVar(&offline, "offline", false, "make no request to any server")
	cmd.Flags().BoolVar(&ascii, "ascii", false, "ASCII marks instead of ✓ and ✗")
	return cmd
}

func runDoctor(ctx context.Context, offline, ascii bool, std stdio) error {
	paths := config.DefaultPaths()
	cfg, cfgErr := config.Load(paths.ConfigFile)
	checks := doctor.Env{
		Paths: paths, Config: cfg, ConfigErr: cfgErr,
		Offline:   offline,
		Getenv:    os.Getenv,
		Keyring:   keyringCause,
		FreeSpace: doctor.FreeSpace,
		LoggedIn: func(ctx context.Context, account string) (string, error) {
			return loggedIn(ctx, env{paths: paths, account: account, cfg: cfg})
		},
		Probe: func(ctx context.Context, account string) doctor.Probe {
			return probeServer(ctx, env{paths: paths, account: account, cfg: cfg})
		},
	}
	if _, err := exec.LookPath("tmux"); err == nil {
		checks.Tmux = func(ctx context.Context, args ...string) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "tmux", args...).Output()
			return string(out), err
		}
	}
	report := doctor.Run(ctx, checks)
	if err := report.Write(std.out, ascii); err != nil {
		return err
	}
	if report.Failed() {
		return &exitError{code: 1}
	}
	return nil
}

// keyringCause is auth.KeyringAvailable with only the cause in its text:
// doctor says "no OS keyring answers" and the fix in its own words.
func keyringCause(ctx context.Context) error {
	err := auth.KeyringAvailable(ctx)
	if err == nil {
		return nil
	}
	cause := strings.TrimPrefix(err.Error(), auth.ErrKeyringUnavailable.Error())
	if cause = strings.Trim(cause, " ()"); cause == "" {
		cause = "no answer"
	}
	return errors.New(cause)
}

// loggedIn says where the account's login is kept, or doctor.ErrNoLogin.
func loggedIn(ctx context.Context, e env) (string, error) {
	store, err := tokenStore(e)
	if err != nil {
		return "", err
	}
	st, err := auth.LoadStatus(ctx, store)
	if errors.Is(err, auth.ErrNoLogin) {
		return "", doctor.ErrNoLogin
	}
	return st.Where, err
}

// probeServer asks the account's server for its data range: one request
// that proves the network, the server and the login, and whose Date header
// tells the server's clock.
func probeServer(ctx context.Context, e env) doctor.Probe {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	httpClient := newHTTPClient()
	dates := &dateRecorder{next: httpClient.Transport}
	httpClient.Transport = dates
	discard := slog.New(slog.DiscardHandler)
	src, base, err := openDexcomOver(ctx, e, discard, httpClient)
	if err != nil {
		return doctor.Probe{Server: "the server", Err: err}
	}
	p := doctor.Probe{Server: base}
	if _, err := src.DataRange(ctx); err != nil {
		p.Err = err
	}
	p.ServerDate = dates.last()
	return p
}

// dateRecorder keeps the Date header of the last answer that had one.
type dateRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	date time.Time
}

func (d *dateRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(req)
	if err == nil {
		if t, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			d.mu.Lock()
			d.date = t
			d.mu.Unlock()
		}
	}
	return resp, err
}

func (d *dateRecorder) last() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.date
}
