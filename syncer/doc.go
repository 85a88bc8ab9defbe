// Package syncer holds the sync engine: the only part of cgmtop that talks
// to a CGM source, copying its data into the local cache on the sensor's
// cadence, one process per account at a time.
package syncer
