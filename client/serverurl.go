package client

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ServerURL checks the address of a custom server (a Dexcom-compatible
// proxy, the emulator) and returns it without a trailing slash. Tokens and
// health data travel to it, so it must use https, or plain http only on
// this machine's loopback (localhost, 127.0.0.0/8, [::1]), which nothing
// on the network can read.
func ServerURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not a server address: give one like https://api.dexcom.com", raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("%q uses plain http, which anyone on the network can read: use https (plain http is only for localhost, 127.0.0.0/8 and [::1])", raw)
		}
	default:
		return "", fmt.Errorf("%q: use an https:// address (or http:// on localhost)", raw)
	}
	return strings.TrimRight(strings.ToLower(u.Scheme)+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// IsLoopback reports whether host names this machine for certain: the
// name localhost or a loopback IP. Other names that resolve to loopback
// today may not tomorrow, so they do not count.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
