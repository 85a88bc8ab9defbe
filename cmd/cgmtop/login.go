package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/config"
)

func runLogin(ctx context.Context, args []string, std stdio) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		kind, ok := sourceKinds[args[0]]
		switch {
		case !ok:
			return usageError("cannot log in to %q: use `cgmtop login` (the official API), `cgmtop login share` or `cgmtop login nightscout`", args[0])
		case kind.login != nil:
			return kind.login(ctx, args[1:], std)
		}
		args = args[1:] // `cgmtop login dexcom` is `cgmtop login`
	}
	fs := newFlags("login", "cgmtop login [--client-id ID] [--region us|eu|jp|sandbox | --api-url URL] [flags]", std)
	account := fs.String("account", config.DefaultAccount, "name for this login, if you have several")
	clientID := fs.String("client-id", os.Getenv("CGMTOP_CLIENT_ID"), "your Dexcom app's client ID (env CGMTOP_CLIENT_ID)")
	secret := fs.String("client-secret", "", "your Dexcom app's client secret; better left out: it is asked for hidden, or read from env CGMTOP_CLIENT_SECRET")
	region := fs.String("region", "", "Dexcom region: us, eu, jp or sandbox (default from settings, else us)")
	apiURL := fs.String("api-url", "", "a custom Dexcom-compatible server: https, or http on this machine only, such as cgmtop emulate (--api-url http://127.0.0.1:8080)")
	redirect := fs.String("redirect-uri", "", "the redirect URI registered for your app (default http://localhost:8765/callback)")
	noBrowser := fs.Bool("no-browser", false, "print the link instead of opening a browser (automatic over SSH)")
	storeKind := fs.String("token-store", "", "where to keep the login: keyring (default) or file (a private file, for machines with no keyring)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("login takes no arguments, got %q", fs.Args())
	}
	if flagSet(fs, "client-secret") {
		fmt.Fprintln(std.err, "cgmtop: warning: --client-secret shows your secret to every user of this machine (in the process list) and keeps it in your shell history; leave it out to type it hidden, or set CGMTOP_CLIENT_SECRET")
	}
	if *apiURL != "" {
		if _, err := client.ServerURL(*apiURL); err != nil {
			return usageError("--api-url %v", err)
		}
	}
	e, err := loadEnv(*account)
	if err != nil {
		return err
	}
	cfg := e.cfg
	if *region != "" {
		cfg.Region, cfg.APIURL = *region, ""
	}
	if *apiURL != "" {
		cfg.APIURL = *apiURL
	}
	if *redirect != "" {
		cfg.RedirectURI = *redirect
	}
	if *storeKind != "" {
		cfg.TokenStore = *storeKind
	}
	if *clientID != "" {
		cfg.ClientID = *clientID
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	base, err := apiBase(cfg.Region, cfg.APIURL)
	if err != nil {
		return usageError("--region: %v", err)
	}

	in := bufio.NewReader(std.in)
	if cfg.ClientID == "" {
		if cfg.ClientID, err = ask(in, std, "Dexcom app client ID: ", false); err != nil {
			return err
		}
	}
	if *secret == "" {
		*secret = os.Getenv("CGMTOP_CLIENT_SECRET")
	}
	if *secret == "" {
		if *secret, err = ask(in, std, "Dexcom app client secret (hidden): ", true); err != nil {
			return err
		}
	}
	if cfg.ClientID == "" || *secret == "" {
		return usageError("a client ID and secret are needed: register a free app at the Dexcom developer portal (see README)")
	}

	e.cfg = cfg
	store, err := tokenStore(e)
	if err != nil {
		return err
	}
	httpClient := newHTTPClient()
	oauth := dexcom.OAuthConfig(base, cfg.ClientID, *secret, cfg.RedirectURI)
	_, err = auth.Connect(ctx, store, base, auth.LoginOptions{
		OAuth:      oauth,
		HTTPClient: httpClient,
		NoBrowser:  *noBrowser || !auth.ShouldUseBrowser(),
		In:         in,
		Out:        std.err,
	})
	if err != nil {
		return err
	}
	// Remember everything but the secrets, so the next login and every other
	// command need no flags.
	hybridNow := cfg.Account(e.account).Realtime() != ""
	if hybridNow {
		addSource(&cfg, e.account, config.SourceDexcom, false)
	}
	if err := config.Save(e.paths.ConfigFile, cfg); err != nil {
		return err
	}
	if hybridNow {
		if err := sourceAdded(ctx, e, config.SourceDexcom); err != nil {
			return err
		}
	}
	if err := writeMarker(e, loginMarker{ClientID: cfg.ClientID, BaseURL: base, TokenStore: cfg.TokenStore, At: time.Now().UTC()}); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Logged in to %s. The login is kept in %s.\n", base, store.Where())

	// A first sync, so the monitor and the status line have data at once.
	fmt.Fprintln(std.out, "Fetching your readings (up to 90 days)…")
	n, err := syncOnce(ctx, e)
	if err != nil {
		fmt.Fprintf(std.out, "First sync did not finish (%v); `cgmtop` will retry.\n", err)
		return nil
	}
	fmt.Fprintf(std.out, "Cached %d readings. Run `cgmtop` to watch them.\n", n)
	return nil
}

// flagSet reports whether the command line gave the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// ask reads one line from the terminal, hidden when secret.
func ask(in *bufio.Reader, std stdio, prompt string, secret bool) (string, error) {
	fmt.Fprint(std.err, prompt)
	if f, ok := std.in.(*os.File); ok && secret && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(std.err)
		return strings.TrimSpace(string(b)), err
	}
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no answer on the terminal: give it with a flag or environment variable")
	}
	return strings.TrimSpace(line), nil
}

// syncOnce runs one sync pass for the account and returns readings added.
func syncOnce(ctx context.Context, e env) (int, error) {
	a, err := openAccountSync(ctx, e)
	if err != nil {
		return 0, err
	}
	defer a.close()
	res, err := a.once(ctx)
	return res.Added, err
}

func runLogout(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("logout", "cgmtop logout [--account NAME]", std)
	account := fs.String("account", config.DefaultAccount, "which login to remove")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e, err := loadEnv(*account)
	if err != nil {
		return err
	}
	var removed, notes []string
	var failed []error
	marker, hadLogin := readMarker(e)
	revoked := false
	if revoke := serverRevocation(marker); hadLogin && revoke != nil {
		revoked = revokeLogin(ctx, e, revoke, &notes)
	}
	loginErr := auth.Logout(ctx, e.cfg.TokenStore, e.account, e.paths)
	if rest, unreachable := withoutUnreachableKeyring(loginErr); unreachable && !(hadLogin && marker.TokenStore == "keyring") {
		// Nothing recorded a login in a keyring, and there is none to ask:
		// a machine that never had one (a server, a container).
		loginErr = rest
		notes = append(notes, "No OS keyring answers here, and no cgmtop login was recorded in one.")
	}
	if loginErr != nil {
		failed = append(failed, loginErr)
	} else if hadLogin {
		removed = append(removed, "login and client secret ("+e.cfg.TokenStore+" store)")
	}
	db := e.paths.Database(e.account)
	if ok, _ := removeAll(db); ok {
		removed = append(removed, "cached health data ("+db+")")
	}
	if err := cache.Remove(db); err != nil {
		failed = append(failed, err)
	}
	dirs := []string{e.paths.AccountDataDir(e.account), e.paths.AccountStateDir(e.account)}
	if loginErr != nil {
		// Keep the note that a login exists (in the state folder), so the
		// next logout tries the keyring again instead of finding nothing.
		dirs = dirs[:1]
	}
	for _, dir := range dirs {
		ok, err := removeAll(dir)
		if err != nil {
			failed = append(failed, err)
		} else if ok {
			removed = append(removed, "account folder "+dir)
		}
	}
	// The log names the server and when syncs ran; once no account is
	// left, nothing of it is worth keeping.
	if len(removed) > 0 && !anyAccountLeft(e.paths) {
		ok, err := removeAll(e.paths.LogFile())
		if err != nil {
			failed = append(failed, err)
		} else if ok {
			removed = append(removed, "log "+e.paths.LogFile())
		}
	}
	if len(removed) == 0 && len(failed) == 0 {
		for _, n := range notes {
			fmt.Fprintln(std.out, n)
		}
		fmt.Fprintf(std.out, "Nothing to remove: account %q was not logged in and has no cached data.\n", e.account)
		return nil
	}
	for _, r := range removed {
		fmt.Fprintln(std.out, "Removed", r)
	}
	for _, n := range notes {
		fmt.Fprintln(std.out, n)
	}
	if hadLogin && !revoked {
		fmt.Fprintln(std.out, "Not revoked at Dexcom, which offers apps no way to do it: a copy of this login made before now would keep working. "+
			"To cut off every copy, remove this app's access in your Dexcom account, where it lists the apps you have allowed.")
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not remove everything: %w", errors.Join(failed...))
	}
	fmt.Fprintf(std.out, "Kept your settings (%s): units, thresholds and your app's client id, none of them health data.\n", e.paths.ConfigFile)
	return nil
}

// anyAccountLeft reports whether another login or cache remains on this
// machine.
func anyAccountLeft(p config.Paths) bool {
	for _, dir := range []string{filepath.Dir(p.AccountDataDir(config.DefaultAccount)), filepath.Dir(p.AccountStateDir(config.DefaultAccount))} {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true // cannot tell: keep the log
		}
		if len(entries) > 0 {
			return true
		}
	}
	return false
}
