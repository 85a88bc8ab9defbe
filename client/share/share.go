package share

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/httpapi"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/lockfile"
)

// Kind is the source kind name, as settings and readings carry it.
const Kind = "share"

// Window is how far back Share keeps readings.
const Window = 24 * time.Hour

// Share's limits on one read.
const (
	maxMinutes = 1440
	maxCount   = 288
)

const (
	callTimeout = 30 * time.Second
	lockWait    = time.Minute
	maxBody     = 1 << 20
)

// region is one of Share's three services; accounts live in exactly one.
type region struct {
	host, appID, name string
}

var regions = map[string]region{
	"us":  {"share2.dexcom.com", "d89443d2-327c-4a6f-89e5-496bbb0317db", "us (share2.dexcom.com)"},
	"ous": {"shareous1.dexcom.com", "d89443d2-327c-4a6f-89e5-496bbb0317db", "ous, outside the US (shareous1.dexcom.com)"},
	"jp":  {"share.dexcom.jp", "d8665ade-9673-4e27-9ff6-92db4ce13d13", "jp, Japan and APAC (share.dexcom.jp)"},
}

// Regions lists the region names in the order to offer them.
var Regions = []string{"us", "ous", "jp"}

// CheckRegion says what is wrong with a region name.
func CheckRegion(name string) error {
	if _, ok := regions[name]; !ok {
		return fmt.Errorf("unknown Dexcom Share region %q: choose us, ous (outside the US) or jp (Japan and APAC)", name)
	}
	return nil
}

// RegionName is the region as the user should read it.
func RegionName(name string) string {
	if r, ok := regions[name]; ok {
		return r.name
	}
	return name
}

// AppID is the application id Share expects from clients of the region.
func AppID(name string) string { return regions[name].appID }

// BaseURL is the service of region name, or custom (the emulator) when
// given: https anywhere, plain http only on loopback, since the password
// travels in the body.
func BaseURL(name, custom string) (string, error) {
	if custom != "" {
		u, err := url.Parse(custom)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("invalid Share URL %q", custom)
		}
		h := u.Hostname()
		if u.Scheme != "https" && !(u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1")) {
			return "", fmt.Errorf("Share URL %q: use https, or plain http only on localhost", custom)
		}
		return strings.TrimRight(custom, "/") + "/ShareWebServices/Services/", nil
	}
	if err := CheckRegion(name); err != nil {
		return "", err
	}
	return "https://" + regions[name].host + "/ShareWebServices/Services/", nil
}

// Login is what is stored for a Share account: secrets included, so it
// never prints them.
type Login struct {
	Region    string    // us, ous or jp: never guessed
	URL       string    // a custom server (the emulator); "" for the region's
	Username  string    // user name, e-mail or +phone; "" when AccountID was given
	AccountID string    // cached after the first login: it never changes
	Password  string    //
	SessionID string    // shared by every process of the account
	Updated   time.Time // last login
}

func (l Login) String() string {
	return fmt.Sprintf("Share login for region %s (secrets hidden)", l.Region)
}

// GoString hides the secrets from %#v.
func (l Login) GoString() string { return l.String() }

// Format hides the secrets from every fmt verb.
func (l Login) Format(f fmt.State, _ rune) { fmt.Fprint(f, l.String()) }

// Store keeps one account's Share login. Load returns an error wrapping
// client.ErrUnauthorized when none is stored.
type Store interface {
	Load(ctx context.Context) (Login, error)
	Save(ctx context.Context, l Login) error
}

// Options tune a Client. The zero value works for one process.
type Options struct {
	HTTPClient *http.Client // nil → a client with timeouts
	UserAgent  string
	Clock      clock.Clock // nil → the wall clock; the demo scales it
	LockPath   string      // cross-process login lock (config.Paths.Lock(account, "share")); "" → none
	Gate       gate.Gate   // where a refused login is recorded for every process
	// SessionLife is how long Share keeps a session: about 24 h (the
	// default). A session is renewed in the last 24th of it (the last
	// hour), before a read could find it gone.
	SessionLife time.Duration
}

// DefaultSessionLife is how long Dexcom Share keeps a session, as its
// clients report it; nightscout-connect renews at 24 h less 10 min.
const DefaultSessionLife = 24 * time.Hour

// Client reads one account's readings from Share. It implements
// client.Source; Share has no events, calibrations, alerts or devices.
type Client struct {
	store Store
	opts  Options

	loginMu sync.Mutex // one login at a time in this process
	mu      sync.Mutex
	login   *Login    // loaded on first use
	renewed time.Time // last renewal that failed for a reason other than the credentials
}

// New returns a client for the login kept in store.
func New(store Store, opts Options) *Client {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.SessionLife <= 0 {
		opts.SessionLife = DefaultSessionLife
	}
	return &Client{store: store, opts: opts}
}

// DataRange claims the last day: Share holds nothing older, and asking
// would cost a request the first sync makes anyway.
func (c *Client) DataRange(ctx context.Context) (client.DataRange, error) {
	now := c.opts.Clock.Now().UTC()
	return client.DataRange{Readings: client.Span{Start: now.Add(-Window), End: now}}, nil
}

// Readings returns the readings of [start, end) that Share still holds
// (the last 24 hours), oldest first, tagged with the source and the time
// they arrived.
func (c *Client) Readings(ctx context.Context, start, end time.Time) ([]client.Reading, error) {
	now := c.opts.Clock.Now()
	if !end.After(now.Add(-Window)) || !end.After(start) {
		return nil, nil
	}
	minutes := int((now.Sub(start) + time.Minute - 1) / time.Minute)
	minutes = min(max(minutes, 1), maxMinutes)
	count := min(max(minutes/5+2, 1), maxCount)
	rs, err := c.read(ctx, minutes, count)
	if err != nil {
		return nil, err
	}
	arrived := c.opts.Clock.Now().UTC()
	out := rs[:0]
	for _, r := range rs {
		if r.Time.Before(start) || !r.Time.Before(end) {
			continue
		}
		r.Source, r.Arrived = Kind, arrived
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// Events is empty: Share carries readings only.
func (c *Client) Events(context.Context, time.Time, time.Time) ([]client.Event, error) {
	return nil, nil
}

// Calibrations is empty: Share carries readings only.
func (c *Client) Calibrations(context.Context, time.Time, time.Time) ([]client.Calibration, error) {
	return nil, nil
}

// Alerts is empty: Share carries readings only.
func (c *Client) Alerts(context.Context, time.Time, time.Time) ([]client.Alert, error) {
	return nil, nil
}

// Devices is empty: Share carries readings only.
func (c *Client) Devices(context.Context) ([]client.Device, error) { return nil, nil }

// read fetches the newest readings with the shared session; when Share
// says the session is gone, it logs in once and retries once.
func (c *Client) read(ctx context.Context, minutes, count int) ([]client.Reading, error) {
	if err := c.opts.Gate.Check(); err != nil {
		return nil, err
	}
	l, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case l.SessionID == "":
		if l, err = c.relogin(ctx, ""); err != nil {
			return nil, err
		}
	case c.renewDue(l):
		if l, err = c.renew(ctx, l); err != nil {
			return nil, err
		}
	}
	rs, err := c.fetch(ctx, l, minutes, count)
	if !sessionGone(err) {
		return rs, c.explain(err, l)
	}
	if l, err = c.relogin(ctx, l.SessionID); err != nil {
		return nil, err
	}
	rs, err = c.fetch(ctx, l, minutes, count)
	return rs, c.explain(err, l)
}

// renewDue reports whether l's session is in the last 24th of its life
// (Updated is when it was made), and no renewal failed in the last 48th.
// A session of unknown age (no Updated, or one "in the future": a clock
// that went back) is left to the expiry path.
func (c *Client) renewDue(l Login) bool {
	life := c.opts.SessionLife
	now := c.opts.Clock.Now()
	age := now.Sub(l.Updated)
	c.mu.Lock()
	failed := c.renewed
	c.mu.Unlock()
	return !l.Updated.IsZero() && age >= life-life/24 && (failed.IsZero() || now.Sub(failed) >= life/48 || now.Before(failed))
}

// renew replaces a session before Share's limit ends it, so an expiry
// never costs a failed read: under the account's login lock, like any
// re-login, so when several processes find it due only the first logs in
// and the rest take its session from the store. A refusal of the
// credentials closes the gate as any login's does; any other failure keeps
// the old session, which still works, and is tried again later.
func (c *Client) renew(ctx context.Context, l Login) (Login, error) {
	fresh, err := c.relogin(ctx, l.SessionID)
	var le *client.LoginError
	switch {
	case err == nil:
		return fresh, nil
	case errors.As(err, &le), errors.Is(err, client.ErrUnauthorized), ctx.Err() != nil:
		return Login{}, err
	}
	c.mu.Lock()
	c.renewed = c.opts.Clock.Now()
	c.mu.Unlock()
	return l, nil
}

// explain words an error of a read.
func (c *Client) explain(err error, l Login) error {
	var e *Error
	if errors.As(err, &e) && sessionGone(err) {
		return fmt.Errorf("Dexcom Share refused a fresh session too (%s): it will be tried again later", e.Code)
	}
	return err
}

// current is the login in memory, loaded from the store the first time.
func (c *Client) current(ctx context.Context) (Login, error) {
	c.mu.Lock()
	l := c.login
	c.mu.Unlock()
	if l != nil {
		return *l, nil
	}
	loaded, err := c.store.Load(ctx)
	if err != nil {
		return Login{}, err
	}
	c.mu.Lock()
	c.login = &loaded
	c.mu.Unlock()
	return loaded, nil
}

// relogin replaces the session failed (empty when there was none) and
// returns the login with the new one. Under the account's login lock it
// re-reads the store first: another process may have logged in already,
// and then its session is used and Share sees no second login.
func (c *Client) relogin(ctx context.Context, failed string) (Login, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	c.mu.Lock()
	if c.login != nil && c.login.SessionID != "" && c.login.SessionID != failed {
		l := *c.login
		c.mu.Unlock()
		return l, nil
	}
	c.mu.Unlock()

	unlock, err := c.lock(ctx)
	if err != nil {
		return Login{}, err
	}
	defer unlock()
	if err := c.opts.Gate.Check(); err != nil {
		return Login{}, err
	}
	l, err := c.store.Load(ctx)
	if err != nil {
		return Login{}, err
	}
	if l.SessionID == "" || l.SessionID == failed {
		fresh, err := Connect(ctx, c.opts.HTTPClient, c.opts.UserAgent, l)
		var le *client.LoginError
		if errors.As(err, &le) {
			// Never again in the background: every process now stops.
			if gerr := c.opts.Gate.Close(le, time.Now()); gerr != nil {
				return Login{}, fmt.Errorf("%w (and recording it failed: %v)", le, gerr)
			}
			return Login{}, le
		}
		if err != nil {
			return Login{}, err
		}
		l = fresh
		l.Updated = c.opts.Clock.Now().UTC() // the session's age counts on the clock renewDue reads
		if err := c.store.Save(ctx, l); err != nil {
			return Login{}, fmt.Errorf("save the Share session: %w", err)
		}
	}
	c.mu.Lock()
	c.login = &l
	c.mu.Unlock()
	return l, nil
}

func (c *Client) lock(ctx context.Context) (func(), error) {
	if c.opts.LockPath == "" {
		return func() {}, nil
	}
	if err := config.EnsureDir(filepath.Dir(c.opts.LockPath)); err != nil {
		return nil, fmt.Errorf("Share login lock: %w", err)
	}
	unlock, err := lockfile.Take(ctx, c.opts.LockPath, lockWait)
	if errors.Is(err, lockfile.ErrBusy) {
		return nil, fmt.Errorf("another cgmtop has been logging in to Share for over %s (lock %s): try again", lockWait, c.opts.LockPath)
	}
	return unlock, err
}

// Connect logs in with l's credentials: the account id first when only a
// user name is known, then a session. It makes each call once and never
// retries; a refusal of the credentials is a *client.LoginError.
func Connect(ctx context.Context, hc *http.Client, userAgent string, l Login) (Login, error) {
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	base, err := BaseURL(l.Region, l.URL)
	if err != nil {
		return l, err
	}
	app := AppID(l.Region)
	if l.AccountID == "" {
		body, err := post(ctx, hc, userAgent, base+"General/AuthenticatePublisherAccount",
			map[string]string{"accountName": l.Username, "password": l.Password, "applicationId": app})
		if err == nil {
			l.AccountID, err = decodeID(body)
		}
		if err != nil {
			return l, loginFailure(err, l.Region)
		}
	}
	body, err := post(ctx, hc, userAgent, base+"General/LoginPublisherAccountById",
		map[string]string{"accountId": l.AccountID, "password": l.Password, "applicationId": app})
	if err == nil {
		l.SessionID, err = decodeID(body)
	}
	if err != nil {
		return l, loginFailure(err, l.Region)
	}
	l.Updated = time.Now().UTC()
	return l, nil
}

func loginFailure(err error, region string) error {
	var e *Error
	if errors.As(err, &e) && isCredential(e) {
		return loginError(e, region)
	}
	return fmt.Errorf("log in to Dexcom Share: %w", err)
}

// fetch is one ReadPublisherLatestGlucoseValues call.
func (c *Client) fetch(ctx context.Context, l Login, minutes, count int) ([]client.Reading, error) {
	base, err := BaseURL(l.Region, l.URL)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("sessionId", l.SessionID)
	q.Set("minutes", strconv.Itoa(minutes))
	q.Set("maxCount", strconv.Itoa(count))
	body, err := post(ctx, c.opts.HTTPClient, c.opts.UserAgent, base+"Publisher/ReadPublisherLatestGlucoseValues?"+q.Encode(), struct{}{})
	if err != nil {
		return nil, err
	}
	return decodeReadings(body)
}

// post sends one JSON POST and maps the answer: 200 gives the body, 429 a
// *client.RateLimitError, a Share error body an *Error, anything else a
// *client.APIError. Bodies are read through a limit and never echoed.
func post(ctx context.Context, hc *http.Client, userAgent, u string, payload any) ([]byte, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if userAgent != "" {
		req.Header.Set("User-Agent", userAgent)
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL carries the session id.
		return nil, fmt.Errorf("reach Dexcom Share: %w", httpapi.TransportError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read Dexcom Share's answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return body, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, &client.RateLimitError{RetryAfter: time.Duration(ra) * time.Second}
	}
	var we wireError
	if json.Unmarshal(body, &we) == nil && we.Code != "" {
		return nil, &Error{Status: resp.StatusCode, Code: client.Printable(we.Code, 80), Message: scrub(we.Message)}
	}
	if resp.StatusCode == http.StatusBadRequest {
		return nil, &Error{Status: 400}
	}
	return nil, &client.APIError{StatusCode: resp.StatusCode}
}

// scrub drops the session id Share echoes in its messages.
func scrub(s string) string {
	if i := strings.Index(s, "[SessionId"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
