package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
)

// lowBattery is the uploader charge, in percent, from which the devices
// line warns: a phone that dies stops the uploads, and with them the
// readings.
const lowBattery = 20

// deviceLines is what the uploaders and a pump or closed loop report
// (Nightscout's devicestatus): insulin and carbs on board, and each
// uploader's battery, with how old that report is; no line when no device
// reports any. The devices are fetched hourly, so the age is always said
// once it passes a few minutes: an hour-old IOB must not pass for today's.
func deviceLines(c *paneContext, devices []client.Device, w int) []string {
	ways := deviceWords(devices, c.now)
	if len(ways) == 0 {
		return nil
	}
	words := ways[len(ways)-1]
	for _, s := range ways {
		if lipgloss.Width(s.text) <= w {
			words = s
			break
		}
	}
	st := c.th.Styles
	style := st.Text
	if words.low {
		style = st.Warn
	}
	return []string{style.Render(words.text)}
}

// deviceLine is one way of saying the devices' state; low marks an
// uploader battery at or under lowBattery.
type deviceLine struct {
	text string
	low  bool
}

// deviceWords returns the ways to say the devices' reports, longest first:
// "IOB 1.25 U · COB 12 g · iPhone battery 64% · 23 min ago", then shorter
// ones that drop the battery's owner, the age's words, the battery.
// IOB and COB come from the newest device that reports each.
func deviceWords(ds []client.Device, now time.Time) []deviceLine {
	var iob, cob *client.Device
	var batteries []client.Device
	for i := range ds {
		d := &ds[i]
		if d.HasIOB && (iob == nil || d.LastUpload.After(iob.LastUpload)) {
			iob = d
		}
		if d.HasCOB && (cob == nil || d.LastUpload.After(cob.LastUpload)) {
			cob = d
		}
		if d.HasBattery {
			batteries = append(batteries, *d)
		}
	}
	if iob == nil && cob == nil && len(batteries) == 0 {
		return nil
	}
	var loop []string
	var oldest time.Time
	seen := func(t time.Time) {
		if !t.IsZero() && (oldest.IsZero() || t.Before(oldest)) {
			oldest = t
		}
	}
	if iob != nil {
		loop = append(loop, "IOB "+strconv.FormatFloat(iob.IOB, 'f', 2, 64)+" U")
		seen(iob.LastUpload)
	}
	if cob != nil {
		loop = append(loop, fmt.Sprintf("COB %.0f g", cob.COB))
		seen(cob.LastUpload)
	}
	var named, bare []string
	low := false
	for _, d := range batteries {
		name := strings.TrimSpace(d.DisplayDevice)
		if name == "" {
			name = d.DisplayApp
		}
		named = append(named, strings.TrimSpace(name+" battery "+strconv.Itoa(d.Battery)+"%"))
		bare = append(bare, "bat "+strconv.Itoa(d.Battery)+"%")
		low = low || d.Battery <= lowBattery
		seen(d.LastUpload)
	}
	var long, short string
	if !oldest.IsZero() && now.Sub(oldest) >= 2*time.Minute {
		long, short = age(now, oldest), shortAge(now, oldest)
	}
	join := func(parts ...[]string) string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return strings.Join(all, " · ")
	}
	opt := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	out := []deviceLine{
		{join(loop, named, opt(long)), low},
		{join(loop, bare, opt(long)), low},
		{join(loop, bare, opt(short)), low},
	}
	if len(loop) > 0 {
		// The battery goes last: IOB and COB decide a dose, a battery
		// warning has a line of its own in the uploader's app.
		out = append(out, deviceLine{join(loop, opt(short)), false})
	}
	return out
}
