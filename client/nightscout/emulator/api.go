package emulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// format is how a response is written, from the path's extension or, with
// none, the Accept header, as Express's res.format chooses.
type format int

const (
	formatText format = iota // what Nightscout sends when nothing asks for JSON
	formatJSON
	formatCSV
)

// splitExt cuts ".json", ".tsv", ".txt" or ".csv" off a path.
func splitExt(path string, r *http.Request) (string, format) {
	for ext, f := range map[string]format{".json": formatJSON, ".tsv": formatText, ".txt": formatText, ".csv": formatCSV} {
		if strings.HasSuffix(path, ext) {
			return strings.TrimSuffix(path, ext), f
		}
	}
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "application/json") && !strings.HasPrefix(accept, "text/") {
		return path, formatJSON
	}
	return path, formatText
}

// ServeHTTP routes a request as Nightscout's API v1 and v2 do.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.RedirectHTTPS {
		s.count("redirect")
		http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		return
	}
	if r.URL.Path == "/emulator/stats" {
		// Not Nightscout's: the counters, for measurements from outside.
		writeJSON(w, http.StatusOK, s.Stats())
		return
	}
	path, f := splitExt(strings.TrimRight(r.URL.Path, "/"), r)
	if sub, ok := strings.CutPrefix(path, "/api/v2/authorization/request/"); ok && r.Method == http.MethodGet {
		s.handleJWT(w, r, sub)
		return
	}
	var coll, spec string
	switch {
	case path == "/api/v1/status":
		coll = "status"
	case path == "/api/v1/entries", path == "/api/v1/treatments", path == "/api/v1/devicestatus":
		coll = strings.TrimPrefix(path, "/api/v1/")
	case strings.HasPrefix(path, "/api/v1/entries/"):
		coll, spec = "entries", strings.TrimPrefix(path, "/api/v1/entries/")
		if spec != "current" && spec != "sgv" && spec != "mbg" && spec != "cal" {
			coll = ""
		}
	}
	if coll == "" || (r.Method != http.MethodGet && !(r.Method == http.MethodPost && coll != "status" && spec == "")) {
		s.count("notFound")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot %s %s</pre>\n</body>\n</html>\n", r.Method, html.EscapeString(r.URL.Path))
		return
	}
	perm := "api:" + coll + ":read"
	if r.Method == http.MethodPost {
		perm = "api:" + coll + ":create"
	}
	g, ok := s.authorize(r.Context(), r)
	if !ok || !permitted(g.perms, perm) {
		s.count(coll, "unauthorized")
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "message": "Unauthorized", "description": "Invalid/Missing"})
		return
	}
	if r.Method == http.MethodPost {
		s.handlePost(w, r, coll)
		return
	}
	if coll == "entries" {
		// Also by type, so a measurement can tell readings polls (sgv)
		// from meter values (mbg) and the untyped route.
		s.count(coll, "entries/"+cmp.Or(spec, "all"))
	} else {
		s.count(coll)
	}
	now := s.cfg.Clock.Now()
	switch coll {
	case "status":
		if f != formatJSON {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<h1>STATUS OK</h1>")
			return
		}
		writeJSON(w, http.StatusOK, s.status(now, r.URL.Query().Get("token")))
	case "entries":
		s.handleEntries(w, r, now, spec, f)
	case "treatments":
		writeJSON(w, http.StatusOK, s.treatments(now, parseQuery(r.URL.Query(), "created_at", defaultCount(r, 100, 1000))))
	case "devicestatus":
		writeJSON(w, http.StatusOK, s.devicestatus(now, parseQuery(r.URL.Query(), "created_at", 10)))
	}
}

// defaultCount is Nightscout's count when none is given; treatments use a
// larger one when the query has a find.
func defaultCount(r *http.Request, plain, withFind int) int {
	for k := range r.URL.Query() {
		if strings.HasPrefix(k, "find[") {
			return withFind
		}
	}
	return plain
}

// handleEntries serves entries with Nightscout's two If-Modified-Since
// checks (the newest sgv in memory, then the newest of the answer), mills
// only on the in-memory path, and TSV unless JSON was asked for.
func (s *Server) handleEntries(w http.ResponseWriter, r *http.Request, now time.Time, spec string, f format) {
	q := parseQuery(r.URL.Query(), "date", 10)
	switch spec {
	case "current":
		q = query{count: 1, types: []string{"sgv"}}
	case "sgv", "mbg", "cal":
		q.types = []string{spec}
	}
	ims, imsErr := http.ParseTime(r.Header.Get("If-Modified-Since"))
	if spec == "" {
		if last, ok := s.memoryNewest(now); ok {
			w.Header().Set("Last-Modified", time.UnixMilli(int64(last)).UTC().Format(http.TimeFormat))
			if imsErr == nil && last <= float64(ims.UnixMilli()) {
				s.notModified(w)
				return
			}
		}
	}
	ds := s.entries(now, q)
	inMemory := spec == "" && len(q.filters) == 0 && q.count <= 2*288
	if len(ds) > 0 {
		if inMemory {
			for _, d := range ds {
				if _, ok := d["mills"]; !ok {
					d["mills"] = math.Floor(d.sortMillis())
				}
			}
		}
		lastMs := ds[0].sortMillis()
		w.Header().Set("Last-Modified", time.UnixMilli(int64(lastMs)).UTC().Format(http.TimeFormat))
		if imsErr == nil && lastMs <= float64(ims.UnixMilli()) {
			s.notModified(w)
			return
		}
	}
	switch f {
	case formatJSON:
		writeJSON(w, http.StatusOK, ds)
	default:
		s.count("text")
		sep, ct := "\t", "text/plain; charset=utf-8"
		if f == formatCSV {
			sep, ct = ",", "text/csv; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		rows := make([]string, 0, len(ds))
		for _, d := range ds {
			var cols []string
			for _, k := range []string{"dateString", "date", "sgv", "direction", "device"} {
				b, _ := json.Marshal(d[k])
				if d[k] == nil {
					b = nil
				}
				cols = append(cols, string(b))
			}
			rows = append(rows, strings.Join(cols, sep))
		}
		io.WriteString(w, strings.Join(rows, "\r\n"))
	}
}

// memoryNewest is the newest sgv in the site's in-memory copy, which
// posted entries reach MemoryLag after their post.
func (s *Server) memoryNewest(now time.Time) (float64, bool) {
	ds := s.entries(now, query{count: 50, types: []string{"sgv"}})
	for _, d := range ds {
		ms := d.sortMillis()
		s.mu.Lock()
		posted, ok := s.avail[time.UnixMilli(int64(ms)).Unix()]
		s.mu.Unlock()
		if !ok || !posted.Add(s.cfg.MemoryLag).After(now) {
			return ms, true
		}
	}
	return 0, false
}

func (s *Server) notModified(w http.ResponseWriter) {
	s.count("notModified")
	w.WriteHeader(http.StatusNotModified)
}

// status is /api/v1/status.json; `authorized` describes the ?token= sent.
func (s *Server) status(now time.Time, token string) map[string]any {
	var authorized any
	if sub, ok := s.subjectFor(token); ok {
		var groups [][]string
		for _, r := range sub.Roles {
			groups = append(groups, rolePermissions[r])
		}
		groups = append(groups, permsOf(s.cfg.DefaultRoles))
		authorized = map[string]any{"token": s.signJWT(sub.Name, now), "sub": sub.Name, "permissionGroups": groups,
			"iat": now.Unix(), "exp": now.Add(jwtLifetime).Unix()}
	}
	th := map[string]any{"bgHigh": 260, "bgTargetTop": 180, "bgTargetBottom": 80, "bgLow": 55}
	return map[string]any{"status": "ok", "name": "nightscout", "version": "15.0.7",
		"serverTime": isoMillis(now), "serverTimeEpoch": now.UnixMilli(), "apiEnabled": true, "careportalEnabled": true,
		"settings": map[string]any{"units": s.cfg.Units, "thresholds": th, "authDefaultRoles": strings.Join(s.cfg.DefaultRoles, " "),
			"alarmTimeagoWarnMins": 15, "alarmTimeagoUrgentMins": 30, "enable": []string{"careportal", "iob", "cob", "devicestatus", "upbat"}},
		"authorized": authorized, "runtimeState": "loaded"}
}

// handleJWT is /api/v2/authorization/request/<accessToken>.
func (s *Server) handleJWT(w http.ResponseWriter, r *http.Request, token string) {
	s.count("authorization")
	sub, ok := s.subjectFor(token)
	if !ok {
		s.failed(remoteIP(r))
		writeJSON(w, http.StatusUnauthorized, map[string]any{"status": 401, "message": "Unauthorized", "description": "Invalid/Missing"})
		return
	}
	now := s.cfg.Clock.Now()
	writeJSON(w, http.StatusOK, map[string]any{"token": s.signJWT(sub.Name, now), "sub": sub.Name,
		"permissionGroups": [][]string{permsOf(sub.Roles)}, "iat": now.Unix(), "exp": now.Add(jwtLifetime).Unix()})
}

// handlePost stores posted documents. Entries upsert on sysTime+type, as
// Nightscout's do; sysTime comes from dateString, else date.
func (s *Server) handlePost(w http.ResponseWriter, r *http.Request, coll string) {
	s.count("post")
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "message": "bad body"})
		return
	}
	var list []doc
	if json.Unmarshal(body, &list) != nil {
		var one doc
		if json.Unmarshal(body, &one) != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"status": 400, "message": "body is not JSON"})
			return
		}
		list = []doc{one}
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, d := range list {
		if d == nil {
			continue
		}
		if _, ok := d["_id"]; !ok {
			d["_id"] = s.sim.id(60, int64(len(s.posted[coll])+i)+now.UnixNano())
		}
		switch coll {
		case "entries":
			sys := ""
			if ds, ok := d["dateString"].(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, ds); err == nil {
					sys = isoMillis(t)
				}
			}
			if ms, ok := d.num("date"); ok && sys == "" {
				sys = isoMillis(time.UnixMilli(int64(ms)))
			}
			if sys != "" {
				d["sysTime"] = sys
			}
			if _, ok := d["utcOffset"]; !ok {
				d["utcOffset"] = 0
			}
			kept := s.posted[coll][:0]
			for _, old := range s.posted[coll] {
				if old["sysTime"] != d["sysTime"] || old["type"] != d["type"] {
					kept = append(kept, old)
				}
			}
			s.posted[coll] = kept
			if ms, ok := d.num("date"); ok {
				s.avail[time.UnixMilli(int64(ms)).Unix()] = s.cfg.Clock.Now()
			}
		default:
			if _, ok := d["created_at"]; !ok {
				d["created_at"] = isoMillis(s.cfg.Clock.Now())
			}
		}
		s.posted[coll] = append(s.posted[coll], d)
	}
	writeJSON(w, http.StatusOK, list)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"status":500,"message":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}
