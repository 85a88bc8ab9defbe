package doctor

import (
	"strings"
	"testing"
	"time"
)

func TestReportWrite(t *testing.T) {
	r := Report{
		{Topic: "settings", Level: OK, Say: "valid"},
		{Topic: "keyring", Level: Fail, Say: "no OS keyring answers", Fix: "use --token-store file"},
		{Topic: "tmux", Level: Warn, Say: "allow-passthrough is off", Fix: "set -g allow-passthrough on"},
		{Topic: "cache", Level: Info, Say: "no readings cached yet"},
	}
	var b strings.Builder
	if err := r.Write(&b, false); err != nil {
		t.Fatal(err)
	}
	want := `✓ settings  valid
✗ keyring   no OS keyring answers
            → use --token-store file
! tmux      allow-passthrough is off
            → set -g allow-passthrough on
· cache     no readings cached yet

1 problem to fix, 1 warning worth a look.
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if !r.Failed() || r[:1].Failed() {
		t.Error("Failed: want true with a Fail finding, false without")
	}
	b.Reset()
	r[:1].Write(&b, true)
	if b.String() != "ok   settings  valid\n\nAll good.\n" {
		t.Errorf("ascii: %q", b.String())
	}
}

func TestOneLineStripsControls(t *testing.T) {
	got := oneLine("bad\x1b]52;c;AAAA\x07 thing\n\tsecond\u009b2J line")
	if strings.ContainsAny(got, "\x1b\x07\n\t\u009b") || got != "bad ]52;c;AAAA thing second 2J line" {
		t.Errorf("oneLine = %q", got)
	}
}

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		40 * time.Second:                      "40s",
		-10 * time.Minute:                     "10 min",
		3*time.Hour + 5*time.Minute:           "3h05m",
		4*24*time.Hour + 3*time.Hour:          "4 days",
		47*time.Hour + 59*time.Minute:         "47h59m",
		59*time.Minute + 59*time.Second:       "1h00m",
		9*time.Minute + 59*time.Second:        "10 min",
		59*time.Second + 600*time.Millisecond: "1 min",
	} {
		if got := roughDuration(d); got != want {
			t.Errorf("roughDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestUTF8Locale(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, c := range []struct {
		kv   map[string]string
		want bool
	}{
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_ALL": "C"}, false}, // LC_ALL wins
		{map[string]string{"LANG": "C", "LC_CTYPE": "de_DE.utf8"}, true},
		{map[string]string{}, false},
	} {
		if got, _ := utf8Locale(env(c.kv)); got != c.want {
			t.Errorf("utf8Locale(%v) = %v, want %v", c.kv, got, c.want)
		}
	}
}
