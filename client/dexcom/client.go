package dexcom

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/httpapi"
)

// Region names one of Dexcom's API environments.
type Region string

// The environments Dexcom runs; each has its own accounts and base URL.
const (
	RegionUS      Region = "us"
	RegionEU      Region = "eu" // Europe and the rest of the world outside the US and Japan
	RegionJP      Region = "jp"
	RegionSandbox Region = "sandbox"
)

var regionURLs = map[Region]string{
	RegionUS:      "https://api.dexcom.com",
	RegionEU:      "https://api.dexcom.eu",
	RegionJP:      "https://api.dexcom.jp",
	RegionSandbox: "https://sandbox-api.dexcom.com",
}

// BaseURL returns the API base URL for a region name. It also accepts a
// custom base URL (the built-in emulator, a test server): https anywhere,
// plain http only on a loopback host so tokens never cross a network in the
// clear.
func BaseURL(region string) (string, error) {
	r := Region(strings.ToLower(strings.TrimSpace(region)))
	if u, ok := regionURLs[r]; ok {
		return u, nil
	}
	if strings.Contains(region, "://") {
		return customBaseURL(strings.TrimSpace(region))
	}
	return "", fmt.Errorf("unknown Dexcom region %q: choose us, eu (rest of world), jp or sandbox", region)
}

func customBaseURL(raw string) (string, error) {
	u, err := client.ServerURL(raw)
	if err != nil {
		return "", fmt.Errorf("Dexcom base URL %w", err)
	}
	return u, nil
}

// OAuthConfig returns the authorization-code settings for a Dexcom
// environment. Dexcom wants the client credentials in the form body, not in
// a Basic header, and knows only the offline_access scope.
func OAuthConfig(baseURL, clientID, clientSecret, redirectURI string) *oauth2.Config {
	baseURL = strings.TrimRight(baseURL, "/")
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURI,
		Scopes:       []string{"offline_access"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   baseURL + "/v2/oauth2/login",
			TokenURL:  baseURL + "/v2/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// Tokens supplies bearer tokens. After a 401 the client calls Refresh once
// and retries once with the token it returns; a Refresh that finds the login
// gone should return an error wrapping client.ErrUnauthorized.
type Tokens interface {
	Token(ctx context.Context) (string, error)
	Refresh(ctx context.Context) (string, error)
}

// Defaults; each can be changed with an Option.
const (
	DefaultUserAgent    = "cgmtop/dev"
	DefaultMaxRetries   = 3
	DefaultBackoff      = 500 * time.Millisecond
	DefaultMaxRateWait  = 30 * time.Second
	DefaultMaxBodyBytes = 32 << 20
)

// Client talks to one Dexcom environment for one user. It is safe for
// concurrent use.
type Client struct {
	baseURL     string
	tokens      Tokens
	http        *http.Client
	userAgent   string
	maxRetries  int
	backoff     time.Duration
	maxRateWait time.Duration
	maxBody     int64

	dateMu     sync.Mutex
	serverTime time.Time // from the Date header of the latest answer; see ServerTime
}

// Option changes a Client's defaults.
type Option func(*Client)

// WithHTTPClient makes the client send requests through hc, whose timeouts
// then apply.
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

// WithRetry sets how many times a failed request (5xx, timeout, rate limit)
// is retried and the first backoff, which doubles each time (with jitter).
func WithRetry(maxRetries int, base time.Duration) Option {
	return func(c *Client) {
		c.maxRetries = max(maxRetries, 0)
		if base > 0 {
			c.backoff = base
		}
	}
}

// WithMaxRateLimitWait sets the longest Retry-After the client waits out by
// itself; a longer one is returned to the caller as *client.RateLimitError.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(c *Client) { c.maxRateWait = max(d, 0) }
}

// WithMaxBodySize sets the largest response body the client reads; a larger
// one fails with ErrResponseTooLarge.
func WithMaxBodySize(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// New returns a client for the API at baseURL (see BaseURL) that
// authenticates with tokens.
func New(baseURL string, tokens Tokens, opts ...Option) *Client {
	c := &Client{
		baseURL:     strings.TrimRight(baseURL, "/"),
		tokens:      tokens,
		http:        sharedHTTPClient(),
		userAgent:   DefaultUserAgent,
		maxRetries:  DefaultMaxRetries,
		backoff:     DefaultBackoff,
		maxRateWait: DefaultMaxRateWait,
		maxBody:     DefaultMaxBodyBytes,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// sharedHTTPClient is the one client every Client uses unless told
// otherwise, so connections to Dexcom are pooled across the process.
var sharedHTTPClient = sync.OnceValue(NewHTTPClient)

// NewHTTPClient returns an http.Client with a timeout on every stage of a
// request (dial, TLS, response header, whole exchange) and TLS 1.2 or later,
// as Dexcom requires. Login uses it for the token exchange too.
func NewHTTPClient() *http.Client { return httpapi.NewClient(30*time.Second, 60*time.Second) }

// NewHTTPClientWithUserAgent is NewHTTPClient whose requests name ua in
// User-Agent unless they set one: golang.org/x/oauth2 builds its token
// requests without one, and they should say cgmtop, not Go-http-client.
func NewHTTPClientWithUserAgent(ua string) *http.Client {
	return httpapi.WithUserAgent(NewHTTPClient(), ua)
}

// ErrResponseTooLarge means the server sent more than the client is willing
// to read; it is never a sign of more data, so retrying will not help.
var ErrResponseTooLarge = httpapi.ErrTooLarge
