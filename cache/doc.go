// Package cache is cgmtop's local store of CGM data: a SQLite database per
// account, shared safely by the monitor, the status line and the sync engine.
package cache
