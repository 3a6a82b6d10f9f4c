package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/m3keys/m3keys/internal/livecheck"
)

// Golden files of every screen at 80×24 and 60×15, ASCII colors and a fixed clock.
// Regenerate with: go test ./ui -run TestGolden -update
func TestGolden(t *testing.T) {
	locked := func(t *testing.T) *harness {
		vault, store := newTestStore(t)
		sample(t, store)
		return newHarness(t, Deps{Vault: vault})
	}
	create := func(t *testing.T) *harness {
		return newHarness(t, Deps{Vault: namedVault{NewVault(t.TempDir() + "/s"), "/home/ana/.config/m3keys"}})
	}
	orgsShown := func(t *testing.T) *harness { h, _ := unlocked(t); return h }
	open := after(orgsShown, func(h *harness) { h.openOrg("Acme production") })
	cases := []goldenCase{
		{"unlock", locked},
		{"unlock_wrong", after(locked, func(h *harness) {
			h.typeText("nope")
			h.press("enter")
		})},
		{"create", create},
		{"create_short", after(create, func(h *harness) {
			h.typeText("short")
			h.press("enter")
		})},
		{"orgs", orgsShown},
		{"orgs_demo_filter", after(orgsShown, func(h *harness) {
			h.app.c.deps.Demo = true
			h.press("/")
			h.typeText("stag")
		})},
		{"org", open},
		{"org_refusal", after(open, func(h *harness) { h.press("a") })},
		{"org_testing", after(open, func(h *harness) {
			h.app.c.startChecks(testKeysMsg{keyIDs: h.app.c.keysToTest(livecheck.Selection{OrgID: orgA})}, ticket{})
		})},
		{"org_tested", after(open, func(h *harness) { h.press("T") })},
		{"addkey", after(open, func(h *harness) {
			h.selectRow("new-integration")
			h.press("a")
			h.typeText("AK-NEW-1")
			h.press("tab")
			h.typeText(testSecret)
		})},
		{"addkey_error", after(open, func(h *harness) {
			h.selectRow("new-integration")
			h.press("a")
			h.typeText("AK-REPORTS")
			h.press("tab")
			h.typeText(testSecret)
			h.press("enter", "enter")
		})},
		{"orgform_new", after(orgsShown, func(h *harness) {
			h.press("n")
			h.typeText("not-a-uuid")
			h.press("enter", "enter", "enter")
		})},
		{"orgform_edit", after(orgsShown, func(h *harness) { h.press("e") })},
		{"userform", after(open, func(h *harness) {
			h.press("n")
			h.typeText("exports")
		})},
		{"history", after(open, func(h *harness) { h.press("h") })},
		{"confirm_last_active", after(open, func(h *harness) {
			h.selectRow("AK-REPORTS")
			h.press("s", "y")
		})},
		{"org_copied", after(open, func(h *harness) { // the SECRET column and the countdown
			h.selectRow("AK-BILLING-NEW")
			h.press("c", "y")
		})},
		{"org_copy_refused", after(open, func(h *harness) {
			h.selectRow("AK-REPORTS")
			h.press("c")
		})},
		{"help", after(open, func(h *harness) { h.press("?") })},
	}
	runGoldens(t, cases)
}

// goldenCase is a screen to compare with its golden files: setup brings the program there.
type goldenCase struct {
	name  string
	setup func(t *testing.T) *harness
}

// runGoldens compares each case's screen, at 80×24 and 60×15, with its golden file.
func runGoldens(t *testing.T, cases []goldenCase) {
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

// after is start, then do: a golden case reached by keys from another.
func after(start func(t *testing.T) *harness, do func(h *harness)) func(t *testing.T) *harness {
	return func(t *testing.T) *harness {
		h := start(t)
		do(h)
		return h
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
