package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client"
)

// DefaultLoginTimeout is how long a login waits for the user to finish in
// the browser.
const DefaultLoginTimeout = 5 * time.Minute

// exchangeTimeout bounds the code-for-token exchange on its own, whatever
// the HTTP client's settings.
const exchangeTimeout = 30 * time.Second

// LoginOptions configure one login handoff.
type LoginOptions struct {
	// OAuth is the app's client id and secret, the server's endpoints and the
	// redirect URI registered with Dexcom (dexcom.OAuthConfig builds it).
	OAuth *oauth2.Config
	// HTTPClient makes the token exchange; nil means http.DefaultClient.
	HTTPClient *http.Client
	// OpenBrowser opens the login page; nil means OpenBrowser ($BROWSER,
	// then the system default).
	OpenBrowser func(url string) error
	// NoBrowser prints the link and SSH port-forwarding help instead of
	// opening a browser, and accepts the redirect URL (or the code) pasted
	// into In. The callback server listens all the same, so a forwarded
	// port works too; whichever arrives first wins.
	NoBrowser bool
	// In is where a pasted redirect URL is read from (nil: no pasting). A
	// read may still be pending when Login returns, so give it os.Stdin only
	// in a command that exits after the login.
	In io.Reader
	// Out is the terminal the instructions go to (nil: discarded).
	Out io.Writer
	// Timeout is how long to wait for the user; 0 means DefaultLoginTimeout.
	Timeout time.Duration
}

// Login runs the OAuth authorization-code handoff: it serves the redirect
// URI on loopback, sends the user to the login page (with a random state
// and a PKCE S256 challenge), and exchanges the code that comes back for
// tokens. It stores nothing; Connect does. Every error is one line.
func Login(ctx context.Context, opts LoginOptions) (*oauth2.Token, error) {
	if opts.OAuth == nil || opts.OAuth.RedirectURL == "" {
		return nil, errors.New("login: no OAuth configuration or redirect URI")
	}
	if opts.OAuth.ClientID == "" {
		return nil, errors.New("login: no client id: pass --client-id from your Dexcom developer app")
	}
	cb, err := parseRedirect(opts.OAuth.RedirectURL)
	if err != nil {
		return nil, err
	}
	out := opts.Out
	if out == nil {
		out = io.Discard
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	open := opts.OpenBrowser
	if open == nil {
		open = OpenBrowser
	}
	httpClient := opts.HTTPClient
	if httpClient == nil {
		httpClient = http.DefaultClient
	}

	listeners, err := cb.listen(ctx)
	if err != nil {
		return nil, err
	}
	f := &flow{
		cfg:      opts.OAuth,
		ctx:      context.WithValue(ctx, oauth2.HTTPClient, httpClient),
		state:    randomState(),
		verifier: oauth2.GenerateVerifier(),
		done:     make(chan struct{}),
	}
	f.noteStray = sync.OnceFunc(func() {
		fmt.Fprintf(out, "\nIgnored a request to %s that did not come from this login (an old tab, or another web page); still waiting.\n", cb.uri)
		if f.pasting.Load() {
			fmt.Fprint(out, pastePrompt)
		}
	})
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.serveCallback(w, r, cb.path) }),
		ReadHeaderTimeout: 10 * time.Second,
	}
	for _, ln := range listeners {
		go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Shutdown
	}
	defer func() {
		// Shutdown lets the handler that finished the flow write its page.
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // nothing to do about a slow browser
	}()

	authURL := opts.OAuth.AuthCodeURL(f.state, oauth2.S256ChallengeOption(f.verifier))
	paste := opts.NoBrowser
	if opts.NoBrowser {
		printNoBrowser(out, authURL, cb)
	} else {
		fmt.Fprintf(out, "Opening your browser to connect cgmtop to Dexcom.\nIf it does not open, visit:\n\n  %s\n\n", authURL)
		if err := open(authURL); err != nil {
			fmt.Fprintf(out, "Could not open a browser (%s).\n", oneLine(err.Error()))
			printNoBrowser(out, authURL, cb)
			paste = true
		} else {
			fmt.Fprintf(out, "Waiting for you to allow access (up to %s)…\n", roundDuration(timeout))
		}
	}
	if paste && opts.In != nil {
		f.pasting.Store(true)
		go f.readPasted(opts.In)
	}

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-f.done:
		if paste {
			fmt.Fprintln(out) // end the prompt's line
		}
		if f.err != nil {
			return nil, f.err
		}
		fmt.Fprintln(out, "cgmtop is connected to Dexcom.")
		return f.tok, nil
	case <-timer.C:
		if !f.claim() {
			// A code arrived just in time: let its exchange (bounded) decide.
			<-f.done
			return f.tok, f.err
		}
		f.finish(nil, errTimedOut(timeout))
		return nil, errTimedOut(timeout)
	case <-ctx.Done():
		f.finish(nil, ctx.Err())
		if paste {
			fmt.Fprintln(out) // end the prompt's line
		}
		return nil, fmt.Errorf("login cancelled: %w", ctx.Err())
	}
}

func errTimedOut(d time.Duration) error {
	return fmt.Errorf("login timed out after %s waiting for Dexcom to send you back: run `cgmtop login` again (over SSH, add --no-browser)", roundDuration(d))
}

// callback is where the redirect URI says the browser comes back to.
type callback struct {
	uri  string
	host string // as written in the URI
	port string
	path string
}

func parseRedirect(raw string) (callback, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return callback{}, fmt.Errorf("redirect URI %q: use http://localhost:PORT/PATH, exactly as registered with Dexcom", raw)
	}
	host, port := u.Hostname(), u.Port()
	switch host {
	case "localhost", "127.0.0.1", "::1":
	default:
		return callback{}, fmt.Errorf("redirect URI %q: cgmtop can only receive the login on this machine (localhost, 127.0.0.1 or [::1])", raw)
	}
	if port == "" {
		port = "80"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return callback{uri: raw, host: host, port: port, path: path}, nil
}

// listen binds the callback port on every loopback address the browser may
// take the redirect to. Another program holding the port on any of them
// could receive the code and show a fake "connected" page while cgmtop
// waits, so then the login stops before it starts.
func (c callback) listen(ctx context.Context) ([]net.Listener, error) {
	addrs := []string{c.host}
	if c.host == "localhost" {
		addrs = localhostAddrs(ctx)
	}
	var lns []net.Listener
	for _, a := range addrs {
		ln, err := net.Listen("tcp", net.JoinHostPort(a, c.port))
		if err != nil {
			if c.host == "localhost" && a == "::1" && noIPv6(err) {
				continue // no IPv6 here: no browser, and no other program, can use [::1]
			}
			for _, l := range lns {
				l.Close()
			}
			return nil, c.listenError(a, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

// localhostAddrs is where a browser may send http://localhost: 127.0.0.1
// and [::1] (browsers try both, whatever the hosts file says), and any other
// loopback address this machine resolves localhost to.
func localhostAddrs(ctx context.Context) []string {
	addrs := []string{"127.0.0.1", "::1"}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ips, _ := net.DefaultResolver.LookupIPAddr(ctx, "localhost")
	for _, ip := range ips {
		// An address off this machine is never listened on, whatever the
		// hosts file claims.
		if a := ip.IP.String(); ip.IP.IsLoopback() && ip.Zone == "" && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

func noIPv6(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT) || errors.Is(err, syscall.EPROTONOSUPPORT)
}

func (c callback) listenError(addr string, err error) error {
	where := addr
	if addr == "::1" {
		where = "[::1] (IPv6 localhost)"
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("port %s on %s is already taken by another program, which would receive your Dexcom login instead of cgmtop: stop that program, or register another redirect URI with Dexcom and pass it with --redirect-uri", c.port, where)
	}
	return fmt.Errorf("listen for the login on port %s of %s: %s (pick another port with --redirect-uri)", c.port, where, oneLine(err.Error()))
}

const pastePrompt = "Paste the address (or just the code) and press Enter: "

func printNoBrowser(out io.Writer, authURL string, cb callback) {
	user, host := os.Getenv("USER"), ""
	if h, err := os.Hostname(); err == nil {
		host = h
	}
	if user == "" {
		user = "you"
	}
	if host == "" {
		host = "this-server"
	}
	fmt.Fprintf(out, `To connect cgmtop to Dexcom, open this link in a browser on any machine:

  %[1]s

After you allow access, Dexcom sends that browser to %[2]s.
  • If the browser runs on another machine, forward the port first, from that machine:
      ssh -L %[3]s:localhost:%[3]s %[4]s@%[5]s
    and the login finishes by itself.
  • Or copy the address the browser lands on (it starts with %[2]s?code=…,
    even if the page does not load) and paste it here.

`, authURL, cb.uri, cb.port, user, host)
	fmt.Fprint(out, pastePrompt)
}

// flow is one login in progress. The first callback or paste that brings a
// code (or a refusal) claims it; everything after is turned away.
type flow struct {
	cfg      *oauth2.Config
	ctx      context.Context // carries the HTTP client for the exchange
	state    string
	verifier string

	claimMu sync.Mutex
	claimed bool

	noteStray func()      // tells the terminal, once, that a request was turned away
	pasting   atomic.Bool // the terminal shows the paste prompt

	once sync.Once
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

func (f *flow) claim() bool {
	f.claimMu.Lock()
	defer f.claimMu.Unlock()
	if f.claimed {
		return false
	}
	f.claimed = true
	return true
}

func (f *flow) finish(tok *oauth2.Token, err error) {
	f.once.Do(func() {
		f.tok, f.err = tok, err
		close(f.done)
	})
}

// complete checks what came back from the login page and exchanges the
// code. checkState is false only for a bare pasted code, which carries none.
func (f *flow) complete(q url.Values, checkState bool) (*oauth2.Token, error) {
	if e := q.Get("error"); e != "" {
		desc := oneLine(q.Get("error_description"))
		if e == "access_denied" {
			// The user's Deny and a refusal by Dexcom come back alike; say
			// which it was when the server says.
			if desc != "" {
				return nil, fmt.Errorf("Dexcom denied access: %s: run `cgmtop login` again", desc)
			}
			return nil, errors.New("Dexcom denied access without saying why (access_denied): if you pressed Deny, run `cgmtop login` again and choose Allow; otherwise check your app at the Dexcom developer portal")
		}
		msg := "Dexcom login failed: " + oneLine(e)
		if desc != "" {
			msg += ": " + desc
		}
		return nil, errors.New(msg)
	}
	if checkState && subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		return nil, errors.New("the login came back with the wrong state (an old tab, or a forged link): run `cgmtop login` again")
	}
	code := q.Get("code")
	if code == "" {
		return nil, errors.New("the login came back without an authorization code: run `cgmtop login` again")
	}
	ctx, cancel := context.WithTimeout(f.ctx, exchangeTimeout)
	defer cancel()
	tok, err := f.cfg.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return nil, explainExchange(err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("Dexcom sent no refresh token (is the offline_access scope missing?): cgmtop cannot stay logged in")
	}
	return tok, nil
}

func (f *flow) serveCallback(w http.ResponseWriter, r *http.Request, path string) {
	if r.URL.EscapedPath() != path {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	q := r.URL.Query()
	if !client.IsLoopback(hostOnly(r.Host)) {
		// A page on another site whose name now points here (DNS
		// rebinding): not the browser coming back from Dexcom.
		http.Error(w, "cgmtop: this address answers only as localhost", http.StatusMisdirectedRequest)
		return
	}
	if !q.Has("state") && !q.Has("code") && !q.Has("error") {
		// Not Dexcom sending the user back (a reload, a stray visit): leave
		// the login waiting.
		writePage(w, http.StatusBadRequest, "Waiting for Dexcom",
			"This address receives the Dexcom login for cgmtop. Follow the link cgmtop printed to log in.", false)
		return
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1 {
		// Only the browser sent here by this login knows the state. Any other
		// page open during the login (or an old tab) must neither end it nor
		// hand it a code, so it is turned away and the login keeps waiting.
		f.noteStray()
		writePage(w, http.StatusBadRequest, "Not this login",
			"This answer does not belong to the login cgmtop is waiting for (an old tab, or another page). Use the newest link cgmtop printed.", false)
		return
	}
	if !f.claim() {
		writePage(w, http.StatusGone, "This login link was already used",
			"cgmtop has already finished this login. If you need to log in again, run <code>cgmtop login</code>.", false)
		return
	}
	tok, err := f.complete(q, true)
	f.finish(tok, err)
	if err != nil {
		writePage(w, http.StatusBadRequest, "cgmtop could not connect", pageEscape(err.Error()), false)
		return
	}
	writePage(w, http.StatusOK, "cgmtop is connected",
		"Your Dexcom account is linked. You can close this tab and go back to the terminal.", true)
}

// hostOnly is the host of a Host header, with or without its port.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// A bare code as Dexcom and most servers issue them: no spaces, URL-safe.
// bareCode is built on first use, not at package init: init runs on every
// `cgmtop status`, which tmux calls every few seconds and must start fast.
var bareCode = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9._~+/=-]{6,1000}$`)
})

// maxPaste is the longest line a paste may be: a redirect address is a few
// hundred bytes, so anything near this is not one.
const maxPaste = 64 << 10

// readPasted takes lines from the terminal until one carries a login
// result. Pasted text is never echoed back: it may be the code itself.
func (f *flow) readPasted(in io.Reader) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), maxPaste)
	defer func() {
		if errors.Is(sc.Err(), bufio.ErrTooLong) && f.claim() {
			f.finish(nil, fmt.Errorf("the pasted text is longer than %d KiB, so it is not a login address: run `cgmtop login` again and copy only the address from the browser's address bar", maxPaste>>10))
		}
	}()
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		q, checkState, err := parsePasted(line)
		if !f.claim() {
			return
		}
		var tok *oauth2.Token
		if err == nil {
			tok, err = f.complete(q, checkState)
		}
		f.finish(tok, err)
		return
	}
}

func parsePasted(line string) (q url.Values, checkState bool, err error) {
	if i := strings.IndexByte(line, '?'); i >= 0 || strings.Contains(line, "code=") || strings.Contains(line, "error=") {
		raw := line
		if i >= 0 {
			raw = line[i+1:]
		}
		raw, _, _ = strings.Cut(raw, "#")
		q, perr := url.ParseQuery(raw)
		if perr == nil && (q.Get("code") != "" || q.Get("error") != "") {
			return q, true, nil
		}
	} else if bareCode().MatchString(line) {
		return url.Values{"code": {line}}, false, nil
	}
	return nil, false, errors.New("the pasted text is neither the redirect address nor an authorization code: run `cgmtop login` again and copy the whole address from the browser's address bar")
}

func randomState() string {
	b := make([]byte, 24)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// roundDuration shows a wait the way a person would say it.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d
	}
	return d.Round(time.Second)
}
