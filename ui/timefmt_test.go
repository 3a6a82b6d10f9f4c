package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// inZone pins the local zone to one where testNow (12:00 UTC) is already the next day.
// internal/cli's TestTimesAreLocalWithZone pins the same zone and expects the same text.
func inZone(t *testing.T) {
	prev := time.Local
	time.Local = time.FixedZone("XST", 13*3600)
	t.Cleanup(func() { time.Local = prev })
}

func TestTimesAreLocalWithZone(t *testing.T) {
	inZone(t)
	h, _ := openAcme(t)
	if row := rowOf(h.view(), "AK-REPORTS"); !strings.Contains(row, "copied 2026-11-27") {
		t.Fatalf("the SECRET column is not in local time: %q", row)
	}
	h.press("down", "down", "c") // AK-REPORTS, handed out already
	h.wantView("handed out on 2026-11-27 01:00 XST")
	h.press("h")
	h.send(tea.WindowSizeMsg{Width: 120, Height: 24})
	h.wantView("2026-11-27 01:00 XST secret.copy")
}
