package statusline

import (
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
)

// State is what the status line has to say, as one word scripts can match.
type State string

// The states, each drawn with a short text of its own.
const (
	StateOK        State = "ok"         // a fresh reading
	StateStale     State = "stale"      // the newest reading is older than stale-after
	StateFailing   State = "failing"    // no fresh reading, and the last sync failed
	StateNoData    State = "no-data"    // logged in, but nothing synced yet
	StateLoggedOut State = "logged-out" // no login and no cached data
)

// Reasons a sync fails, short enough for a status bar; see Reason.
const (
	ReasonAuth          = "auth"           // the refresh token was refused: log in again
	ReasonNotLoggedIn   = "not-logged-in"  // no login stored
	ReasonLoginRefused  = "login-refused"  // the app's client id or secret was refused
	ReasonAccessRefused = "access-refused" // a fresh access token was refused (HTTP 401), retrying
	ReasonOffline       = "offline"        // the server cannot be reached
	ReasonTimeout       = "timeout"        // the server did not answer in time
	ReasonRateLimited   = "rate-limited"   // the server asked to slow down (HTTP 429)
	ReasonServer        = "server"         // the server failed (HTTP 5xx)
	ReasonBadReply      = "bad-reply"      // an answer arrived cut off or unreadable
	ReasonDiskFull      = "disk-full"      // no room on the disk for the cache or the login
	ReasonReadOnly      = "read-only"      // the data or state folder cannot be written
	ReasonCache         = "cache"          // another local cache problem
	ReasonConfig        = "config"         // the settings file is broken
	ReasonError         = "error"          // anything else
)

// Range classes of a reading, from the configured thresholds. They double as
// CSS classes for waybar.
const (
	ClassUrgentLow = "urgent-low"
	ClassLow       = "low"
	ClassInRange   = "in-range"
	ClassHigh      = "high"
	ClassVeryHigh  = "very-high"
)

// Input is everything a status line is drawn from. It is plain data, so
// every format and state can be tested without files or a clock.
type Input struct {
	// Account and Name say whose line it is: the account, and the display
	// name the person is shown by (Config.DisplayName).
	Account, Name string
	Fresh         cache.Freshness
	LoggedIn      bool // a login marker exists, or the cache holds data
	CacheError    bool // the cache exists but could not be read
	// ConfigError means the settings file could not be read: the line says
	// so instead of a reading drawn with settings the user did not choose.
	ConfigError bool
	// SourceRefused is what a source that refused the stored login says
	// (client/gate), or "": the account must log in again.
	SourceRefused string
	Now           time.Time
	Unit          client.Unit
	Thresholds    config.Thresholds
	StaleAfter    time.Duration
	ASCII         bool // ASCII arrows, and no other non-ASCII character
	Color         bool // false under NO_COLOR: no styles of any kind
}

// Data is the status line taken apart: what --template sees, and what
// every format is drawn from.
type Data struct {
	Status     State  // ok, stale, failing, no-data, logged-out
	Text       string // the plain line, as --format plain prints it
	Value      string // "112", "6.2", "HIGH", "LOW", "---"; "" without a reading
	Arrow      string // trend arrow, Unicode or ASCII; "" when there is no direction
	Trend      string // Dexcom's trend name: flat, fortyFiveUp, ...
	Delta      string // change since the previous reading: "+3", "±0"; "" when unknown
	Age        string // "now", "4m", "2h", "3d"; "" without a reading
	AgeSeconds int64
	Unit       string // "mg/dL" or "mmol/L"
	Stale      bool
	Class      string // urgent-low, low, in-range, high, very-high; "" without a number
	Time       string // the reading's clock time, "15:04" in the local zone
	Reason     string // why sync fails: auth, offline, rate-limited, server, cache, error
	Urgent     bool   // a fresh urgent-low, low or very-high reading
	Percent    int    // the value placed on 40–400 mg/dL as 0–100, for bar gauges
	HasReading bool
	// Clock says how far this computer's clock is off the server's, "1 h
	// behind", from clock.WarnOffset on; "" otherwise. Ages are counted on
	// the server's clock either way.
	Clock  string
	Unix   int64  // the reading's time, unix seconds; 0 without a reading
	Source string // where the reading came from, on multi-source accounts: dexcom, share, nightscout
	Late   int64  // seconds from the sensor to cgmtop; -1 when unknown
	Error  string // the last sync error in full, or what the real-time source needs; "" when none
	// People is everyone on the line: with --all each person cgmtop
	// knows, else the one account. Empty outside templates.
	People []Person
}

// deltaWindow is the longest gap between two readings over which a change is
// still shown: one missed five-minute reading, plus jitter.
const deltaWindow = 11 * time.Minute

// Build works out what the status line says.
func Build(in Input) Data {
	d := Data{Unit: in.Unit.String(), Clock: clock.Skew(in.Fresh.Sync.ClockOffset), Late: -1}
	latest := in.Fresh.Latest
	if in.Fresh.Sync.LastError != "" {
		d.Reason = Reason(in.Fresh.Sync.LastError)
		d.Error = in.Fresh.Sync.LastError
	}
	if in.SourceRefused != "" {
		d.Reason, d.Error = ReasonLoginRefused, in.SourceRefused
	}
	if in.CacheError {
		d.Reason = ReasonCache
	}
	if in.ConfigError {
		d.Reason, latest = ReasonConfig, client.Reading{}
	}
	if latest.Time.IsZero() {
		switch {
		case d.Reason != "":
			d.Status = StateFailing
		case !in.LoggedIn:
			// The reason too, as README lists it: a script reads one
			// field (JSON reason, .Reason) for why there is no value.
			d.Status, d.Reason = StateLoggedOut, ReasonNotLoggedIn
		default:
			d.Status = StateNoData
		}
		d.Text = plainText(d)
		return d
	}

	d.HasReading = true
	d.Unix, d.Source = latest.Time.Unix(), latest.Source
	if !latest.Arrived.IsZero() {
		d.Late = max(int64(latest.Arrived.Sub(latest.Time)/time.Second), 0)
	}
	// Reading times are the server's: so is the now they are aged against.
	age := max(in.Now.Add(in.Fresh.Sync.ClockOffset).Sub(latest.Time), 0)
	d.AgeSeconds = int64(age / time.Second)
	d.Age = formatAge(age)
	d.Time = latest.Time.In(in.Now.Location()).Format("15:04")
	d.Trend = latest.Trend.String()
	if in.ASCII {
		d.Arrow = latest.Trend.ASCIIArrow()
	} else {
		d.Arrow = latest.Trend.Arrow()
	}
	switch {
	case latest.Status == client.StatusHigh:
		d.Value, d.Class, d.Percent = "HIGH", ClassVeryHigh, 100
	case latest.Status == client.StatusLow:
		d.Value, d.Class, d.Percent = "LOW", ClassUrgentLow, 0
	case latest.Known():
		d.Value = in.Unit.Format(float64(latest.Value))
		d.Class = classify(latest.Value, in.Thresholds)
		d.Percent = min(max((latest.Value-40)*100/360, 0), 100)
	default:
		d.Value = "---"
	}
	if prev := in.Fresh.Previous; latest.Known() && prev.Known() {
		if gap := latest.Time.Sub(prev.Time); gap > 0 && gap <= deltaWindow {
			d.Delta = in.Unit.FormatDelta(float64(latest.Value - prev.Value))
		}
	}

	staleAfter := in.StaleAfter
	if staleAfter <= 0 {
		staleAfter = 15 * time.Minute
	}
	d.Stale = age > staleAfter
	switch {
	case d.Stale && d.Reason != "":
		d.Status = StateFailing
	case d.Stale:
		d.Status = StateStale
	case d.Reason == ReasonLoginRefused:
		// The reading is fresh (a hybrid's official part), but the user
		// must act: say so, and keep saying it.
		d.Status = StateFailing
	default:
		d.Status = StateOK
		// A reading that is still fresh outlives one failed pass: the
		// reason stays in Data for templates, but the line does not cry wolf.
	}
	d.Urgent = !d.Stale && (d.Class == ClassUrgentLow || d.Class == ClassLow || d.Class == ClassVeryHigh)
	d.Text = plainText(d)
	return d
}

// classify places a mg/dL value in the configured ranges: the bounds of the
// target range (low and high) are in range, as in the time-in-range consensus.
func classify(mgdl int, t config.Thresholds) string {
	switch {
	case mgdl < t.UrgentLow:
		return ClassUrgentLow
	case mgdl < t.Low:
		return ClassLow
	case mgdl <= t.High:
		return ClassInRange
	case mgdl <= t.VeryHigh:
		return ClassHigh
	default:
		return ClassVeryHigh
	}
}

// formatAge is the age of a reading in one short unit.
func formatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d < 48*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	default:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
}

// Reason sorts the sync engine's last error into a word short enough for a
// status bar. The engine starts each description with the reason's text
// ("rate-limited: …"); older or outside errors are sorted by the phrases
// the client and cache use. Only a refused login is "auth": a failed
// renewal for any other reason (network, disk) is not.
func Reason(lastError string) string {
	if lastError == "" {
		return ""
	}
	for _, r := range reasonOrder {
		if strings.HasPrefix(lastError, reasonText[r]+":") {
			return r
		}
	}
	e := strings.ToLower(lastError)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(e, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("not logged in", "no stored login"):
		return ReasonNotLoggedIn
	case has("no space left", "disk is full", "is full", "disk full"):
		return ReasonDiskFull
	case has("read-only", "read only"):
		return ReasonReadOnly
	case has("login expired", "revoked", "invalid_grant"):
		return ReasonAuth
	case has("rate limit", "rate-limit", "http 429"):
		return ReasonRateLimited
	case has("timeout", "deadline exceeded", "timed out"):
		return ReasonTimeout
	case has("reading the response", "unexpected end of json", "invalid character"):
		return ReasonBadReply
	case has("no such host", "connection refused", "network is unreachable",
		"connection reset", "offline", "dial tcp", "tls handshake", "eof"):
		return ReasonOffline
	case has("http 5"):
		return ReasonServer
	case has("http 401"):
		return ReasonAccessRefused
	case has("cache", "disk", "database", "sqlite"):
		return ReasonCache
	default:
		return ReasonError
	}
}

// reasonOrder lists the reasons whose text may start an engine message.
var reasonOrder = []string{
	ReasonAuth, ReasonNotLoggedIn, ReasonLoginRefused, ReasonAccessRefused, ReasonOffline, ReasonTimeout,
	ReasonRateLimited, ReasonServer, ReasonBadReply, ReasonDiskFull, ReasonReadOnly, ReasonCache, ReasonConfig, ReasonError,
}

// reasonText is how a reason reads on the line.
var reasonText = map[string]string{
	ReasonAuth:          "login expired",
	ReasonNotLoggedIn:   "not logged in",
	ReasonLoginRefused:  "login refused",
	ReasonAccessRefused: "access refused",
	ReasonOffline:       "offline",
	ReasonTimeout:       "timed out",
	ReasonRateLimited:   "rate-limited",
	ReasonServer:        "server error",
	ReasonBadReply:      "bad reply",
	ReasonDiskFull:      "disk full",
	ReasonReadOnly:      "read-only disk",
	ReasonCache:         "cache error",
	ReasonConfig:        "config error",
	ReasonError:         "sync error",
}

// ReasonText is how a reason reads on the status line and in the monitor's
// shortest form of an error.
func ReasonText(reason string) string { return reasonText[reason] }

// Texts of the states without a reading.
const (
	textLoggedOut = "cgm: not logged in"
	textNoData    = "cgm: no data yet"
	textPrefix    = "cgm: "
)

// plainText is the unstyled line. Every format shows these same words, so
// a state reads the same in tmux, a bar or a script.
func plainText(d Data) string {
	switch {
	case d.Status == StateLoggedOut:
		return textLoggedOut
	case d.Status == StateNoData:
		return textNoData
	case !d.HasReading:
		return textPrefix + reasonText[d.Reason]
	}
	return join(valuePart(d), agePart(d), clockPart(d))
}

// clockPart is "(clock 1 h behind)" when this computer's clock is off.
func clockPart(d Data) string {
	if d.Clock == "" {
		return ""
	}
	return "(clock " + d.Clock + ")"
}

// valuePart is "112 → +3" when fresh, "112? →" when stale.
func valuePart(d Data) string {
	if d.Stale {
		return join(d.Value+"?", d.Arrow)
	}
	return join(d.Value, d.Arrow, d.Delta)
}

// agePart is "4m", or "42m (offline)" when the reading is stale because
// sync fails.
func agePart(d Data) string {
	if d.Status == StateFailing {
		return d.Age + " (" + reasonText[d.Reason] + ")"
	}
	return d.Age
}

// join joins the non-empty parts with single spaces.
func join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}
