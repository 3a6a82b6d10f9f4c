package sanitize

import (
	"strings"
	"unicode/utf8"
)

const (
	esc = 0x1b
	bel = 0x07

	c1DCS = '\u0090'
	c1SOS = '\u0098'
	c1CSI = '\u009b'
	c1ST  = '\u009c'
	c1OSC = '\u009d'
	c1PM  = '\u009e'
	c1APC = '\u009f'
)

// escapeLen returns how many bytes at the start of s form an escape
// sequence, or 0 when s does not start one. r and size are the first rune
// of s. A sequence that is never terminated runs to the end of s: a
// terminal would swallow that text too, and showing half of it is worse.
func escapeLen(s string, r rune, size int) int {
	switch r {
	case esc:
		return escLen(s)
	case c1CSI:
		return size + csiBodyLen(s[size:])
	case c1OSC, c1DCS, c1SOS, c1PM, c1APC:
		return size + stringBodyLen(s[size:])
	}
	return 0
}

// escLen measures a sequence that starts with ESC.
func escLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch c := s[1]; {
	case c == '[':
		return 2 + csiBodyLen(s[2:])
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return 2 + stringBodyLen(s[2:])
	case c >= 0x20 && c <= 0x2f:
		// nF: intermediates, then one final byte.
		i := 1
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e:
		return 2
	}
	// ESC followed by a control or a non-ASCII byte: drop the ESC alone and
	// let the next rune be judged on its own.
	return 1
}

// csiBodyLen measures CSI parameter and intermediate bytes and the final
// byte. It stops before anything else, as a terminal aborts the sequence.
func csiBodyLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f:
		case c >= 0x40 && c <= 0x7e:
			return i + 1
		default:
			return i
		}
	}
	return len(s)
}

// stringBodyLen measures the body of an OSC, DCS, SOS, PM or APC string up
// to and including its terminator: BEL, ESC \ or the C1 ST. Some terminals
// accept BEL for all of them, so BEL ends each kind.
func stringBodyLen(s string) int {
	for i := 0; i < len(s); {
		switch s[i] {
		case bel:
			return i + 1
		case esc:
			if strings.HasPrefix(s[i:], "\x1b\\") {
				return i + 2
			}
			// A new sequence ends this one; measure it as part of the
			// removal so no half of it survives.
			return i + escLen(s[i:])
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == c1ST {
			return i + size
		}
		i += size
	}
	return len(s)
}
