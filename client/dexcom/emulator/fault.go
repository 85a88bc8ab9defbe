package emulator

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is a way the emulator misbehaves on purpose.
type FaultKind int

const (
	// Unauthorized answers 401 as if the access token had been revoked.
	Unauthorized FaultKind = iota + 1
	// RateLimit answers 429, with Retry-After when Fault.RetryAfter is set.
	RateLimit
	// ServerError answers 500.
	ServerError
	// Slow waits Fault.Delay of wall-clock time, then answers normally.
	Slow
	// Truncated sends the normal headers (with the full Content-Length) and
	// half the body, then drops the connection.
	Truncated
	// Malformed answers 200 with JSON that does not parse.
	Malformed
	// Huge answers 200 with a very large, valid-looking egv body (Fault.Size
	// bytes, default 100 MiB), streamed rather than held in memory.
	Huge
	// Empty answers 200 with no body at all.
	Empty
)

var faultNames = map[FaultKind][]string{
	Unauthorized: {"unauthorized", "401"},
	RateLimit:    {"ratelimit", "429", "rate"},
	ServerError:  {"servererror", "500", "server"},
	Slow:         {"slow"},
	Truncated:    {"truncated", "truncate"},
	Malformed:    {"malformed"},
	Huge:         {"huge"},
	Empty:        {"empty"},
}

func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n[0]
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// DefaultHugeSize is the body size of a Huge fault when Fault.Size is 0.
const DefaultHugeSize = 100 << 20

// Fault is a misbehaviour queued with Server.Inject.
type Fault struct {
	Endpoint   string        // "egvs", "devices", "token", "login", "dataRange", …; "" or "any" = any endpoint
	Kind       FaultKind     // what goes wrong
	Count      int           // how many matching requests it applies to; 0 → 1; -1 → forever
	RetryAfter time.Duration // for RateLimit (Retry-After header, in whole seconds)
	Delay      time.Duration // for Slow (wall-clock)
	Size       int64         // for Huge; 0 → DefaultHugeSize
}

// ParseFault reads a fault from a flag value:
// ENDPOINT:KIND[:COUNT][:retry=DUR][:delay=DUR][:size=BYTES], where KIND is
// a name (ratelimit, slow, huge, …) or an HTTP status (401, 429, 500) and
// COUNT is a number or "forever". Examples: "egvs:429:2:retry=3s",
// "any:slow:1:delay=5s", "egvs:huge".
func ParseFault(spec string) (Fault, error) {
	parts := strings.Split(strings.TrimSpace(spec), ":")
	if len(parts) < 2 {
		return Fault{}, fmt.Errorf("fault %q: want ENDPOINT:KIND[:COUNT][:retry=…][:delay=…], e.g. egvs:429:2:retry=3s", spec)
	}
	f := Fault{Endpoint: parts[0]}
	if strings.EqualFold(f.Endpoint, "any") {
		f.Endpoint = ""
	} else if f.Endpoint != "" && !knownEndpoint(f.Endpoint) {
		return Fault{}, fmt.Errorf("fault %q: unknown endpoint %q: use one of %s or any", spec, f.Endpoint, strings.Join(endpointNames, ", "))
	}
	kind := strings.ToLower(parts[1])
	for k, names := range faultNames {
		for _, n := range names {
			if n == kind {
				f.Kind = k
			}
		}
	}
	if f.Kind == 0 {
		return Fault{}, fmt.Errorf("fault %q: unknown kind %q: use unauthorized, ratelimit, servererror, slow, truncated, malformed, huge or empty", spec, parts[1])
	}
	for _, p := range parts[2:] {
		key, val, isOpt := strings.Cut(p, "=")
		if !isOpt {
			if strings.EqualFold(p, "forever") {
				f.Count = -1
				continue
			}
			n, err := strconv.Atoi(p)
			if err != nil || n < -1 {
				return Fault{}, fmt.Errorf("fault %q: count %q must be a number or forever", spec, p)
			}
			f.Count = n
			continue
		}
		switch strings.ToLower(key) {
		case "retry", "delay":
			d, err := time.ParseDuration(val)
			if err != nil {
				return Fault{}, fmt.Errorf("fault %q: %s=%q is not a duration like 3s: %w", spec, key, val, err)
			}
			if key == "retry" {
				f.RetryAfter = d
			} else {
				f.Delay = d
			}
		case "size":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n <= 0 {
				return Fault{}, fmt.Errorf("fault %q: size=%q must be a positive number of bytes", spec, val)
			}
			f.Size = n
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown option %q: use retry, delay or size", spec, key)
		}
	}
	return f, nil
}

// Inject queues a fault; matching requests take it in the order queued.
func (s *Server) Inject(f Fault) {
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Endpoint == "any" {
		f.Endpoint = ""
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// takeFault returns the first queued fault matching endpoint, using up one
// of its applications.
func (s *Server) takeFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Count > 0 {
			s.faults[i].Count--
			if s.faults[i].Count == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}

// serveFault answers a request under fault f; only Slow goes on to the
// normal handler.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault, next http.Handler) {
	switch f.Kind {
	case Unauthorized:
		writeError(w, http.StatusUnauthorized, "invalid_token", "access token revoked (injected fault)")
	case RateLimit:
		if f.RetryAfter > 0 {
			secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		}
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many requests (injected fault)")
	case ServerError:
		writeError(w, http.StatusInternalServerError, "server_error", "internal server error (injected fault)")
	case Slow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.http.Closing():
			return
		}
		next.ServeHTTP(w, r)
	case Truncated:
		rec := &recorder{header: http.Header{}, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		body := rec.body.Bytes()
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.code)
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		// Aborting makes net/http drop the connection without finishing
		// the body, which is what a cut-off upstream looks like.
		panic(http.ErrAbortHandler)
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"recordType":"egv","recordVersion":"3.0","records":[{"systemTime":"2024-13-45T99:00:00","value":"12O",}`))
	case Huge:
		size := f.Size
		if size <= 0 {
			size = DefaultHugeSize
		}
		serveHuge(w, size)
	case Empty:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		next.ServeHTTP(w, r)
	}
}

// serveHuge streams about size bytes of a syntactically valid egv envelope
// whose records repeat one reading.
func serveHuge(w http.ResponseWriter, size int64) {
	w.Header().Set("Content-Type", "application/json")
	head := []byte(`{"recordType":"egv","recordVersion":"3.0","userId":"huge","records":[`)
	rec := []byte(`{"recordId":"00000000-0000-4000-8000-000000000000","systemTime":"2024-01-01T00:00:00","displayTime":"2024-01-01T00:00:00","transmitterId":"8HUGE0","transmitterTicks":1,"value":120,"status":null,"trend":"flat","trendRate":0.1,"unit":"mg/dL","rateUnit":"mg/dL/min","displayDevice":"iOS","transmitterGeneration":"g7"}`)
	tail := []byte(`]}`)
	n := (size - int64(len(head)) - int64(len(tail)) + 1) / int64(len(rec)+1)
	if n < 1 {
		n = 1
	}
	total := int64(len(head)) + n*int64(len(rec)) + (n - 1) + int64(len(tail))
	w.Header().Set("Content-Length", strconv.FormatInt(total, 10))
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(head); err != nil {
		return
	}
	for i := int64(0); i < n; i++ {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if _, err := bw.Write(rec); err != nil {
			return // the client gave up
		}
	}
	_, _ = bw.Write(tail)
	_ = bw.Flush()
}

// recorder captures a response so Truncated can cut it.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
