package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "Invalid credentials", 200, "Invalid credentials"},
		{"empty", "", 10, ""},
		{"unicode kept", "Organisation café ✓ 日本", 200, "Organisation café ✓ 日本"},
		{"csi color", "\x1b[31mred\x1b[0m text", 200, "red text"},
		{"csi clear screen", "a\x1b[2J\x1b[Hb", 200, "ab"},
		{"csi private", "a\x1b[?1049hb", 200, "ab"},
		{"csi unterminated", "a\x1b[12;34", 200, "a"},
		{"csi aborted by control", "a\x1b[12\nb", 200, "a b"},
		{"osc title bel", "x\x1b]0;pwned\x07y", 200, "xy"},
		{"osc title st", "x\x1b]0;pwned\x1b\\y", 200, "xy"},
		{"osc 52 clipboard", "x\x1b]52;c;ZXZpbA==\x07y", 200, "xy"},
		{"osc hyperlink", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", 200, "click"},
		{"osc unterminated", "x\x1b]0;pwned", 200, "x"},
		{"osc c1 st", "x\x1b]0;t\u009cy", 200, "xy"},
		{"dcs", "x\x1bPq#0;2;0;0;0\x1b\\y", 200, "xy"},
		{"apc", "x\x1b_Gf=100\x1b\\y", 200, "xy"},
		{"pm and sos", "a\x1b^pm\x1b\\b\x1bXsos\x07c", 200, "abc"},
		{"c1 csi", "a\u009b31mb", 200, "ab"},
		{"c1 osc", "a\u009d0;t\u0007b", 200, "ab"},
		{"c1 dcs", "a\u0090q\u009cb", 200, "ab"},
		{"short esc", "a\x1bcb\x1b7c", 200, "abc"},
		{"nF esc", "a\x1b(Bb", 200, "ab"},
		{"lone esc at end", "abc\x1b", 200, "abc"},
		{"esc then newline", "a\x1b\nb", 200, "a b"},
		{"c0 controls", "a\x00b\x07c\x08d\x7fe", 200, "abcde"},
		{"whitespace controls", "a\tb\nc\rd", 200, "a b c d"},
		{"line separators", "a\u2028b\u2029c", 200, "a b c"},
		{"c1 controls", "a\u0085b\u0080c", 200, "abc"},
		{"bidi override", "user\u202egnp.exe", 200, "usergnp.exe"},
		{"bidi isolates and marks", "\u2066a\u2067b\u2068c\u2069\u200ed\u200f\u061c", 200, "abcd"},
		{"bidi embeddings", "\u202aa\u202bb\u202cc\u202dd", 200, "abcd"},
		{"invalid utf8", "a\xffb\xc3(c", 200, "ab(c"},
		{"raw c1 byte", "a\x9b31mb", 200, "a31mb"},
		{"cap", "abcdef", 4, "abc…"},
		{"exactly cap", "abcd", 4, "abcd"},
		{"cap counts runes", "ééééé", 3, "éé…"},
		{"cap one", "ab", 1, "…"},
		{"cap zero", "ab", 0, ""},
		{"cap after removal", "\x1b[31mabcd\x1b[0m", 4, "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in, tt.max); got != tt.want {
				t.Errorf("Text(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	long := strings.Repeat("x", 500)
	got := Line(long)
	if n := utf8.RuneCountInString(got); n != 200 {
		t.Errorf("Line kept %d runes, want 200", n)
	}
	if !strings.HasSuffix(got, "…") {
		t.Errorf("Line(long) = %q, want it to end in …", got)
	}
	if got := Line("a\x1b[1mb"); got != "ab" {
		t.Errorf("Line = %q, want %q", got, "ab")
	}
}

func FuzzText(f *testing.F) {
	seeds := []string{
		"", "plain", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b]52;c;AAAA\x1b\\",
		"\x1bPq\x1b\\", "\u009b1m", "\u009d0;x\u009c", "\u202eabc", "\u2066\u2069\u200e\u061c",
		"\xff\xfe", "a\tb\nc\rd", "\x1b", "\x1b[", "\x1b]", "ééé…", "\x1b\x1b[[\x9b\x9d",
	}
	for _, s := range seeds {
		f.Add(s, 5)
		f.Add(s, 200)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max > 1000 {
			max = 1000
		}
		got := Text(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Text(%q, %d) = %q: invalid UTF-8", s, max, got)
		}
		if n := utf8.RuneCountInString(got); n > max && !(max < 1 && n == 0) {
			t.Fatalf("Text(%q, %d) = %q: %d runes", s, max, got, n)
		}
		for _, r := range got {
			if isControl(r) || isBidi(r) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("Text(%q, %d) = %q: contains %U", s, max, got, r)
			}
		}
		if Text(got, max) != got {
			t.Fatalf("Text is not idempotent on %q", got)
		}
	})
}
