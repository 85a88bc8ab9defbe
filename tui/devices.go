package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
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
	failing   bool // the last sync or load failed
	dataRange client.DataRange
}

func (p *devicesPane) SetSize(w, _ int) { p.in.w = w }

// Update sets what the pane shows and draws again if any of it moved.
// gen must change whenever devices does.
func (p *devicesPane) Update(c *paneContext, devices []client.Device, gen int, latest client.Reading, sync cache.SyncStatus, failing bool, dr client.DataRange) {
	p.devices = devices
	p.in.st, p.in.devGen, p.in.latest, p.in.sync, p.in.failing, p.in.dataRange = c.stamp(), gen, latest, sync, failing, dr
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

	var sync string
	switch s := in.sync; {
	case s.LastSuccess.IsZero() && s.LastAttempt.IsZero():
		sync = st.Muted.Render("sync: not yet run")
	case s.LastSuccess.IsZero():
		sync = st.Error.Render("sync: never succeeded")
	default:
		sync = st.Text.Render("synced " + age(c.now, s.LastSuccess))
	}
	if in.failing && !in.sync.LastSuccess.IsZero() {
		sync += st.Error.Render(" · last try failed")
	}
	if n := in.sync.NextPoll; !n.IsZero() {
		if n.After(c.now) {
			sync += st.Muted.Render(" · next in " + span(n.Sub(c.now).Round(time.Minute)))
		} else {
			sync += st.Muted.Render(" · next now")
		}
	}

	data := []string{"account data: none yet"}
	if rg := in.dataRange.Readings; !rg.Empty() {
		data = []string{fmt.Sprintf("account data %s → %s (%s)",
			rg.Start.In(c.loc).Format("2 Jan"), rg.End.In(c.loc).Format("2 Jan"), span(rg.End.Sub(rg.Start)))}
	}
	data = append(data, "Dexcom keeps 90 days")
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
