// Package dexcom is cgmtop's client for the Dexcom API v3: OAuth settings,
// the six read endpoints, and the decoders that turn Dexcom's JSON into the
// client package's domain model.
package dexcom
