package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// nightscoutDevices is what the Nightscout source stores: the CGM that
// wrote the newest entry, a closed loop's phone and a second uploader.
func nightscoutDevices(now time.Time) []client.Device {
	return []client.Device{
		{DisplayDevice: "xDrip-DexcomG6", Generation: "g6", LastUpload: now.Add(-2 * time.Minute)},
		{DisplayDevice: "iPhone", DisplayApp: "loop", Generation: "nightscout", LastUpload: now.Add(-23 * time.Minute),
			Battery: 64, HasBattery: true, IOB: 1.25, HasIOB: true, COB: 12.4, HasCOB: true},
		{DisplayDevice: "phone", DisplayApp: "xDrip", Generation: "nightscout", LastUpload: now.Add(-3 * time.Minute),
			Battery: 15, HasBattery: true},
	}
}

func TestDeviceWords(t *testing.T) {
	now := testNow
	ns := nightscoutDevices(now)
	for _, tc := range []struct {
		name string
		ds   []client.Device
		want []string
		low  bool
	}{
		{"nothing reported", []client.Device{{Generation: "g7", DisplayApp: "G7", LastUpload: now}}, nil, false},
		{"loop and uploaders", ns, []string{
			"IOB 1.25 U · COB 12 g · iPhone battery 64% · phone battery 15% · 23 min ago",
			"IOB 1.25 U · COB 12 g · bat 64% · bat 15% · 23 min ago",
			"IOB 1.25 U · COB 12 g · bat 64% · bat 15% · 23m",
			"IOB 1.25 U · COB 12 g · 23m",
		}, true},
		{"a fresh loop, no battery", []client.Device{{DisplayApp: "AAPS", LastUpload: now.Add(-time.Minute), HasIOB: true, HasCOB: true}}, []string{
			"IOB 0.00 U · COB 0 g", "IOB 0.00 U · COB 0 g", "IOB 0.00 U · COB 0 g", "IOB 0.00 U · COB 0 g",
		}, false},
		{"an uploader's battery alone, named by its app", []client.Device{{DisplayApp: "xDrip", LastUpload: now.Add(-70 * time.Minute), Battery: 80, HasBattery: true}}, []string{
			"xDrip battery 80% · 1 h 10 min ago", "bat 80% · 1 h 10 min ago", "bat 80% · 1h10m",
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := deviceWords(tc.ds, now)
			var texts []string
			for _, g := range got {
				texts = append(texts, g.text)
			}
			if strings.Join(texts, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(got) > 0 && got[0].low != tc.low {
				t.Errorf("low battery %v, want %v", got[0].low, tc.low)
			}
		})
	}
}

// TestDevicesLineInTheMonitor: the full layout shows what the devices
// report in its devices pane, the longest way that fits, at every width
// the pane has; the other layouts leave it out, as they do the pane.
func TestDevicesLineInTheMonitor(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {60, 16}, {40, 10}} {
		s := normalStore()
		s.devices = nightscoutDevices(testNow)
		m := load(t, s, config.Default(), size[0], size[1])
		view := m.View()
		checkSize(t, view, size[0], size[1])
		full := chooseLayout(size[0], size[1]) == layoutFull
		if got := strings.Contains(view, "IOB 1.25 U · COB 12 g"); got != full {
			t.Errorf("%dx%d: IOB and COB shown %v, want %v:\n%s", size[0], size[1], got, full, view)
		}
		if !full {
			continue
		}
		pane := size[0]
		if pane >= sideBySide {
			pane -= (pane-3)/2 + 3
		}
		var want string
		for _, way := range deviceWords(s.devices, testNow) {
			if lipgloss.Width(way.text) <= pane {
				want = way.text
				break
			}
		}
		if want == "" || !strings.Contains(view, want) {
			t.Errorf("%dx%d: want the line %q in\n%s", size[0], size[1], want, view)
		}
	}
}
