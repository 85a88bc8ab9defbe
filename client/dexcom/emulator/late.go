package emulator

// pending reports whether slot i's reading is still held back by a late
// window at the time g looks from. It is kept apart from gap on purpose:
// the sensor did measure the reading, so the trends of the readings after
// it were computed with it and do not change when it finally arrives.
func (g gen) pending(i int64) bool {
	t := g.p.slotTime(i)
	for _, w := range g.w {
		if w.kind == ScenarioLate && t >= w.start && t < w.end && g.at < t+w.delay {
			return true
		}
	}
	return false
}
