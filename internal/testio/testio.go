// Package testio holds I/O helpers for cgmtop's tests; only _test.go
// files import it.
package testio

import (
	"bytes"
	"sync"
)

// Buffer collects what goroutines or a child process write while the test
// reads it: a bytes.Buffer whose Write and String take one lock. The zero
// Buffer is empty and ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
