package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func TestOrgPagingInALargeOrganization(t *testing.T) {
	app := orgWithKeys(t, 300)
	h := &harness{t: t, app: app}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.press("pgdown")
	_, k := h.org().selected()
	if k == nil || k.AccessKeyID == "AK-000000" {
		t.Fatalf("pgdown did not move: %+v", k)
	}
	h.wantView(k.AccessKeyID)
	h.press("G")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-000299" {
		t.Fatalf("G is not on the last key: %+v", k)
	}
	h.wantView("AK-000299", "user-00149 · 2/2 slots")
	h.press("pgup", "up")
	_, k = h.org().selected()
	h.wantView(k.AccessKeyID)
	h.press("g")
	h.wantView("AK-000000", "user-00000 · 2/2 slots") // the header of the first key scrolls back in too
	h.press("/")
	h.typeText("AK-000123")
	h.press("enter")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-000123" {
		t.Fatalf("filter did not select the match: %+v", k)
	}
}

// No secret may reach the screen: not while typing it, not on any screen, at any size.
// (The harness also checks every view after every message.)
func TestNoSecretOnAnyScreen(t *testing.T) {
	h, _ := unlocked(t)
	views := []string{}
	look := func() {
		for _, size := range [][2]int{{60, 15}, {80, 24}, {200, 60}} {
			h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			views = append(views, h.view())
		}
	}
	look()
	h.openOrg("Acme production")
	look()
	h.press("T")
	look()
	h.press("h")
	look()
	h.press("esc")
	h.selectRow("new-integration")
	h.press("a")
	h.typeText("AK-SECRET-TEST")
	h.press("tab")
	h.typeText(testSecret)
	look()
	h.press("tab") // the secret field loses focus
	look()
	h.press("enter")
	look()
	h.press("?")
	look()
	for _, v := range views {
		if strings.Contains(v, testSecret) || strings.Contains(flat(v), testSecret) || strings.Contains(v, "SEKRET") {
			t.Fatalf("secret on screen:\n%s", v)
		}
	}
	if len(views) != 24 {
		t.Fatalf("looked at %d views", len(views))
	}
}

// Names and messages from outside cannot move the cursor, recolor or reorder the screen.
func TestOutsideStringsAreSanitized(t *testing.T) {
	h, _ := openAcme(t)
	h.checker.results = nil
	h.app.c.results["AK-BILLING-OLD"] = resultWith("evil \x1b[2J\x1b]52;c;Zm9v\x07message \u202ereversed")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	v := h.view()
	for _, bad := range []string{"\x1b[2J", "\x1b]52", "\u202e", "\x07"} {
		if strings.Contains(v, bad) {
			t.Fatalf("view carries %q", bad)
		}
	}
	h.wantView("evil message reversed")
}

func TestSpinnerTurnsOnlyDuringItsRun(t *testing.T) {
	h, _ := openAcme(t)
	h.app.c.startChecks(testKeysMsg{keyIDs: []string{"AK-REPORTS"}}, ticket{})
	run := h.app.c.checks.id
	before := h.app.c.frame
	h.app.handle(spinFrameMsg{run: run})
	if h.app.c.frame != before+1 {
		t.Fatal("spinner did not turn")
	}
	if cmd := h.app.handle(spinFrameMsg{run: run - 1}); cmd != nil || h.app.c.frame != before+1 {
		t.Fatal("an old run's tick turned the spinner")
	}
}
