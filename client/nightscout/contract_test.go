package nightscout_test

// Contract tests against a real Nightscout 15.0.7: the shared kit
// (../shared/nightscout beside the repository) boots one on loopback.
// They run when NIGHTSCOUT_URL, NIGHTSCOUT_READ_TOKEN and
// NIGHTSCOUT_API_SECRET name a running kit (`eval "$(start.sh)"`), or
// with NSKIT=1, which boots one for the test run and stops it after.

import (
	"bytes"

	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/nightscout"
)

// kit is the real Nightscout the contract tests talk to.
type kit struct {
	url, token, secret string
	dir                string // the kit's scripts
	env                map[string]string
	stop               func()
}

var (
	kitOnce sync.Once
	theKit  *kit
	kitErr  error
	kitSkip string
)

// kitDir finds the kit: $NSKIT_DIR, else shared/nightscout beside the
// repository (the package is two folders below the repository's root).
func kitDir() string {
	if d := os.Getenv("NSKIT_DIR"); d != "" {
		return d
	}
	d, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "nightscout"))
	return d
}

func realNightscout(t *testing.T) *kit {
	t.Helper()
	kitOnce.Do(func() { theKit, kitErr, kitSkip = bootKit() })
	if kitSkip != "" {
		t.Skip(kitSkip)
	}
	if kitErr != nil {
		t.Fatal(kitErr)
	}
	return theKit
}

func bootKit() (*kit, error, string) {
	k := &kit{dir: kitDir(), env: map[string]string{}}
	if u := os.Getenv("NIGHTSCOUT_URL"); u != "" {
		for _, name := range []string{"NIGHTSCOUT_URL", "NIGHTSCOUT_READ_TOKEN", "NIGHTSCOUT_API_SECRET"} {
			if os.Getenv(name) == "" {
				return nil, fmt.Errorf("NIGHTSCOUT_URL is set but %s is not: eval the whole output of start.sh", name), ""
			}
			k.env[name] = os.Getenv(name)
		}
	} else {
		if os.Getenv("NSKIT") == "" {
			return nil, nil, "contract tests against a real Nightscout are off: set NSKIT=1 to boot the kit in " + kitDir() +
				", or eval \"$(start.sh)\" first so NIGHTSCOUT_URL is set"
		}
		cmd := exec.Command("bash", filepath.Join(k.dir, "start.sh"), "--watch-pid", strconv.Itoa(os.Getpid()))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("booting the Nightscout kit (%s/start.sh): %w", k.dir, err), ""
		}
		for _, line := range strings.Split(string(out), "\n") {
			key, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if ok {
				k.env[key] = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(v, "'"), "'"), `'\''`, "'")
			}
		}
		instance := k.env["NIGHTSCOUT_DIR"]
		k.stop = func() {
			_ = exec.Command("bash", filepath.Join(k.dir, "stop.sh"), "--clean", "--dir", instance).Run()
		}
	}
	k.url, k.token, k.secret = k.env["NIGHTSCOUT_URL"], k.env["NIGHTSCOUT_READ_TOKEN"], k.env["NIGHTSCOUT_API_SECRET"]
	return k, nil, ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theKit != nil && theKit.stop != nil {
		theKit.stop()
	}
	os.Exit(code)
}

// seed runs the kit's seed.sh, which posts entries ending now with the
// API secret, as an uploader would.
func (k *kit) seed(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(k.dir, "seed.sh")}, args...)...)
	cmd.Env = append(os.Environ(), "NIGHTSCOUT_URL="+k.url, "NIGHTSCOUT_API_SECRET="+k.secret)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("seed.sh %v: %v\n%s", args, err, out)
	}
}

// post writes documents with the API secret, as an uploader does.
func (k *kit) post(t *testing.T, path, body string) {
	t.Helper()
	sum := sha1.Sum([]byte(k.secret))
	req, _ := http.NewRequest(http.MethodPost, k.url+path, strings.NewReader(body))
	req.Header.Set("api-secret", hex.EncodeToString(sum[:]))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
}

func TestContractLoginBackfillAndNewEntries(t *testing.T) {
	k := realNightscout(t)
	c := nightscout.New(k.url, k.token)
	site, err := c.Site(ctx(t))
	if err != nil {
		t.Fatalf("logging in with the read token: %v", err)
	}
	if site.Subject == "" || !site.UnitsSet || site.Version != "15.0.7" {
		t.Errorf("site %+v", site)
	}
	device := fmt.Sprintf("contract-%d", time.Now().UnixNano())
	k.seed(t, "-n", "12", "--device", device)
	start := time.Now()
	if _, err := c.CheckRead(ctx(t)); err != nil {
		t.Fatalf("reading entries with the read token: %v", err)
	}
	from := start.Add(-2 * time.Hour)
	rs, err := c.Readings(ctx(t), from, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 12 {
		t.Fatalf("backfill found %d readings, want the 12 seeded", len(rs))
	}
	newest := rs[len(rs)-1]
	if time.Since(newest.Time) > time.Minute || !newest.Known() || newest.Trend == client.TrendUnknown {
		t.Errorf("newest reading %+v, want the one seeded at now", newest)
	}

	// Nothing new: the next poll is a 304.
	before := c.Counts()
	if _, err := c.Readings(ctx(t), newest.Time.Add(-15*time.Minute), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if after := c.Counts(); after.NotModified != before.NotModified+1 || after.Requests != before.Requests+1 {
		t.Errorf("a poll with nothing new: counts %+v → %+v, want one request answered 304", before, after)
	}

	// A new entry, a second later: the next poll sees it.
	time.Sleep(1100 * time.Millisecond)
	k.seed(t, "-n", "1", "--device", device, "--no-treatment", "--no-devicestatus")
	rs, err = c.Readings(ctx(t), newest.Time.Add(-15*time.Minute), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got := rs[len(rs)-1].Time; !got.After(newest.Time) {
		t.Errorf("after seeding one more entry the newest is still %v", got)
	}

	dr, err := c.DataRange(ctx(t))
	if err != nil || dr.Readings.Start.IsZero() || !dr.Readings.Start.Before(dr.Readings.End) || dr.Readings.End.Before(newest.Time) {
		t.Errorf("data range %+v, %v: want the oldest and the newest reading", dr, err)
	}

	evs, err := c.Events(ctx(t), from, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !hasEvent(evs, "insulin", "1.5") {
		t.Errorf("events %+v lack the seeded 1.5 U correction bolus", evs)
	}
	ds, err := c.Devices(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !hasDevice(ds, device, 77) {
		t.Errorf("devices %+v lack the seeded uploader at 77%%", ds)
	}
}

func hasEvent(evs []client.Event, typ, value string) bool {
	for _, e := range evs {
		if e.Type == typ && e.Value == value {
			return true
		}
	}
	return false
}

func hasDevice(ds []client.Device, name string, battery int) bool {
	for _, d := range ds {
		if d.DisplayDevice == name && d.HasBattery && d.Battery == battery {
			return true
		}
	}
	return false
}

// The odd shapes uploaders post come back from the real server in a form
// the client reads: a fractional date with no dateString.
func TestContractFractionalDate(t *testing.T) {
	k := realNightscout(t)
	at := time.Now().Add(-3 * time.Minute).Truncate(time.Second)
	date := fmt.Sprintf("%d.456", at.UnixMilli()+123)
	k.post(t, "/api/v1/entries.json", `[{"type":"sgv","sgv":131,"direction":"Flat","date":`+date+`,"device":"contract-frac"}]`)
	c := nightscout.New(k.url, k.token)
	rs, err := c.Readings(ctx(t), at.Add(-time.Second), at.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := at // to the second, the cache's key
	for _, r := range rs {
		if r.Time.Equal(want) && r.Value == 131 {
			return
		}
	}
	t.Errorf("posted a fractional date %s; read back %+v", date, rs)
}

func TestContractRefusalsSayWhatWasWrong(t *testing.T) {
	k := realNightscout(t)
	sum := sha1.Sum([]byte(k.secret))
	tests := []struct {
		name, token string
		reason      nightscout.AuthReason
	}{
		{"wrong token", "cgmtop-0123456789abcdef", nightscout.TokenRefused},
		{"API secret as the token", k.secret, nightscout.NotAToken},
		{"hashed API secret as the token", hex.EncodeToString(sum[:]), nightscout.SecretHash},
		{"no token", "", nightscout.NeedsToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nightscout.New(k.url, tt.token)
			_, err := c.CheckRead(ctx(t))
			var ae *nightscout.AuthError
			if !errors.As(err, &ae) || ae.Reason != tt.reason || !errors.Is(err, client.ErrUnauthorized) {
				t.Fatalf("got %v, want reason %d", err, tt.reason)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("the message repeats the credential: %q", err)
			}
			t.Log(err)
		})
	}
}

// Without .json or an Accept header the real server answers text; this is
// the trap the client's explicit JSON avoids, and the emulator copies.
func TestContractEntriesWithoutJSONAreText(t *testing.T) {
	k := realNightscout(t)
	resp, err := http.Get(k.url + "/api/v1/entries?count=1&token=" + k.token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || bytes.HasPrefix(body, []byte("[")) {
		t.Errorf("bare /api/v1/entries: %s %.80q", ct, body)
	}
}
