package emuserver

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListenServeClose(t *testing.T) {
	s := New()
	if s.URL() != "" {
		t.Fatalf("URL before Listen = %q, want empty", s.URL())
	}
	waiting := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			close(waiting)
			<-s.Closing() // a handler that waits on purpose
			return
		}
		_, _ = io.WriteString(w, "hello")
	})
	if err := s.Listen(h, "127.0.0.1:0", "test emulator"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL())
	}
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Fatalf("body %q", b)
	}

	// Another listener on the same address fails, naming emulator and address.
	addr := strings.TrimPrefix(s.URL(), "http://")
	if err := New().Listen(h, addr, "test emulator"); err == nil || !strings.Contains(err.Error(), "starting the test emulator on "+addr) {
		t.Fatalf("second Listen on %s: %v", addr, err)
	}

	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.URL() + "/wait")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-waiting
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting request outlived Close")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseWithoutListen(t *testing.T) {
	s := New()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Closing():
	default:
		t.Fatal("Closing still open after Close")
	}
}
