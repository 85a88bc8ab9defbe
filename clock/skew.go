package clock

import (
	"fmt"
	"time"
)

// WarnOffset is the clock offset from which cgmtop tells the user that the
// computer's clock is wrong: on screen, in `cgmtop status` and in the log.
// Below it a wrong clock changes no age by more than a rounding.
const WarnOffset = 2 * time.Minute

// Skew says how this computer's clock stands against the source's, given
// the source's clock minus this one: "1 h 5 min behind", "3 min ahead". It
// is "" while the offset is under WarnOffset.
func Skew(offset time.Duration) string {
	if offset.Abs() < WarnOffset {
		return ""
	}
	dir := "behind"
	if offset < 0 {
		dir = "ahead"
	}
	m := int(offset.Abs().Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min %s", m, dir)
	case m%60 == 0:
		return fmt.Sprintf("%d h %s", m/60, dir)
	}
	return fmt.Sprintf("%d h %d min %s", m/60, m%60, dir)
}
