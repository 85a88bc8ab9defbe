package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/lockfile"
	"github.com/cgmtop/cgmtop/statusline"
)

// ErrNoLogin is what Env.LoggedIn returns for an account with nothing
// stored; the cmd wiring maps auth.ErrNoLogin to it.
var ErrNoLogin = errors.New("not logged in")

// clockTolerance is how far the computer's clock may be from the server's
// before the ages cgmtop shows would be wrong by more than a rounding.
const clockTolerance = 2 * time.Minute

func checkSettings(env Env) []Finding {
	path := env.Paths.ConfigFile
	if env.ConfigErr != nil {
		return []Finding{{Topic: "settings", Level: Fail, Say: oneLine(env.ConfigErr.Error()),
			Fix: "edit " + path + " (or move it away to start from the defaults)"}}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return []Finding{{Topic: "settings", Level: OK, Say: "no settings file: the defaults apply (" + path + ")"}}
	}
	return []Finding{{Topic: "settings", Level: OK, Say: path + " is valid"}}
}

// accounts lists the accounts that have anything on this machine: a cache,
// a login, a lock.
func accounts(p config.Paths) []string {
	var names []string
	for _, dir := range []string{filepath.Dir(p.AccountDataDir("x")), filepath.Dir(p.AccountStateDir("x"))} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() && config.CheckAccount(e.Name()) == nil && !slices.Contains(names, e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return names
}

func checkAccountsFolder(env Env) ([]string, []Finding) {
	names := accounts(env.Paths)
	if len(names) == 0 {
		return nil, []Finding{{Topic: "login", Level: Fail, Say: "no account is set up on this machine",
			Fix: "run `cgmtop login` (or try `cgmtop --demo` first: it needs no account)"}}
	}
	return names, nil
}

// checkKeyring asks the OS keyring for an answer. Without any account a
// silent keyring is only a warning: nothing is lost yet, and the fix is a
// choice at login.
func checkKeyring(ctx context.Context, env Env, haveAccounts bool) []Finding {
	if env.Keyring == nil {
		return nil
	}
	err := env.Keyring(ctx)
	used := env.Config.TokenStore == "" || env.Config.TokenStore == "keyring"
	switch {
	case err == nil && used:
		return []Finding{{Topic: "keyring", Level: OK, Say: "the OS keyring answers; logins are kept there"}}
	case err == nil:
		return []Finding{{Topic: "keyring", Level: Info, Say: "the OS keyring answers, but token_store = file keeps logins in a private file"}}
	case used:
		level := Fail
		if !haveAccounts {
			level = Warn
		}
		return []Finding{{Topic: "keyring", Level: level, Say: "no OS keyring answers (" + oneLine(err.Error()) + ")",
			Fix: "unlock or start your keyring (GNOME Keyring, KWallet, macOS Keychain); on a headless machine or over SSH use `cgmtop login --token-store file`"}}
	default:
		return []Finding{{Topic: "keyring", Level: OK, Say: "not used: token_store = file keeps logins in a private file"}}
	}
}

// loginCommand is the command that logs the account in again.
func loginCommand(account string) string {
	if account == config.DefaultAccount {
		return "cgmtop login"
	}
	return "cgmtop login --account " + account
}

// checkAccount looks at one account: its login, its server (and the clock
// against it), its cache and its syncing.
func checkAccount(ctx context.Context, env Env, account string) []Finding {
	var r []Finding
	loggedIn := false
	// The person's display name, when the settings give one, says whose
	// account it is; the account name stays, since commands take it.
	who := account
	if n := env.Config.DisplayName(account); n != account {
		who += " (" + oneLine(n) + ")"
	}
	if env.LoggedIn != nil {
		where, err := env.LoggedIn(ctx, account)
		switch {
		case err == nil:
			loggedIn = true
			r = append(r, Finding{Topic: "login", Level: OK, Say: who + ": logged in (" + where + ")"})
		case errors.Is(err, ErrNoLogin):
			r = append(r, Finding{Topic: "login", Level: Fail, Say: who + ": not logged in",
				Fix: "run `" + loginCommand(account) + "`"})
		default:
			r = append(r, Finding{Topic: "login", Level: Fail, Say: who + ": the login cannot be read: " + oneLine(err.Error()),
				Fix: "fix the keyring (see above), or log in again with `" + loginCommand(account) + " --token-store file`"})
		}
	}
	if loggedIn {
		r = append(r, checkServer(ctx, env, account)...)
	}
	return append(r, checkCache(ctx, env, account)...)
}

func checkServer(ctx context.Context, env Env, account string) []Finding {
	if env.Offline || env.Probe == nil {
		return []Finding{{Topic: "source", Level: Info, Say: account + ": server not asked (--offline)"}}
	}
	p := env.Probe(ctx, account)
	if p.Err != nil {
		return []Finding{{Topic: "source", Level: Fail, Say: account + ": " + p.Server + " did not answer as it should: " + oneLine(p.Err.Error()),
			Fix: "check the network; if it says the login expired, run `" + loginCommand(account) + "`"}}
	}
	r := []Finding{{Topic: "source", Level: OK, Say: account + ": " + p.Server + " answers and accepts the login"}}
	if p.ServerDate.IsZero() {
		return r
	}
	// The Date header has whole seconds, cut down: the server's time was
	// half a second past it on average. A difference under that is noise.
	off := env.Now().Sub(p.ServerDate.Add(time.Second / 2)).Round(time.Second)
	if off.Abs() <= clockTolerance {
		return append(r, Finding{Topic: "clock", Level: OK, Say: "this computer's clock agrees with " + p.Server + " (within " + off.Abs().String() + ")"})
	}
	side := "ahead of"
	if off < 0 {
		side = "behind"
	}
	return append(r, Finding{Topic: "clock", Level: Warn,
		Say: fmt.Sprintf("this computer's clock is %s %s %s: ages would be wrong by as much", roughDuration(off.Abs()), side, p.Server),
		Fix: "turn on network time (Linux: `timedatectl set-ntp true`; macOS: Settings → General → Date & Time); cgmtop corrects ages against the server meanwhile"})
}

func checkCache(ctx context.Context, env Env, account string) []Finding {
	path := env.Paths.Database(account)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []Finding{{Topic: "cache", Level: Info, Say: account + ": no readings cached yet",
			Fix: "run `cgmtop sync` (or open `cgmtop`): it fetches the last 90 days"}}
	}
	if err != nil {
		return []Finding{{Topic: "cache", Level: Fail, Say: account + ": " + oneLine(err.Error()),
			Fix: "check that " + filepath.Dir(path) + " is yours and readable"}}
	}
	broken := func(err error) []Finding {
		if errors.Is(err, cache.ErrDamaged) {
			return []Finding{{Topic: "cache", Level: Fail, Say: account + ": the cache is damaged (" + path + ")",
				Fix: "run `cgmtop sync`: it moves the damaged file aside and fetches the history again"}}
		}
		return []Finding{{Topic: "cache", Level: Fail, Say: account + ": " + oneLine(err.Error())}}
	}
	db, err := cache.OpenReader(ctx, path)
	if err != nil {
		return broken(err)
	}
	defer db.Close()
	if err := db.Verify(ctx); err != nil {
		return broken(err)
	}
	f, err := db.Freshness(ctx)
	if err != nil {
		return broken(err)
	}
	now := env.Now()
	// A reading's time is on the source's clock: its age is counted there,
	// as the status line and the monitor count it, or a computer clock an
	// hour off would make a fresh reading look an hour old (or new).
	age := now.Add(f.Sync.ClockOffset).Sub(f.Latest.Time)
	r := []Finding{{Topic: "cache", Level: OK, Say: fmt.Sprintf("%s: sound, %s, newest reading %s",
		account, size(fi.Size()), agoSince(f.Latest.Time, age))}}
	return append(r, checkSync(env, account, f, now, age)...)
}

// checkSync reports who syncs and how the last sync went; age is the
// newest reading's, on the source's clock.
func checkSync(env Env, account string, f cache.Freshness, now time.Time, age time.Duration) []Finding {
	held, err := lockHeld(env.Paths.Lock(account, "sync"))
	var r []Finding
	switch {
	case err != nil:
		r = append(r, Finding{Topic: "sync", Level: Warn, Say: account + ": " + oneLine(err.Error()),
			Fix: "check that " + env.Paths.StateDir + " is yours and writable"})
	case held:
		r = append(r, Finding{Topic: "sync", Level: OK, Say: account + ": a sync is running now (`cgmtop sync --daemon` or an open monitor)"})
	default:
		r = append(r, Finding{Topic: "sync", Level: Info, Say: account + ": no daemon running; `cgmtop status` starts a background sync when the cache is due",
			Fix: "optional: run `cgmtop sync --daemon` as a service (README: Syncing as a service)"})
	}
	s := f.Sync
	switch {
	case s.LastError != "":
		r = append(r, Finding{Topic: "sync", Level: Warn, Say: account + ": the last sync " + ago(now, s.LastAttempt) + " failed: " + statusline.Reason(s.LastError),
			Fix: "run `cgmtop sync` to see the whole message"})
	case !s.LastSuccess.IsZero():
		r = append(r, Finding{Topic: "sync", Level: OK, Say: account + ": last sync " + ago(now, s.LastSuccess) + " succeeded"})
	}
	if stale := env.Config.StaleAfter(); !f.Latest.Time.IsZero() && age > stale && s.LastError == "" {
		r = append(r, Finding{Topic: "sync", Level: Warn,
			Say: fmt.Sprintf("%s: the newest reading is older than %s", account, roughDuration(stale)),
			Fix: "check the phone or receiver is uploading; the official API runs about an hour behind (see README: sources)"})
	}
	return r
}

// lockHeld is lockfile.Held without making the file: doctor only looks,
// and a missing lock file is no sync.
func lockHeld(path string) (bool, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return lockfile.Held(path)
}

// agoSince says age as ago does, for a reading at t.
func agoSince(t time.Time, age time.Duration) string {
	if t.IsZero() {
		return "never"
	}
	return roughDuration(age) + " ago"
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return roughDuration(now.Sub(t)) + " ago"
}

// roughDuration says a duration the way a person would, rounded to the
// unit it is said in: 40s, 7 min, 3h05m, 4 days.
func roughDuration(d time.Duration) string {
	d = d.Abs()
	if s := d.Round(time.Second); s < time.Minute {
		return fmt.Sprintf("%ds", int(s.Seconds()))
	}
	m := d.Round(time.Minute)
	switch {
	case m < time.Hour:
		return fmt.Sprintf("%d min", int(m.Minutes()))
	case m < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(m.Hours()), int(m.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(m.Hours()/24))
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// oneLine keeps a finding on its line whatever an error's text holds: a
// server's words can carry newlines and terminal control sequences.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || 0x7f <= r && r < 0xa0 {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
