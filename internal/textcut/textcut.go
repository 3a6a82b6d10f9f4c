// Package textcut fits plain, already sanitized text into a number of terminal cells:
// cut at the end for names, in the middle for IDs (which differ at their ends as often
// as at their starts), and padded to align columns. Widths are display cells, so wide
// characters count twice.
package textcut

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Width is how many cells s takes on a terminal.
func Width(s string) int { return ansi.StringWidth(s) }

// End cuts s to at most w cells, ending in "…" when cut.
func End(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Middle cuts s to at most w cells keeping both ends: "AK-PROD…2026A". Below 5 cells
// there is no room for both ends, and it cuts at the end.
func Middle(s string, w int) string {
	width := Width(s)
	if width <= w || w < 5 {
		return End(s, w)
	}
	tail := (w - 1) / 2
	return ansi.Truncate(s, w-1-tail, "") + "…" + ansi.TruncateLeft(s, width-tail, "")
}

// Pad fills s with spaces to w cells; wider text is left as it is.
func Pad(s string, w int) string {
	if n := w - Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
