package dexcom

import (
	"sync"
	"time"
)

// parseTime reads the timestamps Dexcom sends: RFC 3339 with or without a
// zone ("2024-05-01T12:00:00", "…Z", "…-07:00"), with or without fractional
// seconds, 'T' or a space between date and time. It works on the raw bytes
// so decoding thousands of readings allocates nothing per timestamp. zoned
// reports whether the text carried a zone; without one the wall clock is
// returned in UTC.
func parseTime(b []byte) (t time.Time, zoned, ok bool) {
	// YYYY-MM-DDThh:mm:ss is the least we accept.
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') ||
		b[13] != ':' || b[16] != ':' {
		return time.Time{}, false, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	rest := b[19:]
	nsec := 0
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		i, scale := 1, 100_000_000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			nsec += int(rest[i]-'0') * scale // digits past nanoseconds add 0
			scale /= 10
		}
		if i == 1 {
			return time.Time{}, false, false
		}
		rest = rest[i:]
	}
	loc := time.UTC
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		zoned = true
	case rest[0] == '+' || rest[0] == '-':
		off, good := parseOffset(rest[1:])
		if !good {
			return time.Time{}, false, false
		}
		if rest[0] == '-' {
			off = -off
		}
		zoned = true
		loc = fixedZone(off)
	default:
		return time.Time{}, false, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), zoned, true
}

// parseOffset reads hh:mm, hhmm or hh, returning seconds east of UTC.
func parseOffset(b []byte) (int, bool) {
	var hh, mm int
	var ok1, ok2 bool
	switch len(b) {
	case 2:
		hh, ok1 = digits(b)
		ok2 = true
	case 4:
		hh, ok1 = digits(b[0:2])
		mm, ok2 = digits(b[2:4])
	case 5:
		if b[2] != ':' {
			return 0, false
		}
		hh, ok1 = digits(b[0:2])
		mm, ok2 = digits(b[3:5])
	default:
		return 0, false
	}
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, false
	}
	return hh*3600 + mm*60, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// zones caches one *time.Location per offset: a day of readings carries one
// or two offsets, and time.FixedZone allocates on every call. Offsets are
// bounded (±23:59 in whole minutes), so the cache is too.
var zones sync.Map // int → *time.Location

func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if loc, ok := zones.Load(offset); ok {
		return loc.(*time.Location)
	}
	loc, _ := zones.LoadOrStore(offset, time.FixedZone("", offset))
	return loc.(*time.Location)
}
