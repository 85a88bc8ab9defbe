//go:build linux || darwin || freebsd || netbsd || openbsd

package doctor

import (
	"fmt"
	"syscall"
)

// FreeSpace is how many bytes an unprivileged user may still write on the
// disk holding dir, and an id of that disk (its device number), for
// Env.FreeSpace.
func FreeSpace(dir string) (free uint64, disk string, err error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, "", err
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		return 0, "", err
	}
	return uint64(fs.Bavail) * uint64(fs.Bsize), fmt.Sprint(st.Dev), nil //nolint:unconvert // the field types differ by OS
}
