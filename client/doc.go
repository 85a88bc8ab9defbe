// Package client holds cgmtop's source-agnostic glucose data model and the
// Source interface that every CGM backend (Dexcom, its emulator, later others)
// implements.
package client
