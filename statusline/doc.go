// Package statusline draws `cgmtop status`: one short line for tmux, status
// bars and shell prompts, read from a tiny snapshot of the cache, and keeps
// the cache fresh by starting at most one background sync across every
// process that asks.
package statusline
