package textcut

import "testing"

func TestCuts(t *testing.T) {
	cases := []struct {
		name, in string
		w        int
		end, mid string
	}{
		{"fits", "AK-1", 10, "AK-1", "AK-1"},
		{"exact", "AK-123", 6, "AK-123", "AK-123"},
		{"long", "AK-PROD-0123456789-2026A", 13, "AK-PROD-0123…", "AK-PRO…-2026A"},
		{"even width", "abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…", "abcde…wxyz"},
		{"too narrow for two ends", "abcdefghij", 4, "abc…", "abc…"},
		{"zero", "abc", 0, "", ""},
		{"wide characters", "日本語のサービス名前", 9, "日本語の…", "日本…名前"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := End(c.in, c.w); got != c.end {
				t.Errorf("End(%q, %d) = %q, want %q", c.in, c.w, got, c.end)
			}
			got := Middle(c.in, c.w)
			if got != c.mid {
				t.Errorf("Middle(%q, %d) = %q, want %q", c.in, c.w, got, c.mid)
			}
			if Width(got) > c.w {
				t.Errorf("Middle(%q, %d) is %d cells wide", c.in, c.w, Width(got))
			}
		})
	}
}

func TestPad(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{{"ab", 4, "ab  "}, {"日本", 5, "日本 "}, {"abcdef", 3, "abcdef"}} {
		if got := Pad(c.in, c.w); got != c.want {
			t.Errorf("Pad(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}
