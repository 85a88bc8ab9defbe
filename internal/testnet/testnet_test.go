package testnet

import (
	"fmt"
	"net"
	"testing"
)

func TestFreePort(t *testing.T) {
	port := FreePort(t)
	if port < 20000 || port >= 32000 {
		t.Fatalf("port %d outside 20000–32000", port)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("the free port %d cannot be listened on: %v", port, err)
	}
	defer ln.Close()
	if portFree(port) {
		t.Fatalf("port %d reported free while listened on", port)
	}
}
