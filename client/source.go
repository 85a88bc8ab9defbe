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
