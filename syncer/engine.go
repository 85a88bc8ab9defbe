package syncer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
)

// ErrBusy means another process (or another engine in this one) is
// syncing this account; the cache still fills, so just read it.
var ErrBusy = errors.New("another cgmtop process is syncing this account")

const (
	// DefaultRetention is how far back the cache keeps data: all Dexcom
	// keeps.
	DefaultRetention = 90 * 24 * time.Hour
	// Overlap is how far before the newest stored reading a delta fetch
	// starts, so readings that arrive out of order are not lost; upserts
	// make the repeats free.
	Overlap = 15 * time.Minute
	// recentFirst is the span the first run fetches before the rest of the
	// history, so a new user sees today's graph at once.
	recentFirst = 24 * time.Hour
	// recordsLookback is how far back events and alerts are fetched again:
	// users enter carbs and insulin after the fact. One request either way.
	recordsLookback = 24 * time.Hour
	// lateEvery is how often a delta fetch reaches back lateLookback
	// instead of Overlap, for readings a transmitter backfills after a
	// signal loss: they carry their original, hours-old times, so a fetch
	// from the newest reading never sees them. It is the same single egvs
	// request, only longer.
	lateEvery = time.Hour
	// lateLookback covers the longest backfill (a G7 keeps 24 hours; a G6,
	// 3), plus the hour between two such fetches, so a reading that arrives
	// just under 24 hours late is still inside the next one.
	lateLookback = 24*time.Hour + lateEvery
	// busyRecheck is how often Run checks whether the process holding the
	// lock is gone, so another takes over within seconds of it dying. A
	// check is one non-blocking flock call; it reads nothing remote.
	busyRecheck = 2 * time.Second
	// passTimeout bounds one pass in wall time, whatever the clock.
	passTimeout = 5 * time.Minute
	// clockTolerance is the least clock offset the engine corrects for: the
	// Date header has whole seconds and every range asked for ends a minute
	// past now, so a smaller offset changes nothing, and ignoring it keeps
	// the learned lag free of the estimate's jitter.
	clockTolerance = 30 * time.Second
	// clockRelearn is how far the offset must move before it is taken anew.
	clockRelearn = 5 * time.Second
	// clockLatency is how long an answer may take to arrive, in wall time,
	// for its Date still to say what the server's clock read "now". On a
	// scaled clock (the demo, tests) it stands for that many times longer.
	clockLatency = 500 * time.Millisecond
)

// Keys of the engine's state in the cache's meta table, shared by every
// process that syncs the account.
const (
	metaLag       = "sync.lag"        // LagModel.Est, a Go duration
	metaLagFloor  = "sync.lag_floor"  // LagModel.Floor
	metaLagCeil   = "sync.lag_ceil"   // LagModel.Ceil
	metaBackfill  = "sync.backfill"   // "" → none yet; "recent" → last day stored; "done"
	metaDevicesAt = "sync.devices_at" // clock time of the last device fetch, RFC 3339
	metaRecordsAt = "sync.records_at" // clock time of the last events/alerts/calibrations fetch
	metaLateAt    = "sync.late_at"    // clock time of the last readings fetch that reached back lateLookback
)

// Options tune an Engine. The zero value is usable.
type Options struct {
	Clock     clock.Clock   // nil → clock.Real{}
	LockPath  string        // cross-process single-flight lock file (config.Paths.Lock(account, "sync")); "" → no lock
	Retention time.Duration // default 90 days
	Log       *slog.Logger  // nil → discard. Never logs glucose values, tokens or record contents.
	// DevicesEvery is how often devices are fetched again; default 1 hour.
	DevicesEvery time.Duration
	// RecordsEvery is how often events, alerts and calibrations are
	// fetched again; default 1 hour. Each costs a request, and none of
	// them changes the glucose picture.
	RecordsEvery time.Duration
	// Stored, if set, is called as soon as a pass has stored new readings,
	// before the rest of the pass (devices, records: more requests), so
	// that what readers other than the views see (the status snapshot)
	// need not wait for them.
	Stored func()
}

// Result is what one pass did.
type Result struct {
	Added      int       // new readings stored this pass, late (backfilled) ones included
	Newest     time.Time // newest reading in the cache after the pass
	Next       time.Time // when the engine plans to poll next (clock time)
	Backfilled bool      // this pass did (part of) the first-run backfill
	Err        error     // what went wrong, in plain words (also written to the cache's SyncStatus)
}

// Engine copies one account's data from a Source into its cache. It is
// safe for concurrent use; passes never overlap.
type Engine struct {
	src       client.Source
	db        *cache.DB
	clk       clock.Clock
	retention time.Duration
	devEvery  time.Duration
	recEvery  time.Duration
	log       *slog.Logger
	lock      *flock.Flock // nil without LockPath
	stored    func()

	running sync.Mutex // held by a pass, or by Run for its whole life

	// Scheduling state, touched only while running is held.
	lag        LagModel
	lagLoaded  bool
	misses     int       // polls due since the newest reading that found nothing newer
	lastMiss   time.Time // start of the latest poll that found nothing newer
	failures   int
	retryAfter time.Duration
	// offset is the source's clock minus e.clk, when beyond clockTolerance;
	// zero otherwise. Reading times are compared with now+offset.
	offset time.Duration
}

// New returns an engine that syncs src into db.
func New(src client.Source, db *cache.DB, opts Options) *Engine {
	e := &Engine{
		src:       src,
		db:        db,
		clk:       opts.Clock,
		retention: opts.Retention,
		devEvery:  opts.DevicesEvery,
		recEvery:  opts.RecordsEvery,
		log:       opts.Log,
		stored:    opts.Stored,
	}
	if e.clk == nil {
		e.clk = clock.Real{}
	}
	if e.retention <= 0 {
		e.retention = DefaultRetention
	}
	if e.devEvery <= 0 {
		e.devEvery = time.Hour
	}
	if e.recEvery <= 0 {
		e.recEvery = time.Hour
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.LockPath != "" {
		e.lock = flock.New(opts.LockPath, flock.SetPermissions(0o600))
	}
	return e
}

// Sync makes one pass: the first-run backfill, or the readings since the
// newest stored one (once an hour, those of the last day, for readings
// that arrive late), plus devices and records when they are due. It
// returns ErrBusy at once if another pass, here or in another process, is
// under way. The returned error is Result.Err.
func (e *Engine) Sync(ctx context.Context) (Result, error) {
	if !e.running.TryLock() {
		return Result{}, ErrBusy
	}
	defer e.running.Unlock()
	if err := e.tryLock(); err != nil {
		return Result{}, err
	}
	defer e.unlock()
	res := e.pass(ctx)
	return res, res.Err
}

// Run syncs on the sensor's cadence until ctx is done, calling onSync (if
// not nil) after every pass. While another process syncs the account, Run
// waits and takes over when that process stops. It returns nil when ctx
// is done, and an error wrapping client.ErrUnauthorized when the login has
// expired: polling cannot fix that, only `cgmtop login` can.
func (e *Engine) Run(ctx context.Context, onSync func(Result)) error {
	e.running.Lock()
	defer e.running.Unlock()
	for took := false; ; took = true {
		err := e.tryLock()
		if err == nil {
			if took && e.waitPlanned(ctx) != nil {
				e.unlock()
				return nil
			}
			break
		}
		if !errors.Is(err, ErrBusy) {
			return err
		}
		if e.sleep(ctx, busyRecheck) != nil {
			return nil
		}
	}
	defer e.unlock()
	for {
		res := e.pass(ctx)
		planned := res.Next.Sub(e.clk.Now())
		if ctx.Err() != nil {
			return nil
		}
		if onSync != nil {
			onSync(res)
		}
		if errors.Is(res.Err, client.ErrUnauthorized) {
			return res.Err
		}
		// Never longer than planned: a clock that went back while onSync
		// ran would otherwise put the plan an hour away.
		if e.sleep(ctx, min(res.Next.Sub(e.clk.Now()), planned)) != nil {
			return nil
		}
	}
}

// waitPlanned waits, on taking over from a process that synced the account,
// until the poll that process planned: taking the lock is no reason to ask
// the source again sooner. A plan too far ahead (a clock that jumped) is
// not waited for.
func (e *Engine) waitPlanned(ctx context.Context) error {
	st, err := e.db.SyncStatus(ctx)
	if err != nil {
		return nil // sync now; the pass will say what is wrong
	}
	wait := st.NextPoll.Sub(e.clk.Now())
	if st.NextPoll.IsZero() || wait <= 0 || wait > Cadence+MaxLag+Margin {
		return nil
	}
	e.log.Debug("took over the sync lock", "waiting", wait.Round(time.Second))
	return e.sleep(ctx, wait)
}

// sleep waits d of the engine's clock, or until ctx is done.
func (e *Engine) sleep(ctx context.Context, d time.Duration) error {
	d = max(d, MinWait)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-e.clk.After(d):
		return nil
	}
}

func (e *Engine) tryLock() error {
	if e.lock == nil {
		return nil
	}
	if err := config.EnsureDir(filepath.Dir(e.lock.Path())); err != nil {
		return fmt.Errorf("sync lock: %w", err)
	}
	ok, err := e.lock.TryLock()
	if err != nil {
		return fmt.Errorf("sync lock %s: %w (check that the state folder is writable)", e.lock.Path(), err)
	}
	if !ok {
		return ErrBusy
	}
	return nil
}

func (e *Engine) unlock() {
	if e.lock != nil {
		if err := e.lock.Unlock(); err != nil {
			e.log.Warn("releasing the sync lock", "err", err)
		}
	}
}

// pass runs one sync and records its outcome in the cache.
func (e *Engine) pass(ctx context.Context) Result {
	ctx, cancel := context.WithTimeout(ctx, passTimeout)
	defer cancel()
	start := e.clk.Now()
	var res Result
	err := e.syncOnce(ctx, &res)
	now := e.clk.Now()

	var rl *client.RateLimitError
	switch {
	case err == nil:
		e.failures, e.retryAfter = 0, 0
	case errors.As(err, &rl):
		e.failures, e.retryAfter = e.failures+1, rl.RetryAfter
	default:
		e.failures, e.retryAfter = e.failures+1, 0
	}
	// The schedule runs on the source's clock, as reading times do; the
	// plan is kept on this computer's, which every local process shares.
	res.Next = NextPoll(PollState{
		Now: now.Add(e.offset), Newest: res.Newest, Lag: e.lag.Est, Ceiling: e.lag.Ceil, Misses: e.misses,
		Failures: e.failures, RetryAfter: e.retryAfter, Jitter: rand.Float64(),
	}).Add(-e.offset)

	// A cancelled pass says nothing about the source; leave the status as
	// the last real pass wrote it.
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		res.Err = err
		return res
	}
	st, serr := e.db.SyncStatus(ctx)
	if serr != nil {
		e.log.Warn("reading the sync status", "err", serr)
	}
	st.LastAttempt, st.NextPoll, st.LastError, st.ClockOffset = start, res.Next, "", e.offset
	if err == nil {
		st.LastSuccess = now
	} else {
		res.Err = plain(err)
		st.LastError = res.Err.Error()
		e.log.Warn("sync failed", "err", st.LastError, "failures", e.failures, "next", res.Next)
	}
	if werr := e.db.PutSyncStatus(ctx, st); werr != nil {
		e.log.Warn("saving the sync status", "err", werr)
		if res.Err == nil {
			res.Err = plain(cacheErr("save the sync status", werr))
		}
	}
	e.log.Debug("sync pass", "added", res.Added, "backfill", res.Backfilled,
		"age", now.Add(e.offset).Sub(res.Newest).Round(time.Second), "lag", e.lag.Est, "floor", e.lag.Floor,
		"misses", e.misses, "next", res.Next.Sub(now).Round(time.Second))
	return res
}

// syncOnce does the work of a pass, filling res as it goes so that what
// was stored before an error is still reported.
func (e *Engine) syncOnce(ctx context.Context, res *Result) error {
	if err := e.loadLag(ctx); err != nil {
		return err
	}
	f, err := e.db.Freshness(ctx)
	if err != nil {
		return cacheErr("read the newest reading", err)
	}
	newest := f.Latest.Time
	res.Newest = newest
	phase, err := e.db.Meta(ctx, metaBackfill)
	if err != nil {
		return cacheErr("read the sync state", err)
	}
	if phase != "done" {
		res.Backfilled = true
		return e.backfill(ctx, res, phase)
	}

	now := e.now()
	from := newest.Add(-Overlap)
	late := e.due(ctx, metaLateAt, lateEvery, now)
	switch {
	case newest.IsZero():
		from = now.Add(-recentFirst)
	case late:
		from = earlier(from, now.Add(-lateLookback))
	}
	if err := e.readings(ctx, res, from, now); err != nil {
		return err
	}
	if res.Added > 0 && e.stored != nil {
		e.stored()
	}
	if late {
		if err := e.stamp(ctx, metaLateAt, now); err != nil {
			return err
		}
	}
	if err := e.devicesIfDue(ctx, false); err != nil {
		return err
	}
	if err := e.recordsIfDue(ctx, false, time.Time{}, client.DataRange{}); err != nil {
		return err
	}
	return e.purge(ctx)
}

// backfill is the first run: what the account holds, the last day of
// readings (so the user sees something at once), the rest of the history,
// then devices and records.
func (e *Engine) backfill(ctx context.Context, res *Result, phase string) error {
	dated := e.serverTime()
	dr, err := e.src.DataRange(ctx)
	if err != nil {
		return err
	}
	if err := e.db.PutDataRange(ctx, dr); err != nil {
		return cacheErr("save the data range", err)
	}
	e.checkClock(time.Time{}, dated)
	now := e.now()
	horizon := e.horizon(now)
	if !dr.Readings.Empty() {
		recent := later(dr.Readings.End.Add(-recentFirst), horizon)
		if phase == "" {
			if err := e.readings(ctx, res, recent, now); err != nil {
				return err
			}
			if err := e.setMeta(ctx, metaBackfill, "recent"); err != nil {
				return err
			}
		}
		if older := later(dr.Readings.Start, horizon); older.Before(recent) {
			if err := e.store(ctx, res, older, recent); err != nil {
				return err
			}
		}
	}
	if err := e.devicesIfDue(ctx, true); err != nil {
		return err
	}
	if err := e.recordsIfDue(ctx, true, horizon, dr); err != nil {
		return err
	}
	// Everything up to now was just fetched: the first look back for late
	// readings is due an hour from here.
	if err := e.stamp(ctx, metaLateAt, now); err != nil {
		return err
	}
	return e.setMeta(ctx, metaBackfill, "done")
}

// horizon is where the retention window starts, aligned with the end of
// every range the engine asks for, so 90 days are exactly three 30-day
// requests.
func (e *Engine) horizon(now time.Time) time.Time {
	return rangeEnd(now).Add(-e.retention)
}

// rangeEnd is the end of every range asked for: a little after now, so a
// source whose clock runs slightly ahead of ours is not cut short, and in
// whole seconds, the API's resolution, so that a range of exactly 90 days
// is not rounded out to a fourth request.
func rangeEnd(now time.Time) time.Time { return now.Add(time.Minute).Truncate(time.Second) }

// readings fetches [from, now+) and learns the upload lag from what came
// back: this is the poll the schedule is built around.
func (e *Engine) readings(ctx context.Context, res *Result, from, now time.Time) error {
	prev := res.Newest
	from = later(from, e.horizon(now))
	start, dated := e.now(), e.serverTime()
	rs, err := e.src.Readings(ctx, from, rangeEnd(now))
	ended := e.clk.Now() // the answer's time, before storing it
	if err != nil {
		return err
	}
	if err := e.put(ctx, res, rs); err != nil {
		return err
	}
	if e.checkClock(res.Newest, dated) {
		// The range was cut on a clock found wrong by this very answer:
		// ask again up to the corrected now, or the readings "from the
		// future" would wait for the next pass. Only a clock change costs
		// this second request.
		now = e.now()
		rs, err = e.src.Readings(ctx, from, rangeEnd(now))
		ended = e.clk.Now()
		if err != nil {
			return err
		}
		if err := e.put(ctx, res, rs); err != nil {
			return err
		}
		start = now // what was learned before the change says nothing now
		e.misses, e.lastMiss = 0, time.Time{}
	}
	end := ended.Add(e.offset)
	if res.Newest.After(prev) {
		e.lag.Seen(res.Newest, end, e.lastMiss)
		e.misses, e.lastMiss = 0, time.Time{}
		return e.saveLag(ctx)
	}
	switch {
	case prev.IsZero() || !start.After(prev.Add(Cadence)):
		e.misses = 0 // too early to miss anything (or the clock went back)
	case start.Before(prev.Add(Cadence + e.lag.Est)):
		e.lastMiss = start // early, but it bounds the lag all the same
	default:
		e.lastMiss = start
		e.misses++
	}
	return nil
}

// now is the time on the source's clock, as far as the engine can tell:
// its own clock corrected by the offset checkClock measured.
func (e *Engine) now() time.Time { return e.clk.Now().Add(e.offset) }

// serverTime is the source's time as of its latest answer, zero when it
// cannot tell (not a client.ServerClock, or no dated answer yet).
func (e *Engine) serverTime() time.Time {
	if sc, is := e.src.(client.ServerClock); is {
		if t, has := sc.ServerTime(); has {
			return t
		}
	}
	return time.Time{}
}

// checkClock updates the clock offset from the source's latest answer, if
// the source can tell its time, else from newest, the newest reading known:
// no reading is from the future, so a newer one than now proves the clock
// behind by at least that much. dated is the source's time before the
// request just made: an unchanged one came from an earlier answer (a
// hybrid account's official API, asked once an hour), and the minutes
// since would pass for a clock running ahead. It reports whether the
// offset changed.
func (e *Engine) checkClock(newest, dated time.Time) bool {
	local := e.clk.Now()
	measured, ok := time.Duration(0), false
	if t := e.serverTime(); !t.IsZero() {
		if t.Equal(dated) {
			return false // no fresh date: keep what the last one said
		}
		measured, ok = t.Sub(local), true
	}
	if !ok && !newest.IsZero() {
		// Without the server's date, the readings' own times are all
		// there is; with it, they are not evidence: a reading "from the
		// future" then means the uploading device's clock is wrong, or
		// the server's own clock went back.
		measured, ok = max(newest.Sub(local), 0), true
	}
	if !ok {
		return false
	}
	// The tolerances grow with the clock's speed: a wall-clock moment of
	// latency is a minute of clock time at 120×.
	tolerance, relearn := clockTolerance, clockRelearn
	if wall := e.clk.Wall(time.Second); wall > 0 && wall < time.Second {
		scale := float64(time.Second) / float64(wall)
		tolerance = max(tolerance, time.Duration(scale*float64(clockLatency)))
		relearn = max(relearn, time.Duration(scale*float64(clockLatency)))
	}
	if measured.Abs() < tolerance {
		measured = 0
	}
	if (measured - e.offset).Abs() < relearn {
		return false
	}
	was := e.offset
	e.offset = measured.Round(time.Second)
	switch {
	case clock.Skew(e.offset) != "":
		e.log.Warn("this computer's clock is off: ages are counted on the source's clock instead; set the clock right (NTP)",
			"clock", clock.Skew(e.offset), "offset", e.offset)
	case clock.Skew(was) != "":
		e.log.Info("this computer's clock agrees with the source's again", "offset", e.offset)
	}
	return true
}

// store fetches and stores readings of [from, to) without learning from
// them: older history says nothing about the upload lag.
func (e *Engine) store(ctx context.Context, res *Result, from, to time.Time) error {
	rs, err := e.src.Readings(ctx, from, to)
	if err != nil {
		return err
	}
	return e.put(ctx, res, rs)
}

func (e *Engine) put(ctx context.Context, res *Result, rs []client.Reading) error {
	if len(rs) == 0 {
		return nil
	}
	added, err := e.db.PutReadings(ctx, rs)
	if err != nil {
		return cacheErr("save readings", err)
	}
	res.Added += added
	for _, r := range rs {
		if r.Time.After(res.Newest) {
			res.Newest = r.Time
		}
	}
	return nil
}

// devicesIfDue refreshes the device list when it is older than
// DevicesEvery, or when the clock moved behind the last fetch.
func (e *Engine) devicesIfDue(ctx context.Context, force bool) error {
	now := e.now()
	if !force && !e.due(ctx, metaDevicesAt, e.devEvery, now) {
		return nil
	}
	ds, err := e.src.Devices(ctx)
	if err != nil {
		return err
	}
	if err := e.db.PutDevices(ctx, ds); err != nil {
		return cacheErr("save devices", err)
	}
	return e.stamp(ctx, metaDevicesAt, now)
}

// recordsIfDue fetches events, alerts and, for sensors that take them,
// calibrations. On the first run it covers the whole retention window
// (skipping kinds the data range says are empty); afterwards the last day,
// once per RecordsEvery.
func (e *Engine) recordsIfDue(ctx context.Context, first bool, horizon time.Time, dr client.DataRange) error {
	now := e.now()
	if !first && !e.due(ctx, metaRecordsAt, e.recEvery, now) {
		return nil
	}
	from, to := later(now.Add(-recordsLookback), e.horizon(now)), rangeEnd(now)
	if first {
		from = horizon
	}
	if !first || !dr.Events.Empty() {
		evs, err := e.src.Events(ctx, later(from, dr.Events.Start), to)
		if err != nil {
			return err
		}
		if err := e.db.PutEvents(ctx, evs); err != nil {
			return cacheErr("save events", err)
		}
	}
	alerts, err := e.src.Alerts(ctx, from, to)
	if err != nil {
		return err
	}
	if err := e.db.PutAlerts(ctx, alerts); err != nil {
		return cacheErr("save alerts", err)
	}
	calibrated, err := e.takesCalibrations(ctx)
	if err != nil {
		return err
	}
	if calibrated && (!first || !dr.Calibrations.Empty()) {
		cs, err := e.src.Calibrations(ctx, later(from, dr.Calibrations.Start), to)
		if err != nil {
			return err
		}
		if err := e.db.PutCalibrations(ctx, cs); err != nil {
			return cacheErr("save calibrations", err)
		}
	}
	return e.stamp(ctx, metaRecordsAt, now)
}

// takesCalibrations reports whether any of the account's devices is of a
// generation that takes fingerstick calibrations (G7 does not).
func (e *Engine) takesCalibrations(ctx context.Context) (bool, error) {
	ds, err := e.db.Devices(ctx)
	if err != nil {
		return false, cacheErr("read devices", err)
	}
	for _, d := range ds {
		if d.HasCalibrations() {
			return true, nil
		}
	}
	return false, nil
}

// due reports whether the fetch stamped under key is older than every, or
// stamped in the future (the clock went back), or never happened.
func (e *Engine) due(ctx context.Context, key string, every time.Duration, now time.Time) bool {
	v, err := e.db.Meta(ctx, key)
	if err != nil || v == "" {
		return true
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return true
	}
	return now.Sub(at) >= every || at.After(now)
}

// purge drops what is older than the retention window; the cache deletes
// by an indexed time column, so this is cheap enough for every pass.
func (e *Engine) purge(ctx context.Context) error {
	if _, err := e.db.Purge(ctx, e.now().Add(-e.retention)); err != nil {
		return cacheErr("purge old data", err)
	}
	return nil
}

// loadLag reads the learned lag the first time, so a restart (or another
// process that synced before) does not learn it again.
func (e *Engine) loadLag(ctx context.Context) error {
	if e.lagLoaded {
		return nil
	}
	est, err := e.db.Meta(ctx, metaLag)
	if err != nil {
		return cacheErr("read the sync state", err)
	}
	floor, err := e.db.Meta(ctx, metaLagFloor)
	if err != nil {
		return cacheErr("read the sync state", err)
	}
	ceil, err := e.db.Meta(ctx, metaLagCeil)
	if err != nil {
		return cacheErr("read the sync state", err)
	}
	e.lagLoaded = true
	// The clock offset the last syncing process measured holds until this
	// one's first answer says otherwise, so its first range is right too.
	if st, err := e.db.SyncStatus(ctx); err == nil && st.ClockOffset.Abs() >= clockTolerance && st.ClockOffset.Abs() <= MaxLag {
		e.offset = st.ClockOffset
	}
	d, err1 := time.ParseDuration(est)
	f, err2 := time.ParseDuration(floor)
	c, err3 := time.ParseDuration(ceil)
	if err1 != nil || err2 != nil || err3 != nil || f < 0 || f > d || d > c || c > MaxLag {
		return nil // nothing stored, or damaged: learn afresh
	}
	e.lag = LagModel{Est: d, Floor: f, Ceil: c, Known: true}
	return nil
}

func (e *Engine) saveLag(ctx context.Context) error {
	for key, d := range map[string]time.Duration{metaLag: e.lag.Est, metaLagFloor: e.lag.Floor, metaLagCeil: e.lag.Ceil} {
		if err := e.setMeta(ctx, key, d.String()); err != nil {
			return err
		}
	}
	return nil
}

// stamp records that the fetch kept under key ran at now, for due.
func (e *Engine) stamp(ctx context.Context, key string, now time.Time) error {
	return e.setMeta(ctx, key, now.UTC().Format(time.RFC3339Nano))
}

func (e *Engine) setMeta(ctx context.Context, key, value string) error {
	if err := e.db.SetMeta(ctx, key, value); err != nil {
		return cacheErr("save the sync state", err)
	}
	return nil
}

// Due reports whether a sync is worth starting now given the status the
// syncing process last wrote: a launcher such as `cgmtop status` can call
// it before starting a background pass. A NextPoll far in the future (the
// clock went back) counts as due.
func Due(st cache.SyncStatus, now time.Time) bool {
	if st.NextPoll.IsZero() || !now.Before(st.NextPoll) {
		return true
	}
	return st.NextPoll.Sub(now) > max(Cadence+MaxLag+Margin, MaxRetryAfter)
}

// earlier returns the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
