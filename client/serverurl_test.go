package client

import (
	"strings"
	"testing"
)

func TestServerURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://api.dexcom.com", "https://api.dexcom.com", true},
		{"https://proxy.example/dexcom/", "https://proxy.example/dexcom", true},
		{"HTTPS://proxy.example", "https://proxy.example", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"http://127.8.9.10:8080/", "http://127.8.9.10:8080", true},
		{"http://[::1]:8080", "http://[::1]:8080", true},
		{"http://localhost:9/", "http://localhost:9", true},
		{"http://LocalHost:9", "http://LocalHost:9", true},
		{" http://localhost:9 ", "http://localhost:9", true},
		{"http://api.dexcom.com", "", false},
		{"http://192.168.1.20:8080", "", false},
		{"http://10.0.0.1", "", false},
		{"http://localhost.evil.example", "", false},
		{"http://127.0.0.1.nip.io", "", false},
		{"http://0.0.0.0:8080", "", false},
		{"ftp://x", "", false},
		{"file:///etc/passwd", "", false},
		{"localhost:8080", "", false},
		{"api.dexcom.com", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, err := ServerURL(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ServerURL(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ServerURL(%q): error is not one line: %q", tc.in, err)
		}
	}
	if _, err := ServerURL("http://192.168.1.20:8080"); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("http to the network: error %v does not say why", err)
	}
}
