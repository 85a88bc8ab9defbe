package emulator

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"math"
	"time"
)

// slot is the CGM's cadence.
const slot = 5 * time.Minute

// sensor is the simulated wearer: every reading, meal and device status is
// a pure function of time and seed, so any range can be served without
// storing history, and the same seed gives the same site.
type sensor struct {
	seed  uint64
	phase time.Duration // offset of the 5-minute grid, as a real sensor's start sets it
}

func newSensor(seed int64) *sensor {
	s := &sensor{seed: uint64(seed)}
	s.phase = time.Duration(s.hash(1, 0)%300) * time.Second
	return s
}

// hash mixes (tag, i) with the seed (splitmix64).
func (s *sensor) hash(tag uint64, i int64) uint64 {
	x := s.seed ^ tag*0x9e3779b97f4a7c15 ^ uint64(i)*0xbf58476d1ce4e5b9
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (s *sensor) unit(tag uint64, i int64) float64 { return float64(s.hash(tag, i)>>11) / (1 << 53) }

// slotAt is the index of the newest slot at or before t.
func (s *sensor) slotAt(t time.Time) int64 {
	return int64(math.Floor(float64(t.Add(-s.phase).UnixNano()) / float64(slot)))
}

// slotTime is when slot i's reading was taken, with the milliseconds a
// real uploader's clock gives it.
func (s *sensor) slotTime(i int64) time.Time {
	ms := time.Duration(s.hash(2, i)%1000) * time.Millisecond
	return time.Unix(0, 0).Add(time.Duration(i)*slot + s.phase + ms).UTC()
}

// glucose is the simulated level in mg/dL at t: slow and fast waves, meal
// bumps and a little noise, kept within what a sensor reports.
func (s *sensor) glucose(t time.Time) float64 {
	h := float64(t.Unix()) / 3600
	ph := float64(s.seed%97) / 97 * 2 * math.Pi
	v := 135 + 40*math.Sin(2*math.Pi*h/5.3+ph) + 18*math.Sin(2*math.Pi*h/1.6+2*ph)
	for _, m := range s.meals(t.Add(-4 * time.Hour).Truncate(24 * time.Hour)) {
		if dt := t.Sub(m.at).Hours(); dt > 0 && dt < 4 {
			v += float64(m.carbs) * 1.2 * dt * math.Exp(1-dt/0.9) / 0.9 / math.E * 1.3
		}
	}
	return math.Min(math.Max(v, 42), 380)
}

// reading is slot i's sgv and direction.
func (s *sensor) reading(i int64) (t time.Time, sgv int, direction string) {
	t = s.slotTime(i)
	v := s.glucose(t) + (s.unit(3, i)-0.5)*4
	prev := s.glucose(t.Add(-slot))
	rate := (s.glucose(t) - prev) / slot.Minutes()
	return t, int(math.Round(v)), directionFor(rate)
}

func directionFor(rate float64) string {
	switch {
	case rate > 3:
		return "DoubleUp"
	case rate > 2:
		return "SingleUp"
	case rate > 1:
		return "FortyFiveUp"
	case rate >= -1:
		return "Flat"
	case rate >= -2:
		return "FortyFiveDown"
	case rate >= -3:
		return "SingleDown"
	}
	return "DoubleDown"
}

type meal struct {
	at    time.Time
	carbs int
}

// meals are breakfast, lunch and dinner of the UTC day starting at day,
// each at a slightly different time and size every day.
func (s *sensor) meals(day time.Time) []meal {
	d := day.Unix() / 86400
	out := make([]meal, 0, 3)
	for k, base := range []time.Duration{7*time.Hour + 30*time.Minute, 12*time.Hour + 15*time.Minute, 18*time.Hour + 45*time.Minute} {
		jitter := time.Duration(s.hash(10+uint64(k), d)%40) * time.Minute
		out = append(out, meal{at: day.Add(base + jitter), carbs: 25 + int(s.hash(20+uint64(k), d)%55)})
	}
	return out
}

// id is a 24-hex Mongo-style id for (tag, i).
func (s *sensor) id(tag uint64, i int64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.hash(tag, i))
	binary.BigEndian.PutUint64(b[8:], s.hash(tag+1000, i))
	sum := sha1.Sum(b[:])
	return hex.EncodeToString(sum[:12])
}
