package statusline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
)

// unmarshalSnapshot is json.Unmarshal(b, s) walked by hand over
// encoding/json's token stream. A fresh `cgmtop status` paid about 0.2 ms
// (some 4 % of its start) for json.Unmarshal's first use, which builds its
// reflection caches for each struct type; the token stream needs none
// (its first decode in a fresh process: about 0.1 ms).
// encoding/json still does all the syntax; this only steers its tokens into
// the snapshot's known keys, with json.Unmarshal's rules: keys matched
// exactly or ignoring case, unknown keys skipped, null leaves a value alone
// (and clears a pointer), a later duplicate key wins, whole numbers only.
// One difference, for the better: a time is read from its unescaped string
// (time.Time.UnmarshalJSON reads the raw bytes, go.dev/issue/47353).
// FuzzSnapshotJSON checks it against encoding/json.
func unmarshalSnapshot(b []byte, s *snapshot) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // numbers stay text: no float64 to overflow or round
	t := tokens{d}
	if _, err := t.object(s.field); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the snapshot")
		}
		return err
	}
	return nil
}

func (s *snapshot) field(t tokens, key string) error {
	switch {
	case matchKey(key, "version"):
		return whole(t, &s.Version)
	case matchKey(key, "latest"):
		return t.reading(&s.Latest)
	case matchKey(key, "previous"):
		return t.reading(&s.Previous)
	case matchKey(key, "sync"):
		_, err := t.object(s.Sync.field)
		return err
	}
	return t.skip()
}

func (r *snapReading) field(t tokens, key string) error {
	switch {
	case matchKey(key, "time"):
		return t.time(&r.Time)
	case matchKey(key, "value"):
		return whole(t, &r.Value)
	case matchKey(key, "status"):
		return t.string(&r.Status)
	case matchKey(key, "trend"):
		return t.string(&r.Trend)
	case matchKey(key, "source"):
		return t.string(&r.Source)
	case matchKey(key, "arrived"):
		return t.time(&r.Arrived)
	}
	return t.skip()
}

func (s *snapSyncState) field(t tokens, key string) error {
	switch {
	case matchKey(key, "last_attempt"):
		return t.time(&s.LastAttempt)
	case matchKey(key, "last_success"):
		return t.time(&s.LastSuccess)
	case matchKey(key, "last_error"):
		return t.string(&s.LastError)
	case matchKey(key, "next_poll"):
		return t.time(&s.NextPoll)
	case matchKey(key, "clock_offset_ns"):
		return whole(t, &s.ClockOffset)
	}
	return t.skip()
}

// matchKey is encoding/json's rule: the exact name, or the name in another
// case.
func matchKey(key, name string) bool { return key == name || strings.EqualFold(key, name) }

// tokens reads one value at a time from a json.Decoder's token stream.
type tokens struct{ *json.Decoder }

// next is the next token; the input ending inside a value is an error.
func (t tokens) next() (json.Token, error) {
	tok, err := t.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return tok, err
}

// object reads an object, calling field for each key with the stream at
// its value, which field must read; or a null, reported as such.
func (t tokens) object(field func(tokens, string) error) (null bool, err error) {
	tok, err := t.next()
	if err != nil || tok == nil {
		return err == nil, err
	}
	if tok != json.Delim('{') {
		return false, errors.New("want an object")
	}
	for t.More() {
		key, err := t.next() // always a string: Token checks the syntax
		if err != nil {
			return false, err
		}
		if err := field(t, key.(string)); err != nil {
			return false, err
		}
	}
	_, err = t.next() // the '}', or why there is none
	return false, err
}

func (t tokens) reading(p **snapReading) error {
	r := *p
	if r == nil {
		r = new(snapReading)
	}
	null, err := t.object(r.field)
	if null {
		r = nil
	}
	*p = r
	return err
}

func (t tokens) string(p *string) error {
	tok, err := t.next()
	switch v := tok.(type) {
	case nil: // null, or an error
		return err
	case string:
		*p = v
		return nil
	}
	return errors.New("want a string")
}

func (t tokens) time(p *time.Time) error {
	tok, err := t.next()
	switch v := tok.(type) {
	case nil:
		return err
	case string:
		return p.UnmarshalText([]byte(v))
	}
	return errors.New("want a time")
}

// whole reads a whole number that fits in T.
func whole[T int | int64](t tokens, p *T) error {
	tok, err := t.next()
	switch v := tok.(type) {
	case nil:
		return err
	case json.Number:
		n, err := v.Int64()
		if err != nil || int64(T(n)) != n {
			return errors.New("want a whole number")
		}
		*p = T(n)
		return nil
	}
	return errors.New("want a number")
}

// skip reads past one value of any kind.
func (t tokens) skip() error {
	for depth := 0; ; {
		tok, err := t.next()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
