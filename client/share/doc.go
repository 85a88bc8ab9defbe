// Package share is a client of Dexcom Share, the unofficial real-time
// service behind Dexcom Follow: readings within seconds of the sensor, for
// the last 24 hours, and nothing else.
//
// Share logs in with the wearer's user name and password, so a careless
// retry can lock the real account and break their Follow alerts. The
// client therefore never repeats a refused login: it marks the account as
// needing a login (a Gate shared by every cgmtop process) and sends nothing
// more until the user logs in again.
package share
