// Package auth connects cgmtop to a Dexcom account and keeps it connected:
// the OAuth login handoff (browser or SSH), credential storage in the OS
// keyring or a private file, and access-token refresh that is safe across
// processes.
package auth
