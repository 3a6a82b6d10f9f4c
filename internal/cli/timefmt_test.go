package cli

import (
	"strings"
	"testing"
	"time"
)

// ui's TestTimesAreLocalWithZone pins the same zone and expects the same text for the same instant.
func TestTimesAreLocalWithZone(t *testing.T) {
	prev := time.Local
	time.Local = time.FixedZone("XST", 13*3600) // now (12:00 UTC) is already the next day
	t.Cleanup(func() { time.Local = prev })
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.mustRun("", "copy", "AK-1")
	if o := h.mustRun("", "list"); !strings.Contains(o.stdout, "copied 2026-11-27") {
		t.Errorf("list is not in local time:\n%s", o.stdout)
	}
	if o := h.run("", "copy", "AK-1"); !strings.Contains(o.stderr, "handed out, on 2026-11-27 01:00 XST") {
		t.Errorf("the refusal is not in local time with the zone: %q", o.stderr)
	}
}
