package emulator

import (
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// doc is one document as the site serves it.
type doc map[string]any

func (d doc) num(key string) (float64, bool) {
	switch v := d[key].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// sortMillis is what Nightscout sorts entries by and dates Last-Modified
// from: mills, else date.
func (d doc) sortMillis() float64 {
	if v, ok := d.num("mills"); ok && v != 0 {
		return v
	}
	if v, ok := d.num("date"); ok {
		return v
	}
	if s, ok := d["created_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return float64(t.UnixMilli())
		}
	}
	return 0
}

func (d doc) time() time.Time {
	ms := d.sortMillis()
	return time.UnixMilli(int64(ms)).UTC()
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// filter is one find[field][$op]=value of a v1 query.
type filter struct {
	field, op string
	num       float64
	isNum     bool
	str       string
}

var findKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^find\[([A-Za-z_]+)\](?:\[\$([a-z]+)\])?$`) })

// numericFields are parsed with parseInt by Nightscout's query walker.
var numericFields = map[string]bool{"date": true, "sgv": true, "mbg": true, "insulin": true, "carbs": true, "glucose": true}

// query is a parsed v1 GET.
type query struct {
	count   int
	types   []string
	filters []filter
	hasDate bool // the query names the date field, so no implicit window is added
	asc     bool // sort[date]=1: the count oldest are picked (and still served newest first)
}

func parseQuery(v url.Values, dateField string, defaultCount int) query {
	q := query{count: defaultCount}
	if n, err := strconv.Atoi(v.Get("count")); err == nil && n >= 0 {
		q.count = n
	}
	switch v.Get("sort[" + dateField + "]") {
	case "1", "asc", "ascending":
		q.asc = true
	}
	for key, vals := range v {
		m := findKey().FindStringSubmatch(key)
		if m == nil || len(vals) == 0 {
			continue
		}
		field, op := m[1], m[2]
		if op == "" {
			op = "eq"
		}
		if field == "type" && op == "eq" {
			q.types = append(q.types, vals[0])
			continue
		}
		f := filter{field: field, op: op, str: vals[0]}
		if numericFields[field] {
			n, err := strconv.ParseFloat(vals[0], 64)
			if err != nil {
				continue
			}
			f.num, f.isNum = math.Trunc(n), true
		} else if field == dateField {
			// ISO dates are rewritten to UTC ISO, as Nightscout does.
			if t, err := time.Parse(time.RFC3339Nano, strings.ReplaceAll(vals[0], " ", "+")); err == nil {
				f.str = isoMillis(t)
			}
		}
		if field == dateField || field == "dateString" {
			q.hasDate = true
		}
		q.filters = append(q.filters, f)
	}
	return q
}

func (q query) match(d doc) bool {
	if len(q.types) > 0 {
		t, _ := d["type"].(string)
		if !slices.Contains(q.types, t) {
			return false
		}
	}
	for _, f := range q.filters {
		var c int
		if f.isNum {
			v, ok := d.num(f.field)
			if !ok {
				return f.op == "ne"
			}
			c = cmpFloat(v, f.num)
		} else {
			v, ok := d[f.field].(string)
			if !ok {
				return f.op == "ne"
			}
			c = strings.Compare(v, f.str)
		}
		if !opHolds(f.op, c) {
			return false
		}
	}
	return true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func opHolds(op string, c int) bool {
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	}
	return true
}

// dateBounds is the [lo, hi] epoch-ms range a query's date filters allow.
func (q query) dateBounds() (lo, hi float64) {
	lo, hi = math.Inf(-1), math.Inf(1)
	for _, f := range q.filters {
		if f.field != "date" || !f.isNum {
			continue
		}
		switch f.op {
		case "gt", "gte":
			lo = math.Max(lo, f.num)
		case "lt", "lte":
			hi = math.Min(hi, f.num+1)
		case "eq":
			lo, hi = math.Max(lo, f.num), math.Min(hi, f.num+1)
		}
	}
	return lo, hi
}

// entries answers an entries query at now: simulated sgvs and posted
// entries, newest first.
func (s *Server) entries(now time.Time, q query) []doc {
	if !q.hasDate {
		q.filters = append(q.filters, filter{field: "date", op: "gte", num: float64(now.Add(-fourDays).UnixMilli()), isNum: true})
	}
	var out []doc
	if q.count == 0 {
		return nil
	}
	if len(q.types) == 0 || slices.Contains(q.types, "sgv") {
		lo, hi := q.dateBounds()
		newest := now.Add(-s.cfg.UploadLag)
		if s.cfg.History < 0 {
			newest = time.Time{}
		}
		oldest := now.Add(-s.cfg.History)
		if q.asc && !newest.IsZero() {
			for i := s.sim.slotAt(oldest); len(out) < q.count; i++ {
				t := s.sim.slotTime(i)
				if t.After(newest) {
					break
				}
				if ms := float64(t.UnixMilli()); t.Before(oldest) || ms < lo-1000 || ms >= hi+1000 {
					continue
				}
				if d := s.simEntry(i); q.match(d) {
					out = append(out, d)
				}
			}
			newest = time.Time{} // done: skip the newest-first walk
		}
		for i := s.sim.slotAt(newest); !newest.IsZero(); i-- {
			t := s.sim.slotTime(i)
			if t.After(newest) {
				continue
			}
			ms := float64(t.UnixMilli())
			if t.Before(oldest) || ms < lo-1000 {
				break
			}
			if ms >= hi+1000 {
				continue
			}
			d := s.simEntry(i)
			if q.match(d) {
				out = append(out, d)
				if len(out) >= q.count {
					break
				}
			}
		}
	}
	s.mu.Lock()
	for _, d := range s.posted["entries"] {
		if q.match(d) {
			out = append(out, cloneDoc(d))
		}
	}
	s.mu.Unlock()
	if q.asc {
		// The database picks the oldest; the answer is still sorted
		// newest first, as Nightscout's formatter does.
		slices.SortStableFunc(out, func(a, b doc) int { return cmpFloat(a.sortMillis(), b.sortMillis()) })
		if len(out) > q.count {
			out = out[:q.count]
		}
	}
	return newestFirst(out, q.count)
}

func newestFirst(ds []doc, count int) []doc {
	slices.SortStableFunc(ds, func(a, b doc) int { return cmpFloat(b.sortMillis(), a.sortMillis()) })
	if len(ds) > count {
		ds = ds[:count]
	}
	return ds
}

func cloneDoc(d doc) doc {
	out := make(doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

// simEntry is slot i's reading as an uploader would have posted it, with
// the fields the server adds.
func (s *Server) simEntry(i int64) doc {
	t, sgv, dir := s.sim.reading(i)
	date := float64(t.UnixMilli())
	if s.cfg.FractionalDates {
		date += float64(s.sim.hash(4, i)%1000) / 1000
	}
	d := doc{"_id": s.sim.id(5, i), "type": "sgv", "sgv": sgv, "direction": dir, "date": date,
		"device": "cgmtop-emulator", "noise": 1, "utcOffset": 0}
	switch {
	case s.cfg.NoDateString:
		delete(d, "utcOffset")
	case s.cfg.ColonlessOffset:
		zone := time.FixedZone("", -4*3600)
		d["dateString"] = t.In(zone).Format("2006-01-02T15:04:05.000-0700")
		d["sysTime"] = d["dateString"]
		d["utcOffset"] = -240
	default:
		d["dateString"] = isoMillis(t)
		d["sysTime"] = isoMillis(t)
	}
	return d
}

// treatments answers a treatments query: simulated meals, exercise, notes
// and temp basals, and posted treatments, newest first.
func (s *Server) treatments(now time.Time, q query) []doc {
	if !q.hasDate {
		q.filters = append(q.filters, filter{field: "created_at", op: "gte", str: isoMillis(now.Add(-fourDays))})
	}
	var out []doc
	if s.cfg.History >= 0 {
		oldest := now.Add(-s.cfg.History)
		for day := now.Truncate(24 * time.Hour); !day.Before(oldest.Truncate(24 * time.Hour)); day = day.Add(-24 * time.Hour) {
			for _, d := range s.simTreatments(day) {
				t := d.time()
				if t.After(now) || t.Before(oldest) || !q.match(d) {
					continue
				}
				out = append(out, d)
			}
			if len(out) >= q.count {
				break
			}
		}
	}
	s.mu.Lock()
	for _, d := range s.posted["treatments"] {
		if q.match(d) {
			out = append(out, cloneDoc(d))
		}
	}
	s.mu.Unlock()
	return newestFirst(out, q.count)
}

func (s *Server) simTreatments(day time.Time) []doc {
	n := day.Unix() / 86400
	var out []doc
	for k, m := range s.sim.meals(day) {
		out = append(out, doc{"_id": s.sim.id(30+uint64(k), n), "eventType": "Meal Bolus", "created_at": isoMillis(m.at),
			"carbs": m.carbs, "insulin": math.Round(float64(m.carbs)/10*10) / 10, "enteredBy": "cgmtop-emulator", "utcOffset": 0})
	}
	out = append(out, doc{"_id": s.sim.id(40, n), "eventType": "Temp Basal", "created_at": isoMillis(day.Add(3 * time.Hour)),
		"duration": 30, "absolute": 0.4, "rate": 0.4, "enteredBy": "cgmtop-emulator"})
	if n%2 == 0 {
		out = append(out, doc{"_id": s.sim.id(41, n), "eventType": "Exercise", "created_at": isoMillis(day.Add(17 * time.Hour)),
			"duration": 30 + int(s.sim.hash(42, n)%30), "notes": "walk", "enteredBy": "cgmtop-emulator"})
	}
	if n%3 == 0 {
		out = append(out, doc{"_id": s.sim.id(43, n), "eventType": "Note", "created_at": isoMillis(day.Add(21 * time.Hour)),
			"notes": "new infusion set tomorrow", "enteredBy": "cgmtop-emulator"})
	}
	return out
}

// devicestatus answers a devicestatus query: a loop's status every five
// minutes, and posted statuses, newest first.
func (s *Server) devicestatus(now time.Time, q query) []doc {
	if !q.hasDate {
		q.filters = append(q.filters, filter{field: "created_at", op: "gte", str: isoMillis(now.Add(-fourDays))})
	}
	var out []doc
	if s.cfg.History >= 0 {
		newest := now.Add(-s.cfg.UploadLag)
		for i := s.sim.slotAt(newest); len(out) < q.count; i-- {
			t := s.sim.slotTime(i).Add(20 * time.Second)
			if t.After(newest) {
				continue
			}
			if t.Before(now.Add(-fourDays)) {
				break
			}
			d := s.simStatus(i, t)
			if q.match(d) {
				out = append(out, d)
			}
		}
	}
	s.mu.Lock()
	for _, d := range s.posted["devicestatus"] {
		if q.match(d) {
			out = append(out, cloneDoc(d))
		}
	}
	s.mu.Unlock()
	return newestFirst(out, q.count)
}

func (s *Server) simStatus(i int64, t time.Time) doc {
	hours := math.Mod(float64(t.Unix())/3600+17, 24) // charged at 07:00 UTC
	battery := math.Max(100-hours*3.5, 5)
	var iob, cob float64
	for _, m := range s.sim.meals(t.Add(-6 * time.Hour).Truncate(24 * time.Hour)) {
		if dt := t.Sub(m.at).Hours(); dt >= 0 && dt < 5 {
			iob += float64(m.carbs) / 10 * math.Max(1-dt/4, 0)
			cob += float64(m.carbs) * math.Max(1-dt/3, 0)
		}
	}
	return doc{"_id": s.sim.id(50, i), "device": "loop://iPhone", "created_at": isoMillis(t),
		"uploader": map[string]any{"battery": math.Round(battery)},
		"pump":     map[string]any{"battery": map[string]any{"percent": 75}, "reservoir": 120.5},
		"loop": map[string]any{"iob": map[string]any{"iob": math.Round(iob*100) / 100, "timestamp": isoMillis(t)},
			"cob": map[string]any{"cob": math.Round(cob), "timestamp": isoMillis(t)}},
		"utcOffset": 0}
}
