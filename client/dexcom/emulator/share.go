package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// The Share account an emulator holds unless ShareConfig says otherwise.
const (
	DefaultShareUser      = "demo"
	DefaultShareEmail     = "demo@example.com"
	DefaultSharePhone     = "+15555550123"
	DefaultSharePassword  = "emulator-password"
	DefaultShareAccountID = "99999999-9999-9999-9999-999999999999"
)

// sharePrefix is where Dexcom Share's services live on every host.
const sharePrefix = "/ShareWebServices/Services/"

// Share's application ids: Japan's differs from the rest.
const (
	shareAppID   = "d89443d2-327c-4a6f-89e5-496bbb0317db"
	shareAppIDJP = "d8665ade-9673-4e27-9ff6-92db4ce13d13"
)

// shareEndpoints are the names Stats counts and faults match for Share.
var shareEndpoints = []string{"shareAuthenticate", "shareLogin", "shareRead"}

// ShareConfig sets up the Dexcom Share service the emulator serves beside
// the official API, from the same simulated sensor, so an account can use
// both. The zero value is a US host holding the default account.
type ShareConfig struct {
	// Region is the host this server plays: us (default), ous or jp. It
	// expects that region's application id.
	Region string
	// AccountRegion is where the account lives (default Region). When it
	// differs, every login is refused with AccountPasswordInvalid, exactly
	// as a real host treats an account of another region.
	AccountRegion string
	Username      string // default DefaultShareUser; DefaultShareEmail and DefaultSharePhone log in too
	Password      string // default DefaultSharePassword
	AccountID     string // default DefaultShareAccountID
	// SessionTTL is how long a session lives (default 24 h); an expired
	// session answers SessionNotValid, an unknown one SessionIdNotFound.
	SessionTTL time.Duration
	// LockoutAfter is how many refused credential attempts lock the
	// account (SSO_AuthenticateMaxAttemptsExceeded from then on, even
	// for the right password); 0 never locks.
	LockoutAfter int
	// OneSession makes a new login end the account's older sessions, as
	// some users of two devices report.
	OneSession bool
	IntTrend   bool          // trends as pre-2021 numbers
	OldDates   bool          // "/Date(ms)/" instead of "Date(ms)"
	JSONSub    bool          // SubCode as a JSON string (2025) instead of XML
	Lag        time.Duration // a reading is served from its time + Lag
	// Offset moves Share's times off the official API's by a few
	// seconds, as two services' clocks do; a merge must still see one
	// reading.
	Offset time.Duration
}

func (c ShareConfig) withDefaults() ShareConfig {
	if c.Region == "" {
		c.Region = "us"
	}
	if c.AccountRegion == "" {
		c.AccountRegion = c.Region
	}
	if c.Username == "" {
		c.Username = DefaultShareUser
	}
	if c.Password == "" {
		c.Password = DefaultSharePassword
	}
	if c.AccountID == "" {
		c.AccountID = DefaultShareAccountID
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 24 * time.Hour
	}
	return c
}

// ShareStats counts what Share clients did: the credential attempts are
// what a retry loop would burn towards a lockout.
type ShareStats struct {
	Authenticate   int `json:"authenticate"`    // AuthenticatePublisherAccount calls
	Login          int `json:"login"`           // LoginPublisherAccountById calls
	Refused        int `json:"refused"`         // credential attempts refused
	Sessions       int `json:"sessions"`        // sessions handed out
	Reads          int `json:"reads"`           // ReadPublisherLatestGlucoseValues calls
	ExpiredReads   int `json:"expired_reads"`   // reads with an expired or unknown session
	ReadingsServed int `json:"readings_served"` // readings in all answers
}

// CredentialAttempts is every call that carried the password.
func (s ShareStats) CredentialAttempts() int { return s.Authenticate + s.Login }

type shareSession struct {
	expires time.Time
	gen     int // login generation, for OneSession
}

// ShareStats returns the Share counters.
func (s *Server) ShareStats() ShareStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.share
}

// ExpireShareSessions ends every Share session now, as a server restart
// or the 24-hour limit would.
func (s *Server) ExpireShareSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	for id, ss := range s.sessions {
		ss.expires = now
		s.sessions[id] = ss
	}
}

func shareEndpoint(path string) string {
	switch strings.TrimPrefix(path, sharePrefix) {
	case "General/AuthenticatePublisherAccount":
		return "shareAuthenticate"
	case "General/LoginPublisherAccountById":
		return "shareLogin"
	case "Publisher/ReadPublisherLatestGlucoseValues":
		return "shareRead"
	}
	return ""
}

func (s *Server) handleShare(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			shareFault(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use POST", false)
			return
		}
		switch name {
		case "shareAuthenticate", "shareLogin":
			s.shareLogin(w, r, name)
		case "shareRead":
			s.shareRead(w, r)
		}
	}
}

type shareCreds struct {
	AccountName   string `json:"accountName"`
	AccountID     string `json:"accountId"`
	Password      string `json:"password"`
	ApplicationID string `json:"applicationId"`
}

func (s *Server) shareLogin(w http.ResponseWriter, r *http.Request, name string) {
	c := s.cfg.Share
	var in shareCreds
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		shareFault(w, http.StatusInternalServerError, "InvalidArgument", "The request body is malformed", c.JSONSub)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "shareAuthenticate" {
		s.share.Authenticate++
	} else {
		s.share.Login++
	}
	if c.LockoutAfter > 0 && s.shareFailures >= c.LockoutAfter {
		s.share.Refused++
		shareFault(w, http.StatusInternalServerError, "SSO_AuthenticateMaxAttemptsExceeded", "Maximum authentication attempts exceeded", c.JSONSub)
		return
	}
	app := shareAppID
	if c.Region == "jp" {
		app = shareAppIDJP
	}
	who := in.AccountID
	if name == "shareAuthenticate" {
		who = in.AccountName
	}
	if who == "" || in.Password == "" {
		s.share.Refused++
		shareFault(w, http.StatusInternalServerError, "InvalidArgument", "accountName or password is empty", c.JSONSub)
		return
	}
	known := who == c.AccountID
	if name == "shareAuthenticate" {
		known = strings.EqualFold(who, c.Username) || strings.EqualFold(who, DefaultShareEmail) && c.Username == DefaultShareUser || who == DefaultSharePhone && c.Username == DefaultShareUser
	}
	if !known || in.Password != c.Password || in.ApplicationID != app || c.AccountRegion != c.Region {
		s.share.Refused++
		s.shareFailures++
		shareFault(w, http.StatusInternalServerError, "AccountPasswordInvalid", "Publisher account password failed", c.JSONSub)
		return
	}
	s.shareFailures = 0
	if name == "shareAuthenticate" {
		writeJSON(w, http.StatusOK, c.AccountID)
		return
	}
	s.shareGen++
	id := newUUID()
	s.sessions[id] = shareSession{expires: s.cfg.Clock.Now().Add(c.SessionTTL), gen: s.shareGen}
	s.share.Sessions++
	writeJSON(w, http.StatusOK, id)
}

func (s *Server) shareRead(w http.ResponseWriter, r *http.Request) {
	c := s.cfg.Share
	q := r.URL.Query()
	id := q.Get("sessionId")
	if id == "" {
		id = q.Get("sessionID")
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	s.share.Reads++
	ss, ok := s.sessions[id]
	switch {
	case !validUUID(id):
		s.mu.Unlock()
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	case !ok:
		s.share.ExpiredReads++
		s.mu.Unlock()
		shareFault(w, http.StatusInternalServerError, "SessionIdNotFound", "Failed to find session object. [SessionId = "+id+"]", c.JSONSub)
		return
	case !now.Before(ss.expires) || (c.OneSession && ss.gen != s.shareGen):
		s.share.ExpiredReads++
		s.mu.Unlock()
		shareFault(w, http.StatusInternalServerError, "SessionNotValid", "Session not active or timed out. [SessionId = "+id+"]", c.JSONSub)
		return
	}
	s.mu.Unlock()
	minutes, err1 := strconv.Atoi(q.Get("minutes"))
	count, err2 := strconv.Atoi(q.Get("maxCount"))
	if err1 != nil || err2 != nil || minutes < 0 || minutes > 1440 || count < 0 || count > 288 {
		shareFault(w, http.StatusInternalServerError, "InvalidArgument", "minutes must be 0 to 1440 and maxCount 0 to 288", c.JSONSub)
		return
	}
	g := s.gen(s.cfg.User)
	p := g.p
	hi := now.Add(-c.Lag).Unix()
	lo := now.Add(-time.Duration(minutes) * time.Minute).Unix()
	b := []byte{'['}
	n := 0
	if minutes > 0 && count > 0 && lo <= hi {
		for i := p.lastSlotAtOrBefore(hi); i >= p.firstSlotAtOrAfter(lo) && n < count; i-- {
			rd, ok := g.read(i)
			if !ok {
				continue
			}
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = s.appendShareReading(b, rd)
		}
	}
	b = append(b, ']')
	s.mu.Lock()
	s.share.ReadingsServed += n
	s.mu.Unlock()
	writeBody(w, http.StatusOK, b)
}

var shareTrendNames = map[client.Trend]string{
	client.TrendNone: "None", client.TrendDoubleUp: "DoubleUp", client.TrendSingleUp: "SingleUp",
	client.TrendFortyFiveUp: "FortyFiveUp", client.TrendFlat: "Flat", client.TrendFortyFiveDown: "FortyFiveDown",
	client.TrendSingleDown: "SingleDown", client.TrendDoubleDown: "DoubleDown",
	client.TrendNotComputable: "NotComputable", client.TrendRateOutOfRange: "RateOutOfRange",
}

var shareTrendNumbers = map[client.Trend]int{
	client.TrendNone: 0, client.TrendDoubleUp: 1, client.TrendSingleUp: 2, client.TrendFortyFiveUp: 3,
	client.TrendFlat: 4, client.TrendFortyFiveDown: 5, client.TrendSingleDown: 6, client.TrendDoubleDown: 7,
	client.TrendNotComputable: 8, client.TrendRateOutOfRange: 9,
}

func (s *Server) appendShareReading(b []byte, r reading) []byte {
	c := s.cfg.Share
	ms := r.t*1000 + c.Offset.Milliseconds()
	date := func(suffix string) string {
		if c.OldDates {
			return `"\/Date(` + strconv.FormatInt(ms, 10) + suffix + `)\/"`
		}
		return `"Date(` + strconv.FormatInt(ms, 10) + suffix + `)"`
	}
	off := s.users[s.cfg.User].zoneOffset
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	tz := fmt.Sprintf("%c%02d%02d", sign, off/3600, off%3600/60)
	v := r.value
	switch r.status {
	case client.StatusLow:
		v = 39
	case client.StatusHigh:
		v = 401
	}
	var trend string
	if c.IntTrend {
		trend = strconv.Itoa(shareTrendNumbers[r.trend])
	} else {
		trend = strconv.Quote(shareTrendNames[r.trend])
	}
	return fmt.Appendf(b, `{"WT":%s,"ST":%s,"DT":%s,"Value":%d,"Trend":%s}`, date(""), date(""), date(tz), v, trend)
}

// shareFault answers as Share answers every error: HTTP 500 (or the
// status given) with Code, Message, SubCode and TypeName.
func shareFault(w http.ResponseWriter, status int, code, msg string, jsonSub bool) {
	sub := fmt.Sprintf(`<OnlineException DateThrownLocal="%s" ErrorCode="%s" Type="5" Category="2" Severity="2" TypeString="ObjectNotFound" />`,
		time.Now().Format("2006-01-02T15:04:05.000000000"), code)
	if jsonSub {
		sub = fmt.Sprintf("{\n \"OnlineException\": {\"ErrorCode\": %q}}", code)
	}
	writeJSON(w, status, map[string]string{"Code": code, "Message": msg, "SubCode": sub, "TypeName": "FaultException"})
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// statsPath serves the counters as JSON, for scripts that measure cgmtop
// against `cgmtop emulate`.
const statsPath = "/emulator/stats"

func (s *Server) serveStats(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"requests": s.Stats(), "share": s.ShareStats(), "newest": s.Newest()})
}
