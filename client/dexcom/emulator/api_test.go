package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/clock"
)

func TestRangeValidation(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow)})
	tok := login(t, s).AccessToken
	day := testNow.Add(-24 * time.Hour)
	tests := []struct {
		name  string
		path  string
		want  int
		token string
	}{
		{"ok", rangePath("egvs", day, testNow), http.StatusOK, tok},
		{"no token", rangePath("egvs", day, testNow), http.StatusUnauthorized, ""},
		{"missing endDate", "/v3/users/self/egvs?startDate=" + day.Format(DateLayout), http.StatusBadRequest, tok},
		{"zone suffix", "/v3/users/self/egvs?startDate=" + day.Format(DateLayout) + "Z&endDate=" + testNow.Format(DateLayout), http.StatusBadRequest, tok},
		{"date only", "/v3/users/self/egvs?startDate=2025-03-13&endDate=2025-03-14", http.StatusBadRequest, tok},
		{"RFC 3339", "/v3/users/self/events?startDate=" + day.Format(time.RFC3339) + "&endDate=" + testNow.Format(time.RFC3339), http.StatusBadRequest, tok},
		{"end before start", rangePath("egvs", testNow, day), http.StatusBadRequest, tok},
		{"end equals start", rangePath("egvs", day, day), http.StatusBadRequest, tok},
		{"exactly 30 days", rangePath("egvs", testNow.Add(-MaxSpan), testNow), http.StatusOK, tok},
		{"over 30 days", rangePath("egvs", testNow.Add(-MaxSpan-time.Second), testNow), http.StatusBadRequest, tok},
		{"future range", rangePath("egvs", testNow.Add(time.Hour), testNow.Add(2*time.Hour)), http.StatusNotFound, tok},
		{"beyond history", rangePath("egvs", testNow.Add(-100*24*time.Hour), testNow.Add(-95*24*time.Hour)), http.StatusNotFound, tok},
		{"g7 has no calibrations", rangePath("calibrations", day, testNow), http.StatusNotFound, tok},
		{"events", rangePath("events", day, testNow), http.StatusOK, tok},
		{"alerts over a week", rangePath("alerts", testNow.Add(-7*24*time.Hour), testNow), http.StatusOK, tok},
		{"bad lastSyncTime", "/v3/users/self/dataRange?lastSyncTime=yesterday", http.StatusBadRequest, tok},
		{"lastSyncTime", "/v3/users/self/dataRange?lastSyncTime=" + day.Format(DateLayout), http.StatusOK, tok},
		{"unknown endpoint", "/v3/users/self/glucose", http.StatusNotFound, tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, s, tt.token, tt.path)
			if code != tt.want {
				t.Fatalf("%s answered %d, want %d: %.200s", tt.path, code, tt.want, body)
			}
			if !strings.HasPrefix(string(body), "{") {
				t.Errorf("body is not JSON: %.100s", body)
			}
		})
	}
}

func TestHistoryLimit(t *testing.T) {
	s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow), History: 7 * 24 * time.Hour})
	tok := login(t, s).AccessToken
	recs := fetchEGVs(t, s, tok, testNow.Add(-10*24*time.Hour), testNow)
	oldest := parseSystem(t, recs[len(recs)-1].SystemTime)
	if oldest.Before(testNow.Add(-7 * 24 * time.Hour)) {
		t.Errorf("served a reading from %s, older than History", oldest)
	}
	if oldest.After(testNow.Add(-7*24*time.Hour + time.Hour)) {
		t.Errorf("oldest reading %s is far after the History limit", oldest)
	}
}

func parseSystem(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(DateLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestEGVRecordShape(t *testing.T) {
	for _, user := range []string{"g7", "g6"} {
		t.Run(user, func(t *testing.T) {
			s := startServer(t, Config{AutoApprove: true, Clock: clock.NewManual(testNow), User: user})
			tok := login(t, s).AccessToken
			recs := fetchEGVs(t, s, tok, testNow.Add(-24*time.Hour), testNow)
			if len(recs) < 250 {
				t.Fatalf("only %d readings in a day", len(recs))
			}
			for i, r := range recs {
				if r.Unit != "mg/dL" || r.RateUnit != "mg/dL/min" || r.TransmitterGeneration != user || r.RecordID == "" || r.TransmitterID == "" {
					t.Fatalf("record %d incomplete: %+v", i, r)
				}
				if i > 0 && recs[i-1].SystemTime <= r.SystemTime {
					t.Fatalf("records not newest first at %d: %s then %s", i, recs[i-1].SystemTime, r.SystemTime)
				}
				dt, err := time.Parse(s.users[user].displayLayout, r.DisplayTime)
				if err != nil {
					t.Fatalf("displayTime %q: %v", r.DisplayTime, err)
				}
				_ = dt
			}
			wantZone := user == "g7"
			if got := strings.Count(recs[0].DisplayTime, "-") + strings.Count(recs[0].DisplayTime, "+"); (got > 2) != wantZone {
				t.Errorf("displayTime %q: zone offset present = %t, want %t", recs[0].DisplayTime, got > 2, wantZone)
			}
		})
	}
}

func TestDevicesAndDataRange(t *testing.T) {
	clk := clock.NewManual(testNow)
	s := startServer(t, Config{AutoApprove: true, Clock: clk, User: "g6", UploadLag: time.Hour})
	tok := login(t, s).AccessToken

	code, body := get(t, s, tok, "/v3/users/self/devices")
	if code != http.StatusOK {
		t.Fatalf("devices answered %d", code)
	}
	type device struct {
		LastUploadDate        string `json:"lastUploadDate"`
		TransmitterGeneration string `json:"transmitterGeneration"`
		DisplayDevice         string `json:"displayDevice"`
		DisplayApp            string `json:"displayApp"`
	}
	devs := decode[envelope[device]](t, body)
	if devs.RecordType != "device" || len(devs.Records) == 0 {
		t.Fatalf("devices envelope %+v", devs)
	}
	up := parseSystem(t, devs.Records[0].LastUploadDate)
	if newest := s.Newest(); up.Before(newest) || up.After(testNow.Add(-time.Hour)) {
		t.Errorf("lastUploadDate %s, newest reading %s, now−lag %s", up, newest, testNow.Add(-time.Hour))
	}

	code, body = get(t, s, tok, "/v3/users/self/dataRange")
	if code != http.StatusOK {
		t.Fatalf("dataRange answered %d", code)
	}
	type pair struct{ SystemTime, DisplayTime string }
	type span struct{ Start, End pair }
	dr := decode[struct {
		RecordType           string
		RecordVersion        string
		EGVs                 *span `json:"egvs"`
		Events, Calibrations *span
	}](t, body)
	if dr.RecordType != "dataRange" || dr.EGVs == nil || dr.Events == nil || dr.Calibrations == nil {
		t.Fatalf("dataRange %s", body)
	}
	if got := parseSystem(t, dr.EGVs.End.SystemTime); !got.Equal(s.Newest()) {
		t.Errorf("dataRange egvs end %s, Newest %s", got, s.Newest())
	}
	if got := parseSystem(t, dr.EGVs.Start.SystemTime); got.Before(testNow.Add(-90*24*time.Hour)) || got.After(testNow.Add(-89*24*time.Hour)) {
		t.Errorf("dataRange egvs start %s, want about 90 days ago", got)
	}
}
