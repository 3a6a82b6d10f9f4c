package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
)

// Golden files of every screen at 80×24 and 60×15, ASCII colors and a fixed clock.
// Regenerate with: go test ./ui -run TestGolden -update
func TestGolden(t *testing.T) {
	locked := func(t *testing.T) *harness {
		vault, store := newTestStore(t)
		sample(t, store)
		return newHarness(t, Deps{Vault: vault})
	}
	open := func(t *testing.T) *harness {
		h, _ := unlocked(t)
		h.openOrg("Acme production")
		return h
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) *harness
	}{
		{"unlock", locked},
		{"unlock_wrong", func(t *testing.T) *harness {
			h := locked(t)
			h.typeText("nope")
			h.press("enter")
			return h
		}},
		{"create", func(t *testing.T) *harness {
			return newHarness(t, Deps{Vault: namedVault{NewVault(t.TempDir() + "/s"), "/home/ana/.config/m3keys"}})
		}},
		{"create_short", func(t *testing.T) *harness {
			h := newHarness(t, Deps{Vault: namedVault{NewVault(t.TempDir() + "/s"), "/home/ana/.config/m3keys"}})
			h.typeText("short")
			h.press("enter")
			return h
		}},
		{"orgs", func(t *testing.T) *harness { h, _ := unlocked(t); return h }},
		{"orgs_demo_filter", func(t *testing.T) *harness {
			h, _ := unlocked(t)
			h.app.c.deps.Demo = true
			h.press("/")
			h.typeText("stag")
			return h
		}},
		{"org", open},
		{"org_refusal", func(t *testing.T) *harness {
			h := open(t)
			h.press("a")
			return h
		}},
		{"org_testing", func(t *testing.T) *harness {
			h := open(t)
			h.app.c.startChecks(testKeysMsg{keyIDs: h.app.c.activeKeyIDs(orgA)}, ticket{})
			return h
		}},
		{"org_tested", func(t *testing.T) *harness {
			h := open(t)
			h.press("T")
			return h
		}},
		{"addkey", func(t *testing.T) *harness {
			h := open(t)
			h.selectRow("new-integration")
			h.press("a")
			h.typeText("AK-NEW-1")
			h.press("tab")
			h.typeText(testSecret)
			return h
		}},
		{"addkey_error", func(t *testing.T) *harness {
			h := open(t)
			h.selectRow("new-integration")
			h.press("a")
			h.typeText("AK-REPORTS")
			h.press("tab")
			h.typeText(testSecret)
			h.press("enter", "enter")
			return h
		}},
		{"orgform_new", func(t *testing.T) *harness {
			h, _ := unlocked(t)
			h.press("n")
			h.typeText("not-a-uuid")
			h.press("enter", "enter", "enter")
			return h
		}},
		{"orgform_edit", func(t *testing.T) *harness {
			h, _ := unlocked(t)
			h.press("e")
			return h
		}},
		{"userform", func(t *testing.T) *harness {
			h := open(t)
			h.press("n")
			h.typeText("exports")
			return h
		}},
		{"history", func(t *testing.T) *harness {
			h := open(t)
			h.press("h")
			return h
		}},
		{"confirm_last_active", func(t *testing.T) *harness {
			h := open(t)
			h.selectRow("AK-REPORTS")
			h.press("s", "y")
			return h
		}},
		{"org_copied", func(t *testing.T) *harness { // the SECRET column and the countdown
			h := open(t)
			h.selectRow("AK-BILLING-NEW")
			h.press("c", "y")
			return h
		}},
		{"org_copy_refused", func(t *testing.T) *harness {
			h := open(t)
			h.selectRow("AK-REPORTS")
			h.press("c")
			return h
		}},
		{"help", func(t *testing.T) *harness {
			h := open(t)
			h.press("?")
			return h
		}},
	}
	for _, c := range cases {
		for _, size := range [][2]int{{80, 24}, {60, 15}} {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				h := c.setup(t)
				h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				v := h.view()
				checkFits(t, v, size[0], size[1])
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

// checkFits fails unless v is exactly h lines, none wider than w.
func checkFits(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d wide, more than %d: %q", i, lw, w, l)
		}
	}
}

// Every screen keeps its shape at any size, down to absurdly small ones.
func TestLayoutFitsAnySize(t *testing.T) {
	h, _ := unlocked(t)
	h.openOrg("Acme production")
	screens := []func(){
		func() {},
		func() { h.press("h") },
		func() { h.press("esc", "a") },
		func() { h.press("esc", "?") },
		func() { h.press("x", "esc") },
	}
	for _, enter := range screens {
		enter()
		for _, size := range [][2]int{{60, 15}, {61, 16}, {100, 30}, {200, 60}, {30, 8}, {1, 1}} {
			h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			checkFits(t, h.view(), size[0], size[1])
		}
	}
}
