// Package cache is cgmtop's local store of CGM data: a SQLite database per
// account, shared safely by the monitor, the status line and the sync engine.
//
// The process that syncs opens the cache with Open, which creates it (folder
// 0700, files 0600), checks its integrity, moves a damaged or foreign file
// aside (see DB.Recovered) and migrates the schema. Processes that only read,
// above all `cgmtop status`, which tmux runs every few seconds, use
// OpenReader: read-only, no checks, about a third of a millisecond to open,
// read Freshness and close.
//
// The database runs in WAL mode, so readers never wait for the writer and
// see each commit whole or not at all. Every write method is one
// transaction, committed with synchronous=NORMAL: a killed process loses
// nothing it committed (see dsn for why that suffices). Times are stored to
// the second and come back in UTC.
package cache
