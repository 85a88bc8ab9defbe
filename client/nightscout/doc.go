// Package nightscout is cgmtop's client for a Nightscout site's API v1:
// readings from entries, events from treatments, devices from
// devicestatus, and the site's settings, read with an access token.
package nightscout
