package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// api returns the handler of one /v3/users/self endpoint.
func (s *Server) api(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
			return
		}
		user, ok := s.authorize(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "invalid_token", "missing, invalid or expired access token")
			return
		}
		g := s.gen(user)
		sv := s.served(s.cfg.Clock.Now())
		switch name {
		case "devices":
			writeJSON(w, http.StatusOK, s.devices(g, sv))
			return
		case "dataRange":
			if v := r.URL.Query().Get("lastSyncTime"); v != "" {
				if _, err := time.Parse(DateLayout, v); err != nil {
					writeError(w, http.StatusBadRequest, "invalid_request", "lastSyncTime must look like 2006-01-02T15:04:05 (UTC, no zone)")
					return
				}
			}
			writeJSON(w, http.StatusOK, s.dataRange(g, sv))
			return
		}
		start, end, err := parseRange(r)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		var body []byte
		var n int
		switch name {
		case "egvs":
			// About 400 bytes a reading: size the buffer once.
			slots := max(0, end.Unix()-start.Unix()) / slotSeconds
			body, n = g.appendEGVs(make([]byte, 0, 512+slots*400), sv, start, end)
		default:
			lo, hi := sv.clip(start, end)
			if lo > hi {
				break
			}
			switch name {
			case "events":
				body, n = g.appendEvents(nil, lo, hi)
			case "calibrations":
				body, n = g.appendCalibrations(nil, lo, hi)
			case "alerts":
				body, n = g.appendAlerts(nil, lo, hi)
			}
		}
		if n == 0 {
			writeError(w, http.StatusNotFound, "not_found", "no records in the requested range")
			return
		}
		writeBody(w, http.StatusOK, body)
	}
}

// parseRange reads startDate and endDate the way the real API insists on.
func parseRange(r *http.Request) (start, end time.Time, err error) {
	q := r.URL.Query()
	for _, k := range []string{"startDate", "endDate"} {
		if q.Get(k) == "" {
			return start, end, fmt.Errorf("%s is required, formatted like 2006-01-02T15:04:05 (UTC, no zone)", k)
		}
	}
	if start, err = time.Parse(DateLayout, q.Get("startDate")); err != nil {
		return start, end, fmt.Errorf("startDate must look like 2006-01-02T15:04:05 (UTC, no zone)")
	}
	if end, err = time.Parse(DateLayout, q.Get("endDate")); err != nil {
		return start, end, fmt.Errorf("endDate must look like 2006-01-02T15:04:05 (UTC, no zone)")
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("endDate must be after startDate")
	}
	if end.Sub(start) > MaxSpan {
		return start, end, fmt.Errorf("the range from startDate to endDate may span at most 30 days")
	}
	return start, end, nil
}

// authorize returns the user the request's bearer token belongs to.
func (s *Server) authorize(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[token]
	if !ok || !now.Before(g.expires) {
		return "", false
	}
	return g.user, true
}

type timePair struct {
	SystemTime  string `json:"systemTime"`
	DisplayTime string `json:"displayTime"`
}

type span struct {
	Start timePair `json:"start"`
	End   timePair `json:"end"`
}

type dataRangeBody struct {
	RecordType    string `json:"recordType"`
	RecordVersion string `json:"recordVersion"`
	UserID        string `json:"userId"`
	Calibrations  *span  `json:"calibrations,omitempty"`
	EGVs          *span  `json:"egvs,omitempty"`
	Events        *span  `json:"events,omitempty"`
}

func (g gen) pair(t int64) timePair {
	return timePair{
		SystemTime:  string(appendSystemTime(nil, t)),
		DisplayTime: string(g.p.appendDisplayTime(nil, t+g.skew(t))),
	}
}

func (g gen) span(first, last int64) *span {
	return &span{Start: g.pair(first), End: g.pair(last)}
}

// dataRange reports the first and last record of each kind; a kind with no
// records is left out.
func (s *Server) dataRange(g gen, sv served) dataRangeBody {
	body := dataRangeBody{RecordType: "dataRange", RecordVersion: "3.0", UserID: g.p.userID}
	if sv.lo > sv.hi {
		return body
	}
	if first, ok := g.oldest(sv.lo, sv.hi); ok {
		last, _ := g.newest(sv.lo, sv.hi)
		body.EGVs = g.span(first.t, last.t)
	}
	const probe = 3 * daySeconds
	firstEv := g.p.events(sv.lo, min(sv.hi, sv.lo+probe))
	lastEv := g.p.events(max(sv.lo, sv.hi-probe), sv.hi)
	if len(firstEv) > 0 && len(lastEv) > 0 {
		body.Events = g.span(firstEv[0].t, lastEv[len(lastEv)-1].t)
	}
	firstCal := g.calibrations(sv.lo, min(sv.hi, sv.lo+probe))
	lastCal := g.calibrations(max(sv.lo, sv.hi-probe), sv.hi)
	if len(firstCal) > 0 && len(lastCal) > 0 {
		body.Calibrations = g.span(firstCal[0].t, lastCal[len(lastCal)-1].t)
	}
	return body
}

type alertSetting struct {
	AlertName   string `json:"alertName"`
	Value       int    `json:"value"`
	Unit        string `json:"unit"`
	Snooze      int    `json:"snooze"`
	Enabled     bool   `json:"enabled"`
	SystemTime  string `json:"systemTime"`
	DisplayTime string `json:"displayTime"`
}

type alertSchedule struct {
	AlertScheduleSettings struct {
		AlertScheduleName string   `json:"alertScheduleName"`
		IsEnabled         bool     `json:"isEnabled"`
		IsDefaultSchedule bool     `json:"isDefaultSchedule"`
		StartTime         string   `json:"startTime"`
		EndTime           string   `json:"endTime"`
		DaysOfWeek        []string `json:"daysOfWeek"`
		IsActive          bool     `json:"isActive"`
	} `json:"alertScheduleSettings"`
	AlertSettings []alertSetting `json:"alertSettings"`
}

type deviceRecord struct {
	LastUploadDate        string          `json:"lastUploadDate"`
	AlertSchedules        []alertSchedule `json:"alertSchedules"`
	TransmitterID         string          `json:"transmitterId"`
	TransmitterGeneration string          `json:"transmitterGeneration"`
	DisplayDevice         string          `json:"displayDevice"`
	DisplayApp            string          `json:"displayApp"`
}

type devicesBody struct {
	RecordType    string         `json:"recordType"`
	RecordVersion string         `json:"recordVersion"`
	UserID        string         `json:"userId"`
	Records       []deviceRecord `json:"records"`
}

// devices lists the user's display devices. The last upload is a little
// after the newest reading served, as the app uploads just after it reads.
func (s *Server) devices(g gen, sv served) devicesBody {
	p := g.p
	upload := sv.hi
	if r, ok := g.newest(sv.lo, sv.hi); ok {
		upload = min(sv.hi, r.t+20+int64(p.h(tagUpload, r.slot)%90))
	}
	set := g.pair(upload - 30*daySeconds)
	var sched alertSchedule
	st := &sched.AlertScheduleSettings
	st.AlertScheduleName, st.IsEnabled, st.IsDefaultSchedule, st.IsActive = "Default", true, true, true
	st.StartTime, st.EndTime = "00:00", "00:00"
	st.DaysOfWeek = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	for _, a := range []struct {
		name  string
		value int
	}{{"high", 250}, {"low", 70}, {"urgentLow", 55}, {"urgentLowSoon", 55}, {"rise", 2}, {"fall", 2}, {"outOfRange", 20}} {
		unit := "mg/dL"
		switch a.name {
		case "rise", "fall":
			unit = "mg/dL/min"
		case "outOfRange":
			unit = "minutes"
		}
		sched.AlertSettings = append(sched.AlertSettings, alertSetting{
			AlertName: a.name, Value: a.value, Unit: unit, Snooze: 30, Enabled: true,
			SystemTime: set.SystemTime, DisplayTime: set.DisplayTime,
		})
	}
	tx, _ := p.transmitter(upload)
	body := devicesBody{RecordType: "device", RecordVersion: "3.0", UserID: p.userID}
	body.Records = append(body.Records, deviceRecord{
		LastUploadDate:        string(appendSystemTime(nil, upload)),
		AlertSchedules:        []alertSchedule{sched},
		TransmitterID:         tx,
		TransmitterGeneration: p.generation,
		DisplayDevice:         p.displayDevice,
		DisplayApp:            p.displayApp,
	})
	if p.name == "g6" {
		// A G6 user often keeps a receiver too; it last uploaded when docked.
		body.Records = append(body.Records, deviceRecord{
			LastUploadDate:        string(appendSystemTime(nil, upload-3*daySeconds-int64(p.h(tagUpload, 0)%daySeconds))),
			AlertSchedules:        []alertSchedule{sched},
			TransmitterID:         tx,
			TransmitterGeneration: p.generation,
			DisplayDevice:         "receiver",
			DisplayApp:            "receiver",
		})
	}
	return body
}
