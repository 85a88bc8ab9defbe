package cache

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

var base = time.Date(2024, 3, 10, 8, 0, 0, 0, time.UTC)

// openTemp opens a fresh cache in a temporary folder.
func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "acct", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openOldSchema creates a cache in a temporary folder with an older
// cgmtop's schema (version), for the migration tests.
func openOldSchema(t *testing.T, version int) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	db, err := openWriter(context.Background(), path, version)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// openKept opens the cache at path, which Open must take as it is: one it
// recovers (moves aside for a fresh one) fails the test with why.
func openKept(t *testing.T, path, why string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Recovered() != "" {
		t.Fatalf("%s: %q", why, db.Recovered())
	}
	return db
}

// at is base plus n five-minute steps.
func at(n int) time.Time { return base.Add(time.Duration(n) * 5 * time.Minute) }

// sameTime compares instants and zone offsets; *time.Location pointers
// differ after a round trip by design.
func sameTime(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob && a.IsZero() == b.IsZero()
}

func sameReading(a, b client.Reading) bool {
	return sameTime(a.Time, b.Time) && sameTime(a.DisplayTime, b.DisplayTime) &&
		a.Value == b.Value && a.Status == b.Status && a.Trend == b.Trend &&
		a.HasRate == b.HasRate && a.TrendRate == b.TrendRate
}

func TestReadingsRoundTrip(t *testing.T) {
	plus2 := time.FixedZone("CEST", 2*3600)
	minus5 := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name string
		in   client.Reading
		want client.Reading // zero means same as in
	}{
		{name: "ok with rate", in: client.Reading{Time: at(0), DisplayTime: at(0), Value: 123, Status: client.StatusOK, Trend: client.TrendFlat, TrendRate: -0.4, HasRate: true}},
		{name: "HIGH, null rate", in: client.Reading{Time: at(1), DisplayTime: at(1), Value: 400, Status: client.StatusHigh, Trend: client.TrendRateOutOfRange}},
		{name: "LOW", in: client.Reading{Time: at(2), Value: 40, Status: client.StatusLow, Trend: client.TrendNotComputable}},
		{name: "unknown status, no value", in: client.Reading{Time: at(3), Status: client.StatusUnknown, Trend: client.TrendUnknown}},
		{name: "zero rate is a rate", in: client.Reading{Time: at(4), Value: 99, Status: client.StatusOK, Trend: client.TrendNone, HasRate: true}},
		{name: "display time in a zone, drifted", in: client.Reading{Time: at(5), DisplayTime: at(5).Add(93 * time.Second).In(plus2), Value: 180, Status: client.StatusOK, Trend: client.TrendDoubleUp, TrendRate: 3.5, HasRate: true}},
		{name: "negative zone", in: client.Reading{Time: at(6), DisplayTime: at(6).In(minus5), Value: 55, Status: client.StatusOK, Trend: client.TrendDoubleDown, TrendRate: -3.2, HasRate: true}},
		{
			name: "system time given in local zone comes back UTC",
			in:   client.Reading{Time: at(7).In(minus5), Value: 70, Status: client.StatusOK, Trend: client.TrendFortyFiveDown},
			want: client.Reading{Time: at(7), Value: 70, Status: client.StatusOK, Trend: client.TrendFortyFiveDown},
		},
		{
			name: "sub-second system time is kept to the second",
			in:   client.Reading{Time: at(8).Add(400 * time.Millisecond), Value: 71, Status: client.StatusOK, Trend: client.TrendSingleUp},
			want: client.Reading{Time: at(8), Value: 71, Status: client.StatusOK, Trend: client.TrendSingleUp},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTemp(t)
			ctx := context.Background()
			added, err := db.PutReadings(ctx, []client.Reading{tc.in})
			if err != nil || added != 1 {
				t.Fatalf("PutReadings = %d, %v; want 1, nil", added, err)
			}
			got, err := db.Readings(ctx, base.Add(-time.Hour), base.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == (client.Reading{}) {
				want = tc.in
			}
			if len(got) != 1 || !sameReading(got[0], want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			if got[0].Time.Location() != time.UTC {
				t.Errorf("Time location %v, want UTC", got[0].Time.Location())
			}
		})
	}
}

func TestTrendAndStatusCodesRoundTrip(t *testing.T) {
	for tr := client.TrendUnknown; tr <= client.TrendRateOutOfRange; tr++ {
		if got := trendFromCode(trendCode(tr)); got != tr {
			t.Errorf("trend %v came back %v", tr, got)
		}
	}
	for _, s := range []client.Status{client.StatusUnknown, client.StatusOK, client.StatusHigh, client.StatusLow} {
		if got := statusFromCode(statusCode(s)); got != s {
			t.Errorf("status %v came back %v", s, got)
		}
	}
	if trendFromCode(99) != client.TrendUnknown || statusFromCode(99) != client.StatusUnknown {
		t.Error("unknown codes must map to unknown")
	}
}

func TestPutReadingsAddedAndUpsert(t *testing.T) {
	r := func(n, v int) client.Reading {
		return client.Reading{Time: at(n), Value: v, Status: client.StatusOK, Trend: client.TrendFlat}
	}
	tests := []struct {
		name      string
		batches   [][]client.Reading
		wantAdded []int
		want      []client.Reading
	}{
		{name: "empty batch", batches: [][]client.Reading{nil}, wantAdded: []int{0}},
		{name: "new rows", batches: [][]client.Reading{{r(0, 100), r(1, 101)}}, wantAdded: []int{2}, want: []client.Reading{r(0, 100), r(1, 101)}},
		{name: "same batch twice is idempotent", batches: [][]client.Reading{{r(0, 100), r(1, 101)}, {r(0, 100), r(1, 101)}}, wantAdded: []int{2, 0}, want: []client.Reading{r(0, 100), r(1, 101)}},
		{name: "overlap counts only new", batches: [][]client.Reading{{r(0, 100), r(1, 101)}, {r(1, 101), r(2, 102), r(3, 103)}}, wantAdded: []int{2, 2}, want: []client.Reading{r(0, 100), r(1, 101), r(2, 102), r(3, 103)}},
		{name: "revised value replaces", batches: [][]client.Reading{{r(0, 100)}, {r(0, 120)}}, wantAdded: []int{1, 0}, want: []client.Reading{r(0, 120)}},
		{name: "duplicate inside one batch counts once, last wins", batches: [][]client.Reading{{r(0, 100), r(0, 105)}}, wantAdded: []int{1}, want: []client.Reading{r(0, 105)}},
		{name: "out of order input comes back ascending", batches: [][]client.Reading{{r(3, 103), r(1, 101), r(2, 102)}}, wantAdded: []int{3}, want: []client.Reading{r(1, 101), r(2, 102), r(3, 103)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTemp(t)
			ctx := context.Background()
			for i, b := range tc.batches {
				added, err := db.PutReadings(ctx, b)
				if err != nil {
					t.Fatal(err)
				}
				if added != tc.wantAdded[i] {
					t.Errorf("batch %d added %d, want %d", i, added, tc.wantAdded[i])
				}
			}
			got, err := db.Readings(ctx, time.Time{}, at(1000))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d readings, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !sameReading(got[i], tc.want[i]) {
					t.Errorf("reading %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestReadingsRangeIsHalfOpen(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var rs []client.Reading
	for n := range 10 {
		rs = append(rs, client.Reading{Time: at(n), Value: 100 + n, Status: client.StatusOK})
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []int // values
	}{
		{"whole", at(0), at(10), []int{100, 101, 102, 103, 104, 105, 106, 107, 108, 109}},
		{"from inclusive, to exclusive", at(2), at(4), []int{102, 103}},
		{"empty", at(4), at(4), nil},
		{"reversed", at(5), at(2), nil},
		{"from a bit after a reading skips it", at(2).Add(time.Millisecond), at(4), []int{103}},
		{"to a bit after a reading keeps it", at(2), at(4).Add(time.Millisecond), []int{102, 103, 104}},
		{"zones do not matter", at(2).In(time.FixedZone("", -7*3600)), at(4).In(time.FixedZone("", 9*3600)), []int{102, 103}},
		{"before all", at(-10), at(0), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Readings(ctx, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			var vals []int
			for _, r := range got {
				vals = append(vals, r.Value)
			}
			if !reflect.DeepEqual(vals, tc.want) {
				t.Errorf("values %v, want %v", vals, tc.want)
			}
		})
	}
}

func TestFreshness(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	f, err := db.Freshness(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Latest.Time.IsZero() || !f.Previous.Time.IsZero() || f.Sync != (SyncStatus{}) {
		t.Fatalf("empty cache: got %+v, want zero", f)
	}

	one := client.Reading{Time: at(3), Value: 150, Status: client.StatusHigh, Trend: client.TrendSingleUp, TrendRate: 2.5, HasRate: true}
	if _, err := db.PutReadings(ctx, []client.Reading{one}); err != nil {
		t.Fatal(err)
	}
	if f, err = db.Freshness(ctx); err != nil {
		t.Fatal(err)
	}
	if !sameReading(f.Latest, one) || !f.Previous.Time.IsZero() {
		t.Fatalf("one reading: got %+v", f)
	}

	older := client.Reading{Time: at(1), Value: 140, Status: client.StatusOK}
	newer := client.Reading{Time: at(4), Value: 155, Status: client.StatusOK, Trend: client.TrendFlat}
	if _, err := db.PutReadings(ctx, []client.Reading{newer, older}); err != nil {
		t.Fatal(err)
	}
	sync := SyncStatus{LastAttempt: at(5), LastSuccess: at(4), LastError: "rate limited", NextPoll: at(6)}
	if err := db.PutSyncStatus(ctx, sync); err != nil {
		t.Fatal(err)
	}
	if f, err = db.Freshness(ctx); err != nil {
		t.Fatal(err)
	}
	if !sameReading(f.Latest, newer) || !sameReading(f.Previous, one) || f.Sync != sync {
		t.Fatalf("got %+v, want latest %v previous %v sync %v", f, newer, one, sync)
	}
}

func TestSyncStatusRoundTrip(t *testing.T) {
	ctx := context.Background()
	tests := []SyncStatus{
		{},
		{LastAttempt: base.Add(123456789 * time.Nanosecond), LastSuccess: base, NextPoll: base.Add(5 * time.Minute)},
		{LastAttempt: base, LastError: "network down: retrying"},
		{LastAttempt: base.In(time.FixedZone("", 3600)), LastSuccess: base.Add(-time.Hour)},
		{LastAttempt: base, ClockOffset: time.Hour + 1500*time.Millisecond},
		{LastAttempt: base, ClockOffset: -2 * time.Hour},
	}
	db := openTemp(t)
	for i, s := range tests {
		if err := db.PutSyncStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.SyncStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameTime(got.LastAttempt, s.LastAttempt.UTC()) || !sameTime(got.LastSuccess, s.LastSuccess.UTC()) ||
			!sameTime(got.NextPoll, s.NextPoll.UTC()) || got.LastError != s.LastError || got.ClockOffset != s.ClockOffset {
			t.Errorf("case %d: got %+v, want %+v", i, got, s)
		}
	}
}

func TestMeta(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	steps := []struct{ key, set, want string }{
		{key: "lag", want: ""},
		{key: "lag", set: "3600", want: "3600"},
		{key: "lag", set: "1800", want: "1800"},
		{key: "devices_at", set: "2024-03-10T08:00:00Z", want: "2024-03-10T08:00:00Z"},
		{key: "lag", want: "1800"},
	}
	for _, s := range steps {
		if s.set != "" {
			if err := db.SetMeta(ctx, s.key, s.set); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Meta(ctx, s.key)
		if err != nil || got != s.want {
			t.Errorf("Meta(%q) = %q, %v; want %q", s.key, got, err, s.want)
		}
	}
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	zone := time.FixedZone("", -4*3600)
	carbs := client.Event{ID: "e1", Time: at(2), DisplayTime: at(2).In(zone), Type: "carbs", Value: "45", Unit: "grams"}
	insulin := client.Event{ID: "e2", Time: at(1), Type: "insulin", SubType: "fastActing", Value: "4.5", Unit: "units"}
	note := client.Event{ID: "e3", Time: at(5), Type: "notes", Value: "walk"}
	steps := []struct {
		name string
		put  []client.Event
		want []client.Event
	}{
		{"insert, read ascending", []client.Event{carbs, insulin, note}, []client.Event{insulin, carbs, note}},
		{"idempotent", []client.Event{carbs, insulin, note}, []client.Event{insulin, carbs, note}},
		{"update by ID", []client.Event{{ID: "e1", Time: at(2), DisplayTime: at(2).In(zone), Type: "carbs", Value: "50", Unit: "grams"}},
			[]client.Event{insulin, {ID: "e1", Time: at(2), DisplayTime: at(2).In(zone), Type: "carbs", Value: "50", Unit: "grams"}, note}},
		{"deleted removes", []client.Event{{ID: "e2", Deleted: true}}, []client.Event{{ID: "e1", Time: at(2), DisplayTime: at(2).In(zone), Type: "carbs", Value: "50", Unit: "grams"}, note}},
		{"deleting an unknown ID is fine", []client.Event{{ID: "nope", Deleted: true}}, []client.Event{{ID: "e1", Time: at(2), DisplayTime: at(2).In(zone), Type: "carbs", Value: "50", Unit: "grams"}, note}},
	}
	for _, s := range steps {
		if err := db.PutEvents(ctx, s.put); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := db.Events(ctx, at(0), at(10))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(s.want) {
			t.Fatalf("%s: got %d events, want %d", s.name, len(got), len(s.want))
		}
		for i := range got {
			g, w := got[i], s.want[i]
			if g.ID != w.ID || !sameTime(g.Time, w.Time.UTC()) || !sameTime(g.DisplayTime, w.DisplayTime) ||
				g.Type != w.Type || g.SubType != w.SubType || g.Value != w.Value || g.Unit != w.Unit || g.Deleted {
				t.Errorf("%s: event %d = %+v, want %+v", s.name, i, g, w)
			}
		}
	}
	if got, _ := db.Events(ctx, at(3), at(10)); len(got) != 1 || got[0].ID != "e3" {
		t.Errorf("range [3,10) = %+v, want e3 only", got)
	}
}

func TestCalibrationsAndAlerts(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cals := []client.Calibration{
		{ID: "c2", Time: at(4), DisplayTime: at(4), Value: 110},
		{ID: "c1", Time: at(1), Value: 95},
	}
	for range 2 { // twice: upserts are idempotent
		if err := db.PutCalibrations(ctx, cals); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutCalibrations(ctx, []client.Calibration{{ID: "c2", Time: at(4), DisplayTime: at(4), Value: 112}}); err != nil {
		t.Fatal(err)
	}
	gotC, err := db.Calibrations(ctx, at(0), at(10))
	if err != nil {
		t.Fatal(err)
	}
	wantC := []client.Calibration{cals[1], {ID: "c2", Time: at(4), DisplayTime: at(4), Value: 112}}
	if len(gotC) != 2 || gotC[0].ID != wantC[0].ID || gotC[1].Value != 112 || !sameTime(gotC[1].DisplayTime, at(4)) || !gotC[0].DisplayTime.IsZero() {
		t.Errorf("calibrations %+v, want %+v", gotC, wantC)
	}

	alerts := []client.Alert{
		{ID: "a1", Time: at(3), DisplayTime: at(3), Name: "urgentLow", State: "triggered"},
		{ID: "a0", Time: at(3), Name: "low", State: "triggered"},
		{ID: "a2", Time: at(9), Name: "unknown"},
	}
	for range 2 {
		if err := db.PutAlerts(ctx, alerts); err != nil {
			t.Fatal(err)
		}
	}
	gotA, err := db.Alerts(ctx, at(0), at(9))
	if err != nil {
		t.Fatal(err)
	}
	// Same time: ordered by ID so the order is stable.
	if len(gotA) != 2 || gotA[0].ID != "a0" || gotA[1].ID != "a1" || gotA[1].Name != "urgentLow" || gotA[1].State != "triggered" {
		t.Errorf("alerts %+v", gotA)
	}
}

func TestDevicesReplaceTheSet(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	g6 := client.Device{TransmitterID: "8ABC12", Generation: "g6", DisplayDevice: "iOS", DisplayApp: "G6", LastUpload: at(1)}
	g7 := client.Device{TransmitterID: "", Generation: "g7", DisplayDevice: "android", DisplayApp: "G7"}
	steps := [][]client.Device{{g6, g7}, {g7}, nil, {g7, g6}}
	for i, ds := range steps {
		if err := db.PutDevices(ctx, ds); err != nil {
			t.Fatal(err)
		}
		got, err := db.Devices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(ds) {
			t.Fatalf("step %d: %d devices, want %d", i, len(got), len(ds))
		}
		for j := range got {
			w := ds[j]
			if got[j].TransmitterID != w.TransmitterID || got[j].Generation != w.Generation || got[j].DisplayDevice != w.DisplayDevice ||
				got[j].DisplayApp != w.DisplayApp || !sameTime(got[j].LastUpload, w.LastUpload) {
				t.Errorf("step %d device %d = %+v, want %+v", i, j, got[j], w)
			}
		}
	}
}

func TestDataRangeRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if got, err := db.DataRange(ctx); err != nil || got != (client.DataRange{}) {
		t.Fatalf("unset: %+v, %v", got, err)
	}
	tests := []client.DataRange{
		{Readings: client.Span{Start: at(-100), End: at(0)}, Events: client.Span{Start: at(-50), End: at(-1)}, Calibrations: client.Span{}, LastSync: at(1)},
		{Readings: client.Span{Start: at(-90), End: at(5)}},
		{},
	}
	for i, r := range tests {
		if err := db.PutDataRange(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := db.DataRange(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameTime(got.Readings.Start, r.Readings.Start) || !sameTime(got.Readings.End, r.Readings.End) ||
			!sameTime(got.Events.Start, r.Events.Start) || !sameTime(got.Events.End, r.Events.End) ||
			!sameTime(got.Calibrations.Start, r.Calibrations.Start) || !sameTime(got.Calibrations.End, r.Calibrations.End) ||
			!sameTime(got.LastSync, r.LastSync) || got.Calibrations.Empty() != r.Calibrations.Empty() {
			t.Errorf("case %d: got %+v, want %+v", i, got, r)
		}
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	var rs []client.Reading
	for n := range 10 {
		rs = append(rs, client.Reading{Time: at(n), Value: 100 + n, Status: client.StatusOK})
	}
	must(t, func() error { _, err := db.PutReadings(ctx, rs); return err })
	must(t, func() error {
		return db.PutEvents(ctx, []client.Event{{ID: "old", Time: at(1), Type: "carbs"}, {ID: "new", Time: at(8), Type: "carbs"}})
	})
	must(t, func() error {
		return db.PutCalibrations(ctx, []client.Calibration{{ID: "old", Time: at(0)}, {ID: "edge", Time: at(5)}})
	})
	must(t, func() error { return db.PutAlerts(ctx, []client.Alert{{ID: "old", Time: at(4)}}) })
	must(t, func() error { return db.SetMeta(ctx, "k", "v") })

	n, err := db.Purge(ctx, at(5))
	if err != nil {
		t.Fatal(err)
	}
	if n != 5+1+1+1 {
		t.Errorf("purged %d, want 8", n)
	}
	got, _ := db.Readings(ctx, time.Time{}, at(100))
	if len(got) != 5 || !got[0].Time.Equal(at(5)) {
		t.Errorf("left %d readings from %v, want 5 from %v", len(got), got[0].Time, at(5))
	}
	ev, _ := db.Events(ctx, time.Time{}, at(100))
	cal, _ := db.Calibrations(ctx, time.Time{}, at(100))
	al, _ := db.Alerts(ctx, time.Time{}, at(100))
	if len(ev) != 1 || ev[0].ID != "new" || len(cal) != 1 || cal[0].ID != "edge" || len(al) != 0 {
		t.Errorf("left events %v calibrations %v alerts %v", ev, cal, al)
	}
	if v, _ := db.Meta(ctx, "k"); v != "v" {
		t.Error("purge must keep engine state")
	}
	if n, err := db.Purge(ctx, at(5)); n != 0 || err != nil {
		t.Errorf("second purge = %d, %v; want 0, nil", n, err)
	}
}

func TestReaderSeesWritesAndRefusesToWrite(t *testing.T) {
	ctx := context.Background()
	w := openTemp(t)
	r, err := OpenReader(ctx, w.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for n := range 3 {
		if _, err := w.PutReadings(ctx, []client.Reading{{Time: at(n), Value: 100 + n, Status: client.StatusOK}}); err != nil {
			t.Fatal(err)
		}
		f, err := r.Freshness(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if f.Latest.Value != 100+n {
			t.Errorf("reader saw %d after write %d", f.Latest.Value, n)
		}
	}
	writes := map[string]error{
		"PutReadings":   func() error { _, err := r.PutReadings(ctx, nil); return err }(),
		"PutEvents":     r.PutEvents(ctx, nil),
		"PutSyncStatus": r.PutSyncStatus(ctx, SyncStatus{}),
		"SetMeta":       r.SetMeta(ctx, "k", "v"),
		"Purge":         func() error { _, err := r.Purge(ctx, base); return err }(),
		"PutDevices":    r.PutDevices(ctx, nil),
	}
	for name, err := range writes {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a reader = %v, want ErrReadOnly", name, err)
		}
	}
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// sampleReadings is n readings five minutes apart ending at end, with values
// that follow a smooth curve, like a real 90-day history.
func sampleReadings(n int, end time.Time) []client.Reading {
	rs := make([]client.Reading, n)
	start := end.Add(-time.Duration(n-1) * 5 * time.Minute)
	for i := range rs {
		t := start.Add(time.Duration(i) * 5 * time.Minute)
		v := 120 + (i*7)%160 - 40
		rate := float64(i%9-4) / 2
		rs[i] = client.Reading{
			Time: t, DisplayTime: t.Add(-17 * time.Second).In(time.FixedZone("", 3600)),
			Value: v, Status: client.StatusOK, Trend: client.FromRate(rate),
		}
		if i%10 != 0 { // every tenth reading has no rate, as after a sensor warm-up
			rs[i].TrendRate, rs[i].HasRate = rate, true
		}
	}
	return rs
}

func ExampleDB_Freshness() {
	ctx := context.Background()
	db, err := OpenReader(ctx, "/nonexistent/cache.db")
	if err != nil {
		fmt.Println("no cache yet")
		return
	}
	defer db.Close()
	f, _ := db.Freshness(ctx)
	fmt.Println(f.Latest.Time)
	// Output: no cache yet
}

// TestDevicesKeepUploaderAndLoopState: battery, IOB and COB come back as
// stored, a zero that was reported (an empty battery, no insulin on
// board) told apart from one that was not.
func TestDevicesKeepUploaderAndLoopState(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	phone := client.Device{DisplayDevice: "phone", DisplayApp: "xDrip", Generation: "nightscout", LastUpload: at(0), Battery: 0, HasBattery: true}
	loop := client.Device{DisplayDevice: "iPhone", DisplayApp: "loop", Generation: "nightscout", LastUpload: at(-1),
		Battery: 64, HasBattery: true, IOB: 0, HasIOB: true, COB: 12.5, HasCOB: true}
	cgm := client.Device{DisplayDevice: "xDrip-DexcomG6", Generation: "g6", LastUpload: at(0)}
	if err := db.PutDevices(ctx, []client.Device{cgm, phone, loop}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []client.Device{cgm, phone, loop} {
		g := got[i]
		if g.HasBattery != w.HasBattery || g.Battery != w.Battery || g.HasIOB != w.HasIOB || g.IOB != w.IOB ||
			g.HasCOB != w.HasCOB || g.COB != w.COB || g.DisplayApp != w.DisplayApp {
			t.Errorf("device %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestMigratesV3Devices: a cache written before schema 4 keeps its devices
// (with nothing reported) and takes the new fields after the upgrade.
func TestMigratesV3Devices(t *testing.T) {
	ctx := context.Background()
	v3 := openOldSchema(t, 3)
	path := v3.Path()
	if _, err := v3.w.ExecContext(ctx, `INSERT INTO devices (transmitter_id, generation, display_device, display_app, last_upload)
		VALUES ('8ABC12', 'g6', 'iOS', 'G6', ?)`, at(0).Unix()); err != nil {
		t.Fatal(err)
	}
	v3.Close()
	db := openKept(t, path, "migration must not discard the cache")
	got, err := db.Devices(ctx)
	if err != nil || len(got) != 1 || got[0].TransmitterID != "8ABC12" || got[0].HasBattery || got[0].HasIOB || got[0].HasCOB {
		t.Fatalf("devices after migration: %+v, %v", got, err)
	}
	if err := db.PutDevices(ctx, []client.Device{{DisplayApp: "loop", IOB: 1.25, HasIOB: true}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Devices(ctx); err != nil || len(got) != 1 || !got[0].HasIOB || got[0].IOB != 1.25 {
		t.Errorf("devices written after migration: %+v, %v", got, err)
	}
}
