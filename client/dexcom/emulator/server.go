// Package emulator is a built-in Dexcom API v3 server with a simulated
// sensor, so cgmtop's real client, login and sync run with no account and no
// network: in tests, in `cgmtop --demo` and in `cgmtop emulate`.
package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cgmtop/cgmtop/client/emuserver"
	"github.com/cgmtop/cgmtop/clock"
)

// Defaults for Config's credentials; a client configured with these logs in
// to an emulator started with a zero Config.
const (
	DefaultClientID     = "cgmtop-emulator"
	DefaultClientSecret = "emulator-secret"
	DefaultRedirectURI  = "http://localhost:8765/callback"
)

// Limits the real API enforces, which the emulator enforces the same way.
const (
	MaxSpan         = 30 * 24 * time.Hour // longest startDate..endDate range
	CodeTTL         = 10 * time.Minute    // how long an authorization code stays valid
	DateLayout      = layoutPlain         // startDate/endDate format, UTC with no zone
	defaultAccess   = 2 * time.Hour
	defaultLookback = 90 * 24 * time.Hour
)

// Config sets up an emulator. The zero value works: seed 0, the real clock,
// the default credentials and the G7 user.
type Config struct {
	Seed         int64         // same seed → same data, byte for byte
	Clock        clock.Clock   // nil → clock.Real{}; the demo passes clock.NewScaled(...)
	ClientID     string        // default DefaultClientID
	ClientSecret string        // default DefaultClientSecret
	RedirectURI  string        // default DefaultRedirectURI; matched exactly
	AccessTTL    time.Duration // access token lifetime, sent as expires_in; default 2h
	AutoApprove  bool          // GET /v2/oauth2/login redirects straight to RedirectURI with a code
	User         string        // which simulated user logs in: "g7" (default) or "g6"
	UploadLag    time.Duration // a reading is served only once the clock reaches its time + UploadLag
	History      time.Duration // how far back data exists; default 90 days
	Scenarios    []Scenario    // situations forced onto the sensor (HIGH/LOW runs, gaps, clock skew)
	Share        ShareConfig   // the Dexcom Share service served beside the API
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.ClientSecret == "" {
		c.ClientSecret = DefaultClientSecret
	}
	if c.RedirectURI == "" {
		c.RedirectURI = DefaultRedirectURI
	}
	if c.AccessTTL <= 0 {
		c.AccessTTL = defaultAccess
	}
	if c.User != "g6" {
		c.User = "g7"
	}
	if c.UploadLag < 0 {
		c.UploadLag = 0
	}
	if c.History <= 0 {
		c.History = defaultLookback
	}
	c.Share = c.Share.withDefaults()
	return c
}

// Server is the emulator: an http.Handler, optionally listening.
type Server struct {
	cfg     Config
	users   map[string]*profile
	windows atomic.Pointer[[]window]
	routes  map[string]http.HandlerFunc
	http    *emuserver.Server

	mu      sync.Mutex
	codes   map[string]codeGrant
	access  map[string]accessGrant
	refresh map[string]string // refresh token → user
	faults  []Fault
	stats   map[string]int
	agents  map[string]map[string]bool // endpoint → User-Agents seen

	share         ShareStats
	sessions      map[string]shareSession // Share session id → its life
	shareFailures int                     // refused credential attempts since the last good one
	shareGen      int                     // Share logins so far
}

// endpointNames are the names Stats counts and Fault.Endpoint matches.
var endpointNames = []string{"login", "token", "dataRange", "egvs", "events", "calibrations", "devices", "alerts"}

func knownEndpoint(name string) bool {
	for _, n := range endpointNames {
		if n == name {
			return true
		}
	}
	for _, n := range shareEndpoints {
		if n == name {
			return true
		}
	}
	return false
}

// New returns an emulator that is not listening; serve it yourself (for
// example with httptest.NewServer).
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:      cfg,
		users:    map[string]*profile{"g7": newProfile(cfg.Seed, "g7"), "g6": newProfile(cfg.Seed, "g6")},
		http:     emuserver.New(),
		codes:    map[string]codeGrant{},
		access:   map[string]accessGrant{},
		refresh:  map[string]string{},
		stats:    map[string]int{},
		agents:   map[string]map[string]bool{},
		sessions: map[string]shareSession{},
	}
	now := cfg.Clock.Now()
	ws := make([]window, 0, len(cfg.Scenarios))
	for _, sc := range cfg.Scenarios {
		ws = append(ws, sc.resolve(now))
	}
	s.windows.Store(&ws)
	s.routes = map[string]http.HandlerFunc{
		"login": s.handleLogin,
		"token": s.handleToken,
	}
	for _, name := range endpointNames[2:] {
		s.routes[name] = s.api(name)
	}
	for _, name := range shareEndpoints {
		s.routes[name] = s.handleShare(name)
	}
	return s
}

// Start returns an emulator listening on a random port of 127.0.0.1.
func Start(cfg Config) (*Server, error) { return StartAt(cfg, "127.0.0.1:0") }

// StartAt returns an emulator listening on addr.
func StartAt(cfg Config, addr string) (*Server, error) {
	s := New(cfg)
	if err := s.http.Listen(s, addr, "Dexcom emulator"); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the base URL to give the Dexcom client, "http://127.0.0.1:PORT".
// It is empty for a server made with New.
func (s *Server) URL() string { return s.http.URL() }

// Close stops the listener and drops open connections, cutting short any
// Slow fault still waiting.
func (s *Server) Close() error { return s.http.Close() }

// Config returns the configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Stats returns how many requests each endpoint has received ("egvs",
// "token", …), faults included.
func (s *Server) Stats() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.stats)
}

// UserAgents returns, sorted, the distinct User-Agent headers the endpoint
// ("token", "egvs", …) has received, so tests can check how clients name
// themselves.
func (s *Server) UserAgents(endpoint string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.agents[endpoint]))
	for ua := range s.agents[endpoint] {
		out = append(out, ua)
	}
	slices.Sort(out)
	return out
}

// Newest returns the system time of the newest reading the configured user
// would be served right now, or the zero time when there is none.
func (s *Server) Newest() time.Time {
	sv := s.served(s.cfg.Clock.Now())
	r, ok := s.gen(s.cfg.User).newest(sv.lo, sv.hi)
	if !ok {
		return time.Time{}
	}
	return time.Unix(r.t, 0).UTC()
}

// AddScenario forces a situation onto the sensor from now on; a relative
// start is taken from the emulator clock's current time.
func (s *Server) AddScenario(sc Scenario) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.windows.Load()
	ws := append(append(make([]window, 0, len(old)+1), old...), sc.resolve(s.cfg.Clock.Now()))
	s.windows.Store(&ws)
}

func (s *Server) gen(user string) gen {
	return gen{p: s.users[user], w: *s.windows.Load(), at: s.cfg.Clock.Now().Unix()}
}

// served is what may be seen at now: nothing older than History, nothing
// newer than now − UploadLag.
func (s *Server) served(now time.Time) served {
	lo := now.Add(-s.cfg.History)
	hi := now.Add(-s.cfg.UploadLag).Unix()
	loU := lo.Unix()
	if lo.Nanosecond() > 0 {
		loU++
	}
	return served{lo: loU, hi: hi}
}

// ServeHTTP routes a request, counting it and applying any queued fault.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == statsPath {
		s.serveStats(w)
		return
	}
	name := endpointFor(r.URL.Path)
	h, ok := s.routes[name]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint in the Dexcom emulator")
		return
	}
	s.mu.Lock()
	s.stats[name]++
	if s.agents[name] == nil {
		s.agents[name] = map[string]bool{}
	}
	s.agents[name][r.UserAgent()] = true
	s.mu.Unlock()
	// The date is the emulator's own, so a clock set apart from the
	// client's (Config.Clock) looks like a server whose clock differs.
	w.Header().Set("Date", s.cfg.Clock.Now().UTC().Format(http.TimeFormat))
	if f, ok := s.takeFault(name); ok {
		s.serveFault(w, r, f, h)
		return
	}
	h(w, r)
}

func endpointFor(path string) string {
	switch path {
	case "/v2/oauth2/login":
		return "login"
	case "/v2/oauth2/token":
		return "token"
	}
	if strings.HasPrefix(path, sharePrefix) {
		return shareEndpoint(path)
	}
	if rest, ok := strings.CutPrefix(path, "/v3/users/self/"); ok && knownEndpoint(rest) && rest != "login" && rest != "token" {
		return rest
	}
	return ""
}

// writeError answers with a small OAuth-style JSON error body.
func writeError(w http.ResponseWriter, code int, errCode, desc string) {
	writeJSON(w, code, map[string]string{"error": errCode, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, code, b)
}

func writeBody(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
