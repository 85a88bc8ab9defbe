package emulator

import (
	"math"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// The simulated sensor is a pure function of time: every value, gap, meal
// and sensor change is derived by hashing (seed, what, when), never from
// state built up by earlier queries. That is what makes any range query, in
// any order or split, return identical records.

const (
	slotSeconds = 300 // one reading every 5 minutes
	daySeconds  = 86400
)

// Hash tags keep the random streams of different quantities independent.
const (
	tagPhase uint64 = iota + 1
	tagUser
	tagSession
	tagTransmitter
	tagGap
	tagNoise
	tagDrift
	tagDrift2
	tagMeal
	tagExercise
	tagCalibration
	tagRecord
	tagUpload
)

// mix is the splitmix64 finaliser: cheap, and good enough to make
// neighbouring inputs look unrelated.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// unit maps a hash to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// profile is one simulated user: their device, habits and random streams.
type profile struct {
	name          string // g7, g6
	seed          uint64
	userID        string
	generation    string
	displayDevice string
	displayApp    string
	zone          *time.Location
	zoneOffset    int64 // seconds east of UTC, fixed so meals keep their local times
	displayLayout string
	calibrates    bool
	nullOnLimit   bool // HIGH/LOW readings carry value null (else 401/39)
	statusOK      string
	base          float64
	phase         int64 // seconds into each 5-minute slot
	sessionLen    int64
	sessionOffset int64
	warmup        int64
	txLife        int64 // G6 transmitters outlive sensors; 0 = one per sensor
}

const (
	layoutPlain = "2006-01-02T15:04:05"
	layoutZoned = "2006-01-02T15:04:05-07:00"
)

func newProfile(seed int64, name string) *profile {
	p := &profile{name: name}
	p.seed = mix(uint64(seed) ^ mix(tagUser^uint64(len(name))<<8^uint64(name[len(name)-1])))
	switch name {
	case "g6":
		p.generation = "g6"
		p.displayDevice = "android"
		p.displayApp = "G6"
		p.zoneOffset = 3600
		p.displayLayout = layoutPlain
		p.calibrates = true
		p.statusOK = "ok"
		p.base = 125
		p.sessionLen = 10 * daySeconds
		p.warmup = 2 * 3600
		p.txLife = 90 * daySeconds
	default:
		p.name = "g7"
		p.generation = "g7"
		p.displayDevice = "iOS"
		p.displayApp = "G7"
		p.zoneOffset = -5 * 3600
		p.displayLayout = layoutZoned
		p.nullOnLimit = true
		p.base = 115
		p.sessionLen = 10*daySeconds + 12*3600 // ten days plus the grace period
		p.warmup = 30 * 60
	}
	p.zone = time.FixedZone("", int(p.zoneOffset))
	p.phase = int64(p.h(tagPhase, 0) % slotSeconds)
	p.sessionOffset = int64(p.h(tagSession, 0) % uint64(p.sessionLen))
	p.userID = string(appendUUID(nil, p.h(tagUser, 1), p.h(tagUser, 2)))
	return p
}

func (p *profile) h(tag uint64, i int64) uint64 {
	return mix(mix(p.seed^tag*0x9e3779b97f4a7c15) ^ uint64(i))
}

func (p *profile) u(tag uint64, i int64) float64 { return unit(p.h(tag, i)) }

func (p *profile) slotTime(i int64) int64 { return i*slotSeconds + p.phase }

// firstSlotAtOrAfter returns the first slot whose time is ≥ t.
func (p *profile) firstSlotAtOrAfter(t int64) int64 {
	return floorDiv(t-p.phase+slotSeconds-1, slotSeconds)
}

// lastSlotAtOrBefore returns the last slot whose time is ≤ t.
func (p *profile) lastSlotAtOrBefore(t int64) int64 {
	return floorDiv(t-p.phase, slotSeconds)
}

// session returns the sensor session holding t and when it started.
func (p *profile) session(t int64) (k, start int64) {
	k = floorDiv(t-p.sessionOffset, p.sessionLen)
	return k, k*p.sessionLen + p.sessionOffset
}

// txEpoch returns which transmitter is in use at t and when it started.
// G6 transmitters outlive several sensors; a G7 is one with its sensor.
func (p *profile) txEpoch(t int64) (k, start int64) {
	if p.txLife == 0 {
		return p.session(t)
	}
	off := int64(p.h(tagTransmitter, 0) % uint64(p.txLife))
	k = floorDiv(t-off, p.txLife)
	return k, k*p.txLife + off
}

// txID names transmitter k. The v3 API shows G7 transmitters as an opaque
// hash and G6 ones by their printed serial.
func (p *profile) txID(k int64) string {
	if p.txLife > 0 {
		return p.g6TransmitterID(k)
	}
	b := make([]byte, 0, 64)
	for j := range int64(4) {
		b = appendHex(b, p.h(tagTransmitter, k*4+j))
	}
	return string(b)
}

// transmitter returns the transmitter id and its ticks (seconds since it
// started) at t.
func (p *profile) transmitter(t int64) (id string, ticks int64) {
	k, start := p.txEpoch(t)
	return p.txID(k), t - start
}

func (p *profile) g6TransmitterID(k int64) string {
	const alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	x := p.h(tagTransmitter, k+1)
	b := []byte{'8'}
	for range 5 {
		b = append(b, alnum[x%uint64(len(alnum))])
		x /= uint64(len(alnum))
	}
	return string(b)
}

// window is a resolved scenario interval in unix seconds.
type window struct {
	kind       ScenarioKind
	start, end int64 // [start, end); end = max int for open-ended
	skew       int64
	delay      int64 // ScenarioLate: seconds after its time a reading is first served
}

// gen evaluates one profile under a fixed set of scenario windows, as
// seen at unix time at (which only late windows look at).
type gen struct {
	p  *profile
	w  []window
	at int64
}

// randomGap reports whether slot i falls in one of the short random runs
// of missing readings (about 1.25% of slots).
func (p *profile) randomGap(i int64) bool {
	const block = 12
	b := floorDiv(i, block)
	x := p.h(tagGap, b)
	if unit(x) >= 0.06 {
		return false
	}
	n := 1 + int64((x>>8)%4)
	off := int64((x >> 16) % uint64(block-n+1))
	j := i - b*block
	return j >= off && j < off+n
}

func (g gen) gap(i int64) bool {
	t := g.p.slotTime(i)
	if _, start := g.p.session(t); t-start < g.p.warmup {
		return true
	}
	for _, w := range g.w {
		if w.kind == ScenarioGap && t >= w.start && t < w.end {
			return true
		}
	}
	return g.p.randomGap(i)
}

// meal is one meal of a local day: carbs, the bolus that covers them, and
// how far the outcome strays from a perfect match (hump > 0: stays high).
type meal struct {
	carbsAt, insulinAt int64
	carbs, units       float64
	hump               float64
	id                 int64
}

type exercise struct {
	at, minutes int64
	intensity   float64
	id          int64
}

// localMidnight returns the UTC unix time of the user's local midnight of day d.
func (p *profile) localMidnight(d int64) int64 { return d*daySeconds - p.zoneOffset }

func (p *profile) localDay(t int64) int64 { return floorDiv(t+p.zoneOffset, daySeconds) }

// meals fills buf with the meals of local day d, in time order.
func (p *profile) meals(d int64, buf *[4]meal) []meal {
	mid := p.localMidnight(d)
	out := buf[:0]
	type plan struct {
		hour, spread, minC, maxC float64
		prob                     float64
	}
	plans := [4]plan{
		{7.0, 0.75, 25, 60, 0.95},
		{12.5, 1.0, 35, 80, 0.9},
		{15.5, 0.75, 10, 25, 0.4},
		{19.0, 1.0, 45, 90, 1},
	}
	for j, pl := range plans {
		id := d*8 + int64(j)
		if p.u(tagMeal, id*16) >= pl.prob {
			continue
		}
		at := mid + int64((pl.hour+(p.u(tagMeal, id*16+1)*2-1)*pl.spread)*3600)
		carbs := math.Round((pl.minC+p.u(tagMeal, id*16+2)*(pl.maxC-pl.minC))/5) * 5
		icr := 10.0
		if p.name == "g6" {
			icr = 12
		}
		units := math.Round(carbs/icr*2) / 2
		pre := int64(p.u(tagMeal, id*16+3) * 20 * 60)
		insulinAt := at - pre
		if p.u(tagMeal, id*16+4) < 0.07 {
			// Forgotten bolus, corrected later: a tall post-meal spike.
			insulinAt = at + 75*60
		}
		hump := p.u(tagMeal, id*16+5)*1.15 - 0.65
		out = append(out, meal{carbsAt: at, insulinAt: insulinAt, carbs: carbs, units: units, hump: hump, id: id})
	}
	return out
}

func (p *profile) exercise(d int64) (exercise, bool) {
	id := d
	if p.u(tagExercise, id*8) >= 0.25 {
		return exercise{}, false
	}
	at := p.localMidnight(d) + int64((17.5+(p.u(tagExercise, id*8+1)*2-1))*3600)
	minutes := 30 + int64(p.u(tagExercise, id*8+2)*4)*10
	return exercise{at: at, minutes: minutes, intensity: 20 + p.u(tagExercise, id*8+3)*25, id: id}, true
}

// gammaCum is the cumulative absorption of a gamma(2, tau) curve: how much
// of a dose has acted dt seconds after it was taken.
func gammaCum(dt, tau float64) float64 {
	if dt <= 0 {
		return 0
	}
	x := dt / tau
	return 1 - (1+x)*math.Exp(-x)
}

// bump rises and falls back to zero, peaking at 1 when dt = peak.
func bump(dt, peak float64) float64 {
	if dt <= 0 {
		return 0
	}
	x := dt / peak
	v := x * math.Exp(1-x)
	return v * v
}

func smooth(a, b, f float64) float64 {
	f = f * f * (3 - 2*f)
	return a + (b-a)*f
}

// valueNoise is smooth noise in [-amp, amp] with a knot every period seconds.
func (p *profile) valueNoise(tag uint64, t float64, period, amp float64) float64 {
	k := math.Floor(t / period)
	a := p.u(tag, int64(k))*2 - 1
	b := p.u(tag, int64(k)+1)*2 - 1
	return amp * smooth(a, b, t/period-k)
}

const (
	carbSensitivity = 4.5 // mg/dL per gram
	mealReach       = 12 * 3600
)

// natural is the sensor's noiseless glucose at unix time t, before any
// forced scenario.
func (p *profile) natural(t float64) float64 {
	v := p.base
	v += p.valueNoise(tagDrift, t, 4*3600, 30)
	v += p.valueNoise(tagDrift2, t, 75*60, 7)

	local := math.Mod(t+float64(p.zoneOffset), daySeconds) / 3600
	if local < 0 {
		local += 24
	}
	dawn := (local - 6) / 1.3
	v += 22 * math.Exp(-dawn*dawn/2)

	var buf [4]meal
	d := p.localDay(int64(t))
	for dd := d - 1; dd <= d; dd++ {
		for _, m := range p.meals(dd, &buf) {
			dt := t - float64(m.carbsAt)
			if dt <= 0 && t <= float64(m.insulinAt) || dt > mealReach {
				continue
			}
			size := m.carbs * carbSensitivity
			v += size * (gammaCum(dt, 35*60) - gammaCum(t-float64(m.insulinAt), 65*60))
			v += size * 0.35 * m.hump * bump(dt, 150*60)
		}
		if ex, ok := p.exercise(dd); ok {
			if dt := t - float64(ex.at); dt > 0 && dt < 8*3600 {
				v -= ex.intensity * bump(dt, 60*60)
			}
		}
	}
	// Counter-regulation: the body resists going very low.
	if v < 60 {
		v = 60 - (60-v)*0.5
	}
	return v
}

// signal is the noiseless glucose at t with forced scenarios applied.
// HIGH and LOW runs ramp in and out over rampSeconds outside their window,
// so every reading inside the window is beyond the sensor's range.
func (g gen) signal(t float64) float64 {
	v := g.p.natural(t)
	const rampSeconds = 25 * 60
	for _, w := range g.w {
		var target float64
		switch w.kind {
		case ScenarioHigh:
			target = 460
		case ScenarioLow:
			target = 28
		default:
			continue
		}
		var env float64
		switch {
		case t >= float64(w.start) && t < float64(w.end):
			env = 1
		case t < float64(w.start) && t > float64(w.start-rampSeconds):
			env = 1 - (float64(w.start)-t)/rampSeconds
		case t >= float64(w.end) && t < float64(w.end+rampSeconds):
			env = 1 - (t-float64(w.end))/rampSeconds
		}
		if env > 0 {
			v += (target - v) * smooth(0, 1, env)
		}
	}
	return v
}

// reading is one slot's EGV as the sensor reports it.
type reading struct {
	slot      int64
	t         int64
	value     int // mg/dL as measured; beyond 40–400 the status says so
	status    client.Status
	rate      float64
	hasRate   bool
	trend     client.Trend
	displayAt int64 // display time as unix seconds before zone formatting
}

// read returns slot i's reading; ok is false when the slot is a gap.
func (g gen) read(i int64) (r reading, ok bool) {
	if g.gap(i) || g.pending(i) {
		return r, false
	}
	t := g.p.slotTime(i)
	sig := g.signal(float64(t))
	v := sig + (g.p.u(tagNoise, i)*2-1)*2.5
	r = reading{slot: i, t: t, value: int(math.Round(v)), status: client.StatusOK, displayAt: t + g.skew(t)}
	switch {
	case r.value > 400:
		r.status = client.StatusHigh
	case r.value < 40:
		r.status = client.StatusLow
	}
	// The sensor needs a few readings before it can tell a trend.
	if g.gap(i-1) || g.gap(i-2) {
		r.trend = client.TrendNotComputable
		return r, true
	}
	rate := (sig - g.signal(float64(t-600))) / 10
	r.rate = math.Round(rate*10) / 10
	r.hasRate = true
	r.trend = client.FromRate(r.rate)
	return r, true
}

// skew is how far the display device's clock is off at t.
func (g gen) skew(t int64) int64 {
	for _, w := range g.w {
		if w.kind == ScenarioSkew && t >= w.start && t < w.end {
			return w.skew
		}
	}
	return 0
}
