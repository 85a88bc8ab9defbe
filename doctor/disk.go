package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Free space below which cgmtop's writes fail or soon will. SQLite needs room
// for its journal beside the cache, a renewed login is saved before it is
// used, and a sync writes the status snapshot and the log.
const (
	diskFull = 5 << 20   // a sync, a login renewal or a settings save can fail now
	diskLow  = 100 << 20 // a few days of syncing and logging away from full
)

// place is one folder cgmtop writes to, as the user knows it.
type place struct {
	what, dir string
}

// checkDisk looks at the free space of every disk cgmtop writes to: the
// cache (data folder), the logins, locks and log (state folder) and the
// settings. A full disk otherwise shows only as failing syncs, and doctor
// said "All good". Folders that share a disk are said once.
func checkDisk(env Env) []Finding {
	if env.FreeSpace == nil {
		return nil
	}
	places := []place{
		{"the cache", env.Paths.DataDir},
		{"the logins", env.Paths.StateDir},
		{"the settings", filepath.Dir(env.Paths.ConfigFile)},
	}
	type disk struct {
		free  uint64
		whats []string
		dir   string // the first place's folder, as the user knows it
		df    string // the folder of it that exists: where to look
	}
	var disks []*disk
	byID := map[string]*disk{}
	for _, p := range places {
		dir := existing(p.dir)
		free, id, err := env.FreeSpace(dir)
		if err != nil {
			return []Finding{{Topic: "disk", Level: Warn, Say: fmt.Sprintf("cannot tell the free space of %s: %s", p.dir, oneLine(err.Error())),
				Fix: "check that the disk of " + p.dir + " is mounted and readable"}}
		}
		d := byID[id]
		if d == nil {
			d = &disk{free: free, dir: p.dir, df: dir}
			byID[id] = d
			disks = append(disks, d)
		}
		d.whats = append(d.whats, p.what)
	}
	var out []Finding
	for _, d := range disks {
		what := d.whats[0]
		if n := len(d.whats); n > 1 {
			what = strings.Join(d.whats[:n-1], ", ") + " and " + d.whats[n-1]
		}
		switch {
		case d.free < diskFull:
			out = append(out, Finding{Topic: "disk", Level: Fail,
				Say: fmt.Sprintf("the disk of %s is full (%s free): cgmtop cannot save %s", d.dir, size(int64(d.free)), what),
				Fix: fmt.Sprintf("free some space on it (`df -h %s` shows which disk); what is saved stays, and cgmtop goes on once there is room", d.df)})
		case d.free < diskLow:
			out = append(out, Finding{Topic: "disk", Level: Warn,
				Say: fmt.Sprintf("the disk of %s is almost full (%s free), where cgmtop keeps %s", d.dir, size(int64(d.free)), what),
				Fix: fmt.Sprintf("free some space on it (`df -h %s` shows which disk)", d.df)})
		default:
			out = append(out, Finding{Topic: "disk", Level: OK,
				Say: fmt.Sprintf("%s free for %s (%s)", size(int64(d.free)), what, d.dir)})
		}
	}
	return out
}

// existing is dir or its nearest folder that exists: cgmtop makes its
// folders when it first writes, and they are made on the disk of that one.
func existing(dir string) string {
	for {
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
