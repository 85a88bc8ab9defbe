// Package emulator is a built-in Nightscout server (API v1, the token
// exchange of v2) with a simulated sensor, so cgmtop's real Nightscout
// client and sync run with no site and no network: in tests, in
// `cgmtop --demo --source nightscout` and in `cgmtop emulate`. It copies
// the quirks of Nightscout 15.0.7 that clients trip on, each behind a knob.
package emulator

import (
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/client/emuserver"
	"github.com/cgmtop/cgmtop/clock"
)

// Defaults for Config; a client given DefaultReadToken reads an emulator
// started with a zero Config.
const (
	DefaultAPISecret = "cgmtop-emulator-secret"
	DefaultSubject   = "cgmtop-reader"
	defaultHistory   = 90 * 24 * time.Hour
	defaultFailDelay = 5 * time.Second
	jwtLifetime      = 8 * time.Hour
	// fourDays is the window Nightscout adds to entries queries that name
	// no date.
	fourDays = 4 * 24 * time.Hour
)

// DefaultReadToken is the access token of DefaultSubject (role readable)
// on an emulator with the default API secret.
var DefaultReadToken = AccessToken(DefaultAPISecret, DefaultSubject)

// Subject is an access-token holder, as made in Admin Tools → Subjects.
type Subject struct {
	Name  string
	Roles []string // built-in roles: admin, readable, denied, status-only, careportal, devicestatus-upload
}

// Config sets up an emulator. The zero value works: seed 0, the real
// clock, a site readable only with a token, one `readable` subject.
type Config struct {
	Seed         int64
	Clock        clock.Clock   // nil → clock.Real{}
	APISecret    string        // default DefaultAPISecret
	Subjects     []Subject     // default one DefaultSubject with role readable
	DefaultRoles []string      // roles of anonymous requests; default denied (AUTH_DEFAULT_ROLES)
	Units        string        // "mg/dl" (default) or "mmol", as DISPLAY_UNITS
	History      time.Duration // how far back simulated data exists; default 90 days; <0 none
	UploadLag    time.Duration // a simulated reading appears this long after its time
	// AuthFailDelay is the penalty Nightscout adds to every later request
	// from an address after a wrong api-secret, per failure (default 5 s
	// as AUTH_FAIL_DELAY; <0 turns it off).
	AuthFailDelay time.Duration

	// Quirks seen in the wild, off by default.
	FractionalDates bool // `date` with a fraction of a millisecond, as some uploaders post
	ColonlessOffset bool // dateString written "…-0400" and utcOffset -240, as older uploaders do
	NoDateString    bool // entries without dateString and sysTime, as API v3 writes them
	RedirectHTTPS   bool // 307 every request to https, as without INSECURE_USE_HTTP
	// MemoryLag is how long a posted entry takes to reach the in-memory
	// copy /api/v1/entries answers If-Modified-Since from (the real
	// server's data loader: seconds). Until then that route says 304.
	MemoryLag time.Duration
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.APISecret == "" {
		c.APISecret = DefaultAPISecret
	}
	if c.Subjects == nil {
		c.Subjects = []Subject{{Name: DefaultSubject, Roles: []string{"readable"}}}
	}
	if c.DefaultRoles == nil {
		c.DefaultRoles = []string{"denied"}
	}
	if !strings.HasPrefix(strings.ToLower(c.Units), "mmol") {
		c.Units = "mg/dl"
	} else {
		c.Units = "mmol"
	}
	if c.History == 0 {
		c.History = defaultHistory
	}
	if c.AuthFailDelay == 0 {
		c.AuthFailDelay = defaultFailDelay
	}
	return c
}

// Server is the emulator: an http.Handler, optionally listening.
type Server struct {
	cfg  Config
	sim  *sensor
	http *emuserver.Server

	mu     sync.Mutex
	posted map[string][]doc     // collection → documents posted by clients
	delay  map[string]time.Time // remote IP → requests wait until then
	stats  map[string]int       // request counts by name
	avail  map[int64]time.Time  // posted entry date (ms) → when it became readable
}

// New returns an emulator that is not listening; serve it yourself.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	return &Server{
		cfg:    cfg,
		sim:    newSensor(cfg.Seed),
		http:   emuserver.New(),
		posted: map[string][]doc{},
		delay:  map[string]time.Time{},
		stats:  map[string]int{},
		avail:  map[int64]time.Time{},
	}
}

// Start returns an emulator listening on a random port of 127.0.0.1.
func Start(cfg Config) (*Server, error) { return StartAt(cfg, "127.0.0.1:0") }

// StartAt returns an emulator listening on addr.
func StartAt(cfg Config, addr string) (*Server, error) {
	s := New(cfg)
	if err := s.http.Listen(s, addr, "Nightscout emulator"); err != nil {
		return nil, err
	}
	return s, nil
}

// URL is the site's base URL, "http://127.0.0.1:PORT"; empty for a server
// made with New.
func (s *Server) URL() string { return s.http.URL() }

// Close stops the listener and cuts short any penalty delay.
func (s *Server) Close() error { return s.http.Close() }

// Config returns the configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Token returns the access token of the named subject.
func (s *Server) Token(subject string) string { return AccessToken(s.cfg.APISecret, subject) }

// Stats returns request counts: one per route ("entries", "treatments",
// "devicestatus", "status", "authorization", "post"; entries also by type:
// "entries/sgv", "entries/mbg", "entries/cal", "entries/current",
// "entries/all") and per outcome
// ("notModified", "unauthorized", "text": entries answered as TSV).
func (s *Server) Stats() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.stats)
}

func (s *Server) count(names ...string) {
	s.mu.Lock()
	for _, n := range names {
		s.stats[n]++
	}
	s.mu.Unlock()
}

// Newest returns the time, to the second, of the newest sgv a client can
// read right now, simulated or posted; zero when there is none.
func (s *Server) Newest() time.Time {
	ds := s.entries(s.cfg.Clock.Now(), query{count: 1, types: []string{"sgv"}, hasDate: true})
	if len(ds) == 0 {
		return time.Time{}
	}
	return ds[0].time().Truncate(time.Second)
}

// Available returns when the sgv at t (to the second) became readable:
// its time plus UploadLag when simulated, its post time when posted.
func (s *Server) Available(t time.Time) time.Time {
	s.mu.Lock()
	at, ok := s.avail[t.Unix()]
	s.mu.Unlock()
	if ok {
		return at
	}
	return t.Add(s.cfg.UploadLag)
}
