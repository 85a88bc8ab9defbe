package statusline

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"text/template"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/config"
)

// Options are what `cgmtop status` was asked for; the CLI fills them from
// its flags and the settings file.
type Options struct {
	Paths    config.Paths
	Account  string
	Config   config.Config
	Format   Format
	Template *template.Template // a --template from ParseTemplate; overrides Format when set
	Units    string             // overrides Config.Units when set ("mg/dL", "mmol/L")
	ASCII    bool               // ASCII arrows even if the settings ask for Unicode
	NoColor  bool               // no styles; the NO_COLOR environment variable does the same
	NoSync   bool               // never start a background sync (for people who run the daemon)
	// ConfigError: the settings file is broken (Config holds the defaults);
	// the line says "config error" and no sync is started.
	ConfigError bool
	Now         time.Time
	// Spawn starts one background sync; nil means BackgroundSync(Account).
	Spawn func() error
	// All draws every person cgmtop knows (Config.People) on one line,
	// each on their own settings; Account is then ignored.
	All bool
	// SpawnFor, when set, starts the background sync of one account of
	// several (for tests); nil means BackgroundSync(account).
	SpawnFor func(account string) error
}

// readTimeout bounds the database fallback: status must never hang a
// status bar, even on a wedged disk.
const readTimeout = 2 * time.Second

// Run is `cgmtop status`: it reads the snapshot (or, failing that, the
// cache database), prints one line to stdout, starts a background sync if
// the cache is behind and nobody is syncing, and returns the exit code. It
// never touches the network or the keyring, never waits for the sync it
// starts, and always prints something: every failure is a state on the line.
func Run(ctx context.Context, opts Options, stdout io.Writer) int {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.All {
		return runAll(ctx, opts, stdout)
	}
	in := input(ctx, opts, opts.Account)
	var out []byte
	code := 0
	if opts.Template != nil {
		var err error
		if out, err = RenderTemplate(in, opts.Template); err != nil {
			out, code = []byte("cgm: bad template\n"), 2
		}
	} else {
		out, code = Render(in, opts.Format)
	}
	stdout.Write(out) // a status bar that went away is not our failure
	maybeSync(opts, opts.Account, in)
	return code
}

// input gathers what account's line is drawn from, on the person's own
// thresholds.
func input(ctx context.Context, opts Options, account string) Input {
	cfg := opts.Config.Person(account)
	in := Input{
		Account:     account,
		Name:        cfg.DisplayName(account),
		Now:         opts.Now,
		Unit:        cfg.Unit(),
		Thresholds:  cfg.Thresholds,
		StaleAfter:  cfg.StaleAfter(),
		ASCII:       opts.ASCII || cfg.ASCII,
		Color:       !opts.NoColor && os.Getenv("NO_COLOR") == "",
		ConfigError: opts.ConfigError,
	}
	if opts.Units != "" {
		if u, err := client.ParseUnit(opts.Units); err == nil {
			in.Unit = u
		}
	}
	if in.Thresholds == (config.Thresholds{}) {
		in.Thresholds = config.Default().Thresholds
	}
	hasData := false
	in.Fresh, hasData, in.CacheError = load(ctx, opts.Paths, account)
	in.LoggedIn = hasData || exists(LoginMarkerPath(opts.Paths, account))
	if k := cfg.Account(account).Realtime(); k != "" {
		if err := gate.For(opts.Paths, account, k).Check(); err != nil {
			in.SourceRefused = err.Error()
		}
	}
	return in
}

// maybeSync starts a background sync of account when its cache is behind
// and nobody is syncing it.
func maybeSync(opts Options, account string, in Input) {
	if opts.NoSync || opts.ConfigError {
		return
	}
	spawn := opts.Spawn
	switch {
	case opts.SpawnFor != nil:
		spawn = func() error { return opts.SpawnFor(account) }
	case spawn == nil:
		spawn = BackgroundSync(account)
	}
	// A failure to spawn shows up as a stale line soon enough; status
	// itself has nowhere useful to report it. An unreadable cache also
	// calls for a sync: cache.Open moves a damaged file aside and the
	// sync rebuilds it, and the spawn marker limits that to one try a
	// minute.
	// The spawn rule runs on this computer's clock, as the sync status
	// does; the reading's time is the server's.
	latest := in.Fresh.Latest.Time
	if !latest.IsZero() {
		latest = latest.Add(-in.Fresh.Sync.ClockOffset)
	}
	MaybeSpawn(opts.Paths, account, SpawnState{
		Now: in.Now, LoggedIn: in.LoggedIn,
		Latest: latest, Sync: in.Fresh.Sync,
	}, spawn)
}

// load reads the freshness: the snapshot when it is there and sound, the
// database otherwise. hasData says whether either exists; cacheErr that the
// database exists but could not be read.
func load(ctx context.Context, p config.Paths, account string) (f cache.Freshness, hasData, cacheErr bool) {
	f, err := ReadSnapshot(SnapshotPath(p, account))
	if err == nil {
		return f, true, false
	}
	snapFound := !errors.Is(err, fs.ErrNotExist)
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	db, err := cache.OpenReader(ctx, p.Database(account))
	if errors.Is(err, fs.ErrNotExist) {
		return cache.Freshness{}, snapFound, snapFound
	}
	if err != nil {
		return cache.Freshness{}, true, true
	}
	defer db.Close()
	f, err = db.Freshness(ctx)
	if err != nil {
		return cache.Freshness{}, true, true
	}
	return f, true, false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
