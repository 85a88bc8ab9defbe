// Package testnet holds network helpers for cgmtop's tests; only _test.go
// files import it.
package testnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
)

// FreePort returns a TCP port that can be listened on at the loopback
// addresses a login's redirect uses (127.0.0.1 and, where the machine has
// it, [::1]), for a redirect URI or an emulator address chosen before the
// process that listens on it starts.
//
// The port is below the range the kernel hands out for outgoing
// connections (32768–60999 on Linux): between this probe and the real
// listen, another test's connection could take such a port. Below that
// range, only listeners do.
func FreePort(t testing.TB) int {
	t.Helper()
	for try := 0; try < 100; try++ {
		port := 20000 + rand.IntN(12000)
		if portFree(port) {
			return port
		}
	}
	t.Fatal("no free port found between 20000 and 32000")
	return 0
}

// portFree reports whether port can be listened on at every loopback
// address login uses.
func portFree(port int) bool {
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, port))
		if err != nil {
			if host == "[::1]" && !strings.Contains(err.Error(), "address already in use") {
				continue // no IPv6 loopback on this machine
			}
			return false
		}
		ln.Close()
	}
	return true
}
