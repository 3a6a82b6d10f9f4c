package clipboard

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestOSC52Bytes(t *testing.T) {
	// "hi" is aGk= in base64; tmux gets it twice: plain (set-clipboard on) and wrapped (allow-passthrough on).
	const (
		plainSet  = "\x1b]52;c;aGk=\x07"
		plainClr  = "\x1b]52;c;\x07"
		tmuxSet   = "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
		tmuxClr   = "\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\"
		screenSet = "\x1bP\x1b]52;c;aGk=\x07\x1b\\"
		screenClr = "\x1bP\x1b]52;c;\x07\x1b\\"
	)
	for _, tc := range []struct {
		name         string
		env          map[string]string
		write, clear string
	}{
		{"plain", map[string]string{"TERM": "xterm-256color"}, plainSet, plainClr},
		{"tmux", map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen-256color"}, plainSet + tmuxSet, plainClr + tmuxClr},
		{"screen", map[string]string{"STY": "1.pts-0.host", "TERM": "screen"}, screenSet, screenClr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var term bytes.Buffer
			o := env(tc.env, "linux")
			o.Terminal = &term
			cb := New(OSC52, o)
			h, err := cb.Write("hi")
			if err != nil || h != Sum("hi") {
				t.Fatalf("Write = %v, %v", h, err)
			}
			if got := term.String(); got != tc.write {
				t.Errorf("write sent %q; want %q", got, tc.write)
			}
			term.Reset()
			other := Sum("something else") // OSC 52 cannot read back: any hash clears
			if cleared, err := cb.ClearIfUnchanged(other); !cleared || err != nil {
				t.Fatalf("ClearIfUnchanged = %v, %v; want a blind clear", cleared, err)
			}
			if got := term.String(); got != tc.clear {
				t.Errorf("clear sent %q; want %q", got, tc.clear)
			}
		})
	}
}

type brokenTerminal struct{}

func (brokenTerminal) Write([]byte) (int, error) { return 0, errors.New("input/output error") }

func TestOSC52Errors(t *testing.T) {
	secret := marker(t)
	for name, o := range map[string]Options{
		"no terminal":     env(nil, "linux"),
		"broken terminal": {Terminal: brokenTerminal{}, Getenv: func(string) string { return "" }},
	} {
		_, err := New(OSC52, o).Write(secret)
		if err == nil {
			t.Errorf("%s: Write succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error carries the marker", name)
		}
	}
}
