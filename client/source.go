package client

import (
	"context"
	"time"
)

// Source is a backend that holds an account's CGM data. Ranges are
// [start, end) in UTC; a range with no data returns an empty slice and a nil
// error. Implementations split ranges longer than their API allows.
//
// Errors are ErrUnauthorized, *RateLimitError, *APIError, or a wrapped
// network/decoding error.
type Source interface {
	DataRange(ctx context.Context) (DataRange, error)
	Readings(ctx context.Context, start, end time.Time) ([]Reading, error)
	Events(ctx context.Context, start, end time.Time) ([]Event, error)
	Calibrations(ctx context.Context, start, end time.Time) ([]Calibration, error)
	Alerts(ctx context.Context, start, end time.Time) ([]Alert, error)
	Devices(ctx context.Context) ([]Device, error)
}

// ServerClock is a Source that can tell the time on its server's clock, from
// the Date header of its latest answer. The sync engine uses it, when the
// source has it, to notice a computer clock that is wrong: readings carry
// the server's times, so a clock an hour behind would ask for ranges that
// end before the newest readings, and one ahead would call every reading
// old.
type ServerClock interface {
	// ServerTime is the server's time as of its latest answer (the Date
	// header, plus half a second for the second it was truncated to), and
	// false when no answer carried a usable date yet.
	ServerTime() (time.Time, bool)
}
