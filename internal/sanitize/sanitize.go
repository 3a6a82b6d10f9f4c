// Package sanitize makes text from outside (server messages, names, IDs)
// safe to print on a terminal: no escape sequences, no control characters,
// no bidi tricks, no invalid UTF-8, and a bounded length.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// lineMax is the cap Line applies: enough for any message worth reading
// in a status bar or a table cell.
const lineMax = 200

const ellipsis = "…"

// Line is Text(s, 200).
func Line(s string) string {
	return Text(s, lineMax)
}

// Text returns s without escape sequences (CSI, OSC, DCS, SOS, PM, APC,
// and short ESC sequences, whether introduced by ESC or by their C1
// character), without C0 and C1 control characters (tab, newline and
// carriage return become a space), without bidi overrides, isolates and
// marks, and without invalid UTF-8. When the result is longer than max
// runes it is cut to max runes, the last being "…". A max below 1 gives "".
func Text(s string, max int) string {
	if max < 1 {
		return ""
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*max))
	n := 0   // runes written
	cut := 0 // byte length of b when n reached max-1, where "…" would go
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}
		if skip := escapeLen(s[i:], r, size); skip > 0 {
			i += skip
			continue
		}
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			r = ' '
		case isControl(r) || isBidi(r):
			continue
		}
		if n == max {
			// One rune too many: cut back to max-1 runes and end with "…".
			out := b.String()[:cut]
			return out + ellipsis
		}
		b.WriteRune(r)
		n++
		if n == max-1 {
			cut = b.Len()
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

func isBidi(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200e', r == '\u200f', r == '\u061c':
		return true
	}
	return false
}
