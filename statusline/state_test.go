package statusline

import (
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

func TestClassify(t *testing.T) {
	th := config.Default().Thresholds // 54 / 70 / 180 / 250
	for _, tc := range []struct {
		mgdl int
		want string
	}{
		{40, ClassUrgentLow}, {53, ClassUrgentLow}, {54, ClassLow}, {69, ClassLow},
		{70, ClassInRange}, {180, ClassInRange}, {181, ClassHigh}, {250, ClassHigh},
		{251, ClassVeryHigh}, {400, ClassVeryHigh},
	} {
		if got := classify(tc.mgdl, th); got != tc.want {
			t.Errorf("classify(%d) = %s, want %s", tc.mgdl, got, tc.want)
		}
	}
}

func TestFormatAge(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "now"}, {59 * time.Second, "now"}, {time.Minute, "1m"}, {59*time.Minute + 59*time.Second, "59m"},
		{time.Hour, "1h"}, {47 * time.Hour, "47h"}, {48 * time.Hour, "2d"}, {30 * 24 * time.Hour, "30d"},
	} {
		if got := formatAge(tc.d); got != tc.want {
			t.Errorf("formatAge(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct{ err, want string }{
		{"", ""},
		{client.ErrUnauthorized.Error(), ReasonAuth},
		{"refresh token: oauth2: \"invalid_grant\"", ReasonAuth},
		{(&client.RateLimitError{RetryAfter: time.Minute}).Error(), ReasonRateLimited},
		{(&client.APIError{StatusCode: 429}).Error(), ReasonRateLimited},
		{(&client.APIError{StatusCode: 503, Message: "down"}).Error(), ReasonServer},
		{`Get "https://api.dexcom.com/v3/users/self/egvs": dial tcp: lookup api.dexcom.com: no such host`, ReasonOffline},
		{"context deadline exceeded (Client.Timeout exceeded while awaiting headers)", ReasonTimeout},
		{"read tcp 10.0.0.2:5555->1.2.3.4:443: connection reset by peer", ReasonOffline},
		{"save readings: the disk holding /x/cache.db is full", ReasonDiskFull},
		{"save readings: disk error on /x/cache.db", ReasonCache},
		{"dexcom egvs: getting an access token: renew the Dexcom access token: dial tcp 127.0.0.1:1: connect: connection refused", ReasonOffline},
		{"rate-limited: Dexcom asked cgmtop to slow down; waiting 12m0s", ReasonRateLimited},
		{"timed out: Dexcom did not answer in time; retrying", ReasonTimeout},
		{"bad reply: Dexcom's answer was cut off or unreadable; retrying later", ReasonBadReply},
		{"access refused: Dexcom refused a fresh access token (HTTP 401); retrying, and if it lasts, run `cgmtop login`", ReasonAccessRefused},
		{"disk full: no room to save the renewed login; free some space (the login was not used and still works)", ReasonDiskFull},
		{"read-only disk: could not save readings in the local cache; make the data folder writable", ReasonReadOnly},
		{"not logged in: run `cgmtop login`", ReasonNotLoggedIn},
		{(&client.APIError{StatusCode: 400, Code: "bad"}).Error(), ReasonError},
		{"something nobody expected", ReasonError},
	} {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestBuild(t *testing.T) {
	fresh := pair(4*time.Minute, 112, 109, client.TrendFlat)
	for _, tc := range []struct {
		name   string
		mutate func(*Input)
		status State
		text   string
		delta  string
	}{
		{"fresh", func(*Input) {}, StateOK, "112 → +3 4m", "+3"},
		{"stale exactly at the limit is fresh", func(in *Input) { in.Now = fresh.Latest.Time.Add(15 * time.Minute) }, StateOK, "112 → +3 15m", "+3"},
		{"stale past the limit", func(in *Input) { in.Now = fresh.Latest.Time.Add(15*time.Minute + time.Second) }, StateStale, "112? → 15m", "+3"},
		{"configured stale-after", func(in *Input) { in.StaleAfter = 3 * time.Minute }, StateStale, "112? → 4m", "+3"},
		{"reading from the future shows as now", func(in *Input) { in.Now = fresh.Latest.Time.Add(-time.Minute) }, StateOK, "112 → +3 now", "+3"},
		{"previous 11 minutes before still gives a delta", func(in *Input) { in.Fresh.Previous.Time = in.Fresh.Latest.Time.Add(-11 * time.Minute) }, StateOK, "112 → +3 4m", "+3"},
		{"previous 12 minutes before gives none", func(in *Input) { in.Fresh.Previous.Time = in.Fresh.Latest.Time.Add(-12 * time.Minute) }, StateOK, "112 → 4m", ""},
		{"no previous", func(in *Input) { in.Fresh.Previous = client.Reading{} }, StateOK, "112 → 4m", ""},
		{"previous was HIGH", func(in *Input) { in.Fresh.Previous.Status = client.StatusHigh }, StateOK, "112 → 4m", ""},
		{"no change", func(in *Input) { in.Fresh.Previous.Value = 112 }, StateOK, "112 → ±0 4m", "±0"},
		{"unknown trend has no arrow", func(in *Input) { in.Fresh.Latest.Trend = client.TrendNotComputable }, StateOK, "112 +3 4m", "+3"},
		{"a value the sensor did not give", func(in *Input) { in.Fresh.Latest.Value = 0 }, StateOK, "--- → 4m", ""},
		{"mmol/L", func(in *Input) { in.Unit = client.MmolL }, StateOK, "6.2 → +0.2 4m", "+0.2"},
		{"failing while fresh keeps the value", func(in *Input) { in.Fresh.Sync.LastError = "no such host" }, StateOK, "112 → +3 4m", "+3"},
		{"failing and stale", func(in *Input) {
			in.Fresh.Sync.LastError = "no such host"
			in.Now = in.Now.Add(time.Hour)
		}, StateFailing, "112? → 1h (offline)", "+3"},
		{"logged out with no data", func(in *Input) {
			in.Fresh = cache.Freshness{}
			in.LoggedIn = false
		}, StateLoggedOut, "cgm: not logged in", ""},
		{"auth failure with no data", func(in *Input) {
			in.Fresh = cache.Freshness{Sync: cache.SyncStatus{LastError: client.ErrUnauthorized.Error()}}
		}, StateFailing, "cgm: login expired", ""},
		{"cache error outranks logged out", func(in *Input) {
			in.Fresh = cache.Freshness{}
			in.LoggedIn = false
			in.CacheError = true
		}, StateFailing, "cgm: cache error", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := baseInput(fresh)
			tc.mutate(&in)
			d := Build(in)
			if d.Status != tc.status || d.Text != tc.text || d.Delta != tc.delta {
				t.Errorf("got %s %q delta %q, want %s %q delta %q", d.Status, d.Text, d.Delta, tc.status, tc.text, tc.delta)
			}
		})
	}
}
