package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/statusline"
)

// devicesPane says where the data comes from and how fresh the cache is:
// the device, the last upload, the sync and the account's data. It
// redraws when the devices, the newest reading, the sync status, the
// width or the minute changes; a zoom, the units or the period leave it
// alone.
type devicesPane struct {
	in      devicesIn
	devices []client.Device
	memo    memo[devicesIn]
}

// devicesIn is everything the pane is drawn from besides the devices (a
// slice: devGen counts its loads) and the context; it is also the pane's
// cache key.
type devicesIn struct {
	w         int
	st        stamp
	devGen    int
	latest    client.Reading
	sync      cache.SyncStatus
	srcErr    string // why the last sync or load failed, or ""
	keeps     string // how much history the account's source keeps, or ""
	dataRange client.DataRange
}

func (p *devicesPane) SetSize(w, _ int) { p.in.w = w }

// Update sets what the pane shows and draws again if any of it moved.
// gen must change whenever devices does.
func (p *devicesPane) Update(c *paneContext, devices []client.Device, gen int, latest client.Reading, sync cache.SyncStatus, srcErr string, dr client.DataRange) {
	p.devices = devices
	p.in.st, p.in.devGen, p.in.latest, p.in.sync, p.in.srcErr, p.in.dataRange = c.stamp(), gen, latest, sync, srcErr, dr
	if p.memo.stale(p.in) {
		p.memo.put(p.in, drawDevices(c, p.in, p.devices))
	}
}

// Lines are the pane as last drawn.
func (p *devicesPane) Lines() []string { return p.memo.lines }

// View is the pane as last drawn.
func (p *devicesPane) View() string { return p.memo.view }

// devicesPane says where the data comes from and how fresh the cache is.
func drawDevices(c *paneContext, in devicesIn, devices []client.Device) []string {
	w := in.w
	st := c.th.Styles
	title := st.Title.Render("Source")
	var dev string
	if len(devices) == 0 {
		dev = st.Muted.Render("no device reported yet")
	} else {
		d := devices[0]
		for _, x := range devices[1:] {
			if x.LastUpload.After(d.LastUpload) {
				d = x
			}
		}
		parts := []string{strings.ToUpper(d.Generation)}
		if d.DisplayApp != "" || d.DisplayDevice != "" {
			parts = append(parts, strings.TrimSpace(d.DisplayDevice+" "+d.DisplayApp))
		}
		// The device list is fetched hourly, readings every few minutes:
		// a reading taken at T was uploaded at T or later, so the newest
		// reading is the better sign of the last upload when it is newer
		// ("uploaded 41 min ago" beside a 7-minute-old reading misled).
		upload := d.LastUpload
		if r := in.latest.Time; r.After(upload) && len(devices) == 1 {
			upload = r
		}
		if !upload.IsZero() {
			parts = append(parts, "uploaded "+age(c.now, upload))
		}
		dev = st.Text.Render(strings.Join(parts, " · "))
		if len(devices) > 1 {
			dev += st.Muted.Render(fmt.Sprintf(" (+%d more)", len(devices)-1))
		}
	}

	var synced, failed string
	switch s := in.sync; {
	case s.LastSuccess.IsZero() && s.LastAttempt.IsZero():
		synced = st.Muted.Render("sync: not yet run")
	case s.LastSuccess.IsZero():
		synced = st.Error.Render("sync: never succeeded")
	default:
		synced = st.Text.Render("synced " + age(c.now, s.LastSuccess))
	}
	if in.srcErr != "" && !in.sync.LastSuccess.IsZero() {
		failed = st.Error.Render(" · last try failed")
	}
	// What happens next matters more than that the last try failed (the
	// banner says why): that goes first when the line is short of room.
	ways := []string{synced + failed}
	if next, short := nextSync(c, in.sync.NextPoll, in.srcErr); next != "" {
		next, short = st.Muted.Render(" · "+next), st.Muted.Render(" · "+short)
		ways = []string{synced + failed + next, synced + failed + short, synced + short, synced}
	}
	sync := firstFit(w, ways...)

	data := []string{"account data: none yet"}
	if rg := in.dataRange.Readings; !rg.Empty() {
		data = []string{fmt.Sprintf("account data %s → %s (%s)",
			rg.Start.In(c.loc).Format("2 Jan"), rg.End.In(c.loc).Format("2 Jan"), span(rg.End.Sub(rg.Start)))}
	}
	if in.keeps != "" {
		data = append(data, in.keeps)
	}
	for i := range data {
		data[i] = st.Muted.Render(data[i])
	}
	out := pack([]string{title, dev}, "  ", w)
	out = append(out, deviceLines(c, devices, w)...)
	out = append(out, sync)
	if o := origin(in.latest); o != "" {
		out = append(out, st.Text.Render(firstFit(w, "current reading "+o, o)))
	}
	return append(out, pack(data, st.Muted.Render(" · "), w)...)
}

// keeps says how much history an account's sources keep, for the Source
// pane: what the official API holds, else Share's day, and nothing for
// Nightscout, where it is the site's own setting.
func keeps(sources []string) string {
	switch {
	case len(sources) == 0 || slices.Contains(sources, "dexcom"):
		return "Dexcom keeps 90 days"
	case slices.Contains(sources, "share"):
		return "Share keeps 24 hours"
	}
	return ""
}

// nextSync says what really happens next, and the same in fewer words, or
// "" when nothing is planned. A refused or missing login is waited out,
// not polled: only `cgmtop login` brings the next sync. A rate limit is
// waited out until the time the server gave (Retry-After), said as a time
// of day. Otherwise it is the next poll; the pane redraws once a minute,
// so a poll under a minute away is not counted down (it read "next in 0
// min").
func nextSync(c *paneContext, next time.Time, srcErr string) (string, string) {
	switch statusline.Reason(srcErr) {
	case statusline.ReasonAuth, statusline.ReasonNotLoggedIn, statusline.ReasonLoginRefused:
		return "waiting for `cgmtop login`", "waiting for login"
	case statusline.ReasonRateLimited:
		if next.After(c.now) {
			at := c.clockTime(next)
			return "next try at " + at, "retry " + at
		}
	}
	var s string
	switch d := next.Sub(c.now); {
	case next.IsZero():
		return "", ""
	case d <= 0:
		s = "next now"
	case d < time.Minute:
		s = "next within a minute"
	default:
		s = "next in " + span(d.Round(time.Minute))
	}
	return s, s
}

// sourceNames are the source kinds as the user knows them.
var sourceNames = map[string]string{"dexcom": "official API", "share": "Dexcom Share", "nightscout": "Nightscout"}

// origin says where a reading came from and how late it reached cgmtop:
// "via Dexcom Share, 4 s after the sensor". It is "" for readings of a
// single-source account, which carry no source.
func origin(r client.Reading) string {
	if r.Source == "" {
		return ""
	}
	name := sourceNames[r.Source]
	if name == "" {
		name = r.Source
	}
	s := "via " + name
	if !r.Arrived.IsZero() {
		s += ", " + lateness(r.Arrived.Sub(r.Time)) + " after the sensor"
	}
	return s
}

// originSuffix is origin as a tail for the header, or "".
func originSuffix(r client.Reading) string {
	if o := origin(r); o != "" {
		return " · " + o
	}
	return ""
}

// lateness is a delay in the unit that reads best: "4 s", "3 min", "1h05".
func lateness(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%dh%02d", int(d/time.Hour), int(d/time.Minute)%60)
}
