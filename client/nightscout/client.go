package nightscout

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/httpapi"
)

// Defaults; each can be changed with an Option.
const (
	DefaultUserAgent    = "cgmtop/dev"
	DefaultMaxRetries   = 2
	DefaultBackoff      = time.Second
	DefaultMaxBodyBytes = 32 << 20
	// DefaultPageSize is how many documents one request asks for while
	// paging through history: a week of readings at one every 5 minutes.
	DefaultPageSize = 2016
)

// Client reads one Nightscout site with one access token. It is safe for
// concurrent use.
type Client struct {
	baseURL    string
	token      string
	http       *http.Client
	userAgent  string
	maxRetries int
	backoff    time.Duration
	maxBody    int64
	pageSize   int
	gate       gate.Gate

	mu     sync.Mutex
	tail   tailMemo
	cgm    cgmMemo // the uploader of the newest sgv seen, for Devices
	denied error   // the *AuthError that stopped this client; nil while it works
	stats  Counts  // requests by outcome, for measurements
}

// Counts is how many requests a Client sent, by outcome.
type Counts struct {
	Requests    int // every request sent
	NotModified int // answered 304: nothing new, nothing downloaded
}

// Option changes a Client's defaults.
type Option func(*Client)

// WithHTTPClient makes the client send requests through hc, whose timeouts
// then apply. The client never follows redirects, whatever hc says.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithUserAgent sets the User-Agent header; main passes "cgmtop/VERSION".
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua
		}
	}
}

// WithRetry sets how many times a failed request (5xx, timeout, dropped
// connection) is retried and the first backoff, which doubles each time.
// A refused token is never retried.
func WithRetry(maxRetries int, base time.Duration) Option {
	return func(c *Client) {
		c.maxRetries = max(maxRetries, 0)
		if base > 0 {
			c.backoff = base
		}
	}
}

// WithMaxBodySize sets the largest response body the client reads.
func WithMaxBodySize(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithGate makes the client check g before every request and close it
// when the site refuses the token, so that no cgmtop process of the
// account sends that token again until the user logs in anew.
func WithGate(g gate.Gate) Option {
	return func(c *Client) { c.gate = g }
}

// WithPageSize sets how many documents one request asks for when paging.
func WithPageSize(n int) Option {
	return func(c *Client) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

// New returns a client for the site at baseURL (see ParseURL) that reads
// with token, an access token such as "cgmtop-0123456789abcdef"; "" reads
// anonymously, which works on sites open to the public.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{
		baseURL:    strings.TrimRight(baseURL, "/"),
		token:      strings.TrimSpace(token),
		http:       sharedHTTPClient(),
		userAgent:  DefaultUserAgent,
		maxRetries: DefaultMaxRetries,
		backoff:    DefaultBackoff,
		maxBody:    DefaultMaxBodyBytes,
		pageSize:   DefaultPageSize,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL is the site the client reads.
func (c *Client) BaseURL() string { return c.baseURL }

// Counts returns how many requests the client has sent so far.
func (c *Client) Counts() Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

var sharedHTTPClient = sync.OnceValue(NewHTTPClient)

// NewHTTPClient returns an http.Client with a timeout on every stage of a
// request. The response-header timeout is generous: a Nightscout site
// delays every request from an address for 5 s per recent failed login,
// and an uploader on the same network may have caused some.
func NewHTTPClient() *http.Client { return httpapi.NewClient(45*time.Second, 90*time.Second) }

// ErrResponseTooLarge means the site sent more than the client reads.
var ErrResponseTooLarge = httpapi.ErrTooLarge

// ParseURL checks and normalises a site address as users paste it: a bare
// host gets https://; a pasted API path ("/api/v1/entries.json") or page
// fragment is dropped; a "?token=…" in it is returned separately, so a
// URL copied from an uploader's settings works. Plain http is accepted
// only for loopback hosts, because the token travels in every request.
func ParseURL(raw string) (base, token string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", errors.New("no Nightscout URL given: pass the address you open in a browser, like https://example.herokuapp.com")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", "", fmt.Errorf("invalid Nightscout URL %q: give one like https://example.herokuapp.com", clip(printable(raw), 80))
	}
	token = u.Query().Get("token")
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", "", fmt.Errorf("Nightscout URL %s uses plain http, which would send the token in the clear: use https (plain http only works on localhost)", u.Host)
		}
	default:
		return "", "", fmt.Errorf("Nightscout URL %q: the scheme must be https", clip(printable(raw), 80))
	}
	path := u.EscapedPath()
	if i := strings.Index(path, "/api/"); i >= 0 {
		path = path[:i]
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+path, "/"), token, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
