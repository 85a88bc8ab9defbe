// Package emuserver holds what cgmtop's built-in emulators (Dexcom,
// Nightscout) share as HTTP servers: listening on an address, their base
// URL, and a shutdown that also ends the waits they keep open.
package emuserver

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an emulator's listener. A Server that never listens still
// has a working Closing and Close, for an emulator served by someone else
// (httptest.NewServer).
type Server struct {
	closing   chan struct{}
	closeOnce sync.Once
	ln        net.Listener
	srv       *http.Server
}

// New returns a Server that is not listening.
func New() *Server { return &Server{closing: make(chan struct{})} }

// Listen serves h on addr in the background. what names the emulator in
// the error ("Dexcom emulator").
func (s *Server) Listen(h http.Handler, addr, what string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("starting the %s on %s: %w (pick another address or port)", what, addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// URL is the base URL, "http://127.0.0.1:PORT"; empty when not listening.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Closing is closed by Close: a handler that waits on purpose (a slow
// answer, a penalty delay) selects on it so that Close is never held up.
func (s *Server) Closing() <-chan struct{} { return s.closing }

// Close stops the listener, drops open connections and closes Closing.
// Calling it again does nothing.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.srv != nil {
			err = s.srv.Close()
		}
	})
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
