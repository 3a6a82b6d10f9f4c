package cli

import (
	"strings"
	"testing"
)

// A bad clipboard setting in the environment (a cron job's, say) never breaks a command that
// does not use the clipboard; the TUI, which copies, refuses it with the variable's name.
func TestBadClipboardEnvironmentBreaksOnlyClipboardCommands(t *testing.T) {
	for _, v := range []struct{ name, value string }{
		{"M3KEYS_CLIPBOARD", "xclip-please"},
		{"M3KEYS_CLIP_TIMEOUT", "soon"},
		{"M3KEYS_CLIP_TIMEOUT", "-5s"},
	} {
		t.Run(v.name+"="+v.value, func(t *testing.T) {
			h, _ := checkFixture(t)
			h.vars[v.name] = v.value
			h.mustRun("", "list")
			h.mustRun("", "list", "--json")
			if o := h.run("", "check"); o.code != ExitRefused { // the fixture holds a forbidden key
				t.Errorf("check: exit %d %q", o.code, o.stderr)
			}
			h.mustRun("", "version")
			opened := false
			o := h.runTUI(&opened)
			if o.code != ExitUsage || opened || !strings.Contains(o.stderr, v.name) {
				t.Errorf("TUI: exit %d opened=%v %q; want 2 naming %s", o.code, opened, o.stderr, v.name)
			}
		})
	}
}

func TestBadClipboardFlagIsRefusedByTheTUI(t *testing.T) {
	h := newHarness(t)
	opened := false
	if o := h.runTUI(&opened, "--clipboard", "nope"); o.code != ExitUsage || opened || !strings.Contains(o.stderr, "--clipboard") {
		t.Errorf("exit %d opened=%v %q", o.code, opened, o.stderr)
	}
	if o := h.runTUI(&opened, "--clip-timeout", "-1s"); o.code != ExitUsage || opened || !strings.Contains(o.stderr, "--clip-timeout") {
		t.Errorf("exit %d opened=%v %q", o.code, opened, o.stderr)
	}
	var got TUIOptions
	if o := h.runTUIWith(func(o TUIOptions) error { got = o; return nil }, "--clipboard", "osc52", "--clip-timeout", "5s"); o.code != 0 ||
		got.Clipboard != "osc52" || got.ClipTimeout.String() != "5s" {
		t.Errorf("exit %d %q, options %+v", o.code, o.stderr, got)
	}
	h.vars["M3KEYS_CLIP_TIMEOUT"] = "0"
	if o := h.runTUIWith(func(o TUIOptions) error { got = o; return nil }); o.code != 0 || got.Clipboard != "auto" || got.ClipTimeout != 0 {
		t.Errorf("exit %d %q, options %+v", o.code, o.stderr, got)
	}
}

func (h *harness) runTUI(opened *bool, args ...string) outcome {
	h.t.Helper()
	return h.runTUIWith(func(TUIOptions) error { *opened = true; return nil }, args...)
}

func (h *harness) runTUIWith(open func(TUIOptions) error, args ...string) outcome {
	h.t.Helper()
	h.openTUI = open
	defer func() { h.openTUI = nil }()
	return h.run("", args...)
}
