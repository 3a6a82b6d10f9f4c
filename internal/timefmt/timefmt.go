// Package timefmt is how m3keys shows a time to a person, the same in the TUI and the CLI:
// local time, to the minute, with the zone (`2026-11-26 14:05 CET`); a day alone where a
// column has room for nothing more. Machine output (JSON, OpenMetrics, stored history)
// keeps RFC 3339 UTC.
package timefmt

import "time"

// Minute is t in local time with its zone: 2026-11-26 14:05 CET.
func Minute(t time.Time) string { return t.Local().Format("2006-01-02 15:04 MST") }

// Day is t's local date: 2026-11-26.
func Day(t time.Time) string { return t.Local().Format("2006-01-02") }

// Short is Minute for a narrow column: month, day and time, local, without the zone.
func Short(t time.Time) string { return t.Local().Format("01-02 15:04") }
