package timefmt

import (
	"testing"
	"time"
)

func TestLocalTimeWithZone(t *testing.T) {
	prev := time.Local
	time.Local = time.FixedZone("XST", 5*3600+1800)
	t.Cleanup(func() { time.Local = prev })
	at := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // the next day in XST
	for got, want := range map[string]string{
		Minute(at): "2026-11-27 05:00 XST",
		Day(at):    "2026-11-27",
		Short(at):  "11-27 05:00",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
