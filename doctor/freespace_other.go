//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package doctor

// FreeSpace is nil where cgmtop cannot ask a disk for its free space: the
// check is left out.
var FreeSpace func(dir string) (free uint64, disk string, err error)
