package statusline

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// unmarshalSnapshot is json.Unmarshal(b, s) written out for the snapshot's
// three types. A fresh `cgmtop status` paid about 0.2 ms (some 4 % of its
// start) for encoding/json's first use, which builds its reflection caches
// for each struct type; this reader costs a few microseconds. It keeps
// encoding/json's rules: strict syntax, key names matched exactly or
// ignoring case, unknown keys skipped, null leaves a value alone (and
// clears a pointer), a later duplicate key wins, times through
// time.Time.UnmarshalJSON, whole numbers only. FuzzSnapshotJSON checks it
// against encoding/json.
func unmarshalSnapshot(b []byte, s *snapshot) error {
	d := jsonReader{b: b}
	d.space()
	if err := d.object(s.field); err != nil {
		return err
	}
	d.space()
	if d.i != len(d.b) {
		return d.syntax("data after the top-level value")
	}
	return nil
}

func (s *snapshot) field(d *jsonReader, key string) error {
	switch {
	case matchKey(key, "version"):
		n, err := d.int()
		if err == nil {
			s.Version = int(n)
		}
		return err
	case matchKey(key, "latest"):
		return d.reading(&s.Latest)
	case matchKey(key, "previous"):
		return d.reading(&s.Previous)
	case matchKey(key, "sync"):
		return d.object(s.Sync.field)
	}
	return d.skip()
}

func (r *snapReading) field(d *jsonReader, key string) error {
	switch {
	case matchKey(key, "time"):
		return d.time(&r.Time)
	case matchKey(key, "value"):
		n, err := d.int()
		if err == nil {
			r.Value = int(n)
		}
		return err
	case matchKey(key, "status"):
		return d.string(&r.Status)
	case matchKey(key, "trend"):
		return d.string(&r.Trend)
	case matchKey(key, "source"):
		return d.string(&r.Source)
	case matchKey(key, "arrived"):
		return d.time(&r.Arrived)
	}
	return d.skip()
}

func (s *snapSyncState) field(d *jsonReader, key string) error {
	switch {
	case matchKey(key, "last_attempt"):
		return d.time(&s.LastAttempt)
	case matchKey(key, "last_success"):
		return d.time(&s.LastSuccess)
	case matchKey(key, "last_error"):
		return d.string(&s.LastError)
	case matchKey(key, "next_poll"):
		return d.time(&s.NextPoll)
	case matchKey(key, "clock_offset_ns"):
		n, err := d.int()
		if err == nil {
			s.ClockOffset = n
		}
		return err
	}
	return d.skip()
}

// matchKey is encoding/json's rule: the exact name, or the name in another
// case.
func matchKey(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// jsonReader reads JSON from b at i.
type jsonReader struct {
	b []byte
	i int
}

func (d *jsonReader) syntax(what string) error {
	return errors.New("bad JSON at byte " + strconv.Itoa(d.i) + ": " + what)
}

func (d *jsonReader) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// null reads a null if one is next.
func (d *jsonReader) null() bool {
	d.space()
	if bytes.HasPrefix(d.b[d.i:], []byte("null")) {
		d.i += 4
		return true
	}
	return false
}

// object reads an object (or null), calling field for each key with the
// reader at its value, which field must read.
func (d *jsonReader) object(field func(*jsonReader, string) error) error {
	if d.null() {
		return nil
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return d.kind("an object")
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		d.space()
		key, err := d.quoted()
		if err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.syntax("missing ':' after an object key")
		}
		d.i++
		d.space()
		if err := field(d, key); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return d.syntax("unexpected end")
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.syntax("missing ',' or '}' in an object")
		}
	}
}

// kind reports a value of the wrong kind: like encoding/json, a valid value
// of another kind is a type error, anything else a syntax error.
func (d *jsonReader) kind(want string) error {
	if err := d.skip(); err != nil {
		return err
	}
	return errors.New("want " + want)
}

func (d *jsonReader) reading(p **snapReading) error {
	if d.null() {
		*p = nil
		return nil
	}
	if *p == nil {
		*p = new(snapReading)
	}
	return d.object((*p).field)
}

func (d *jsonReader) string(p *string) error {
	if d.null() {
		return nil
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return d.kind("a string")
	}
	s, err := d.quoted()
	if err == nil {
		*p = s
	}
	return err
}

// int reads a whole number (or null, which reads as the zero it leaves).
func (d *jsonReader) int() (int64, error) {
	if d.null() {
		return 0, nil
	}
	start := d.i
	if err := d.number(); err != nil {
		if d.i == start {
			return 0, d.kind("a number")
		}
		return 0, err
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	if err != nil {
		return 0, errors.New("want a whole number")
	}
	return n, nil
}

// time hands the value, whatever it is, to time.Time.UnmarshalJSON, as
// encoding/json does.
func (d *jsonReader) time(t *time.Time) error {
	start := d.i
	if err := d.skip(); err != nil {
		return err
	}
	return t.UnmarshalJSON(d.b[start:d.i])
}

// skip reads past one value of any kind, checking its syntax.
func (d *jsonReader) skip() error {
	d.space()
	if d.i >= len(d.b) {
		return d.syntax("unexpected end")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(func(d *jsonReader, _ string) error { return d.skip() })
	case c == '[':
		d.i++
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(); err != nil {
				return err
			}
			d.space()
			if d.i >= len(d.b) {
				return d.syntax("unexpected end")
			}
			switch d.b[d.i] {
			case ',':
				d.i++
			case ']':
				d.i++
				return nil
			default:
				return d.syntax("missing ',' or ']' in an array")
			}
		}
	case c == '"':
		_, err := d.quoted()
		return err
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
			d.i += len(lit)
			return nil
		}
	}
	return d.syntax("not a value")
}

// number reads past a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *jsonReader) number() error {
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case digits() == 0:
		return d.syntax("bad number")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.syntax("bad number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.syntax("bad number")
		}
	}
	return nil
}

// quoted reads a string and returns it unescaped; like encoding/json it
// turns invalid UTF-8 and lone surrogates into U+FFFD.
func (d *jsonReader) quoted() (string, error) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", d.syntax("want a string")
	}
	d.i++
	start := d.i
	for d.i < len(d.b) { // the common case: nothing to unescape
		c := d.b[d.i]
		if c == '"' {
			d.i++
			return string(d.b[start : d.i-1]), nil
		}
		if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			break
		}
		d.i++
	}
	var sb strings.Builder
	sb.Write(d.b[start:d.i])
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return sb.String(), nil
		case c < ' ':
			return "", d.syntax("control character in a string")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.b[d.i:])
			sb.WriteRune(r) // utf8.RuneError for a bad byte, as encoding/json writes
			d.i += size
		case c != '\\':
			sb.WriteByte(c)
			d.i++
		default:
			d.i++
			if d.i >= len(d.b) {
				return "", d.syntax("unexpected end")
			}
			e := d.b[d.i]
			d.i++
			switch e {
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.syntax("bad \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// A pair makes one rune; encoding/json reads the
					// second escape only when it completes the pair.
					if save := d.i; d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
						d.i += 2
						if r2, ok := d.hex4(); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								sb.WriteRune(dec)
								continue
							}
						}
						d.i = save
					}
					r = utf8.RuneError
				}
				sb.WriteRune(r)
			default:
				return "", d.syntax("bad escape")
			}
		}
	}
	return "", d.syntax("unexpected end")
}

func (d *jsonReader) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}
