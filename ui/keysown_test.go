package ui

import (
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// A screen's wording of a key stays on that screen: after the trust screen ("y trust it"),
// a confirmation's help says yes and no.
func TestTrustWordingDoesNotLeakIntoConfirmations(t *testing.T) {
	change := &team.RecipientChange{Added: []team.Changed{{Recipient: keystore.Recipient{Name: "carol", Key: "age1carol"}}}}
	h, _ := teamHarness(t, &fakeTeam{status: teamInSync, answers: []syncAnswer{{res: team.Result{Pending: change}}}})
	h.wantView("y trust it")
	h.press("n")
	h.openOrg("Acme production")
	h.selectRow("AK-BILLING-OLD")
	h.press("s") // make it INACTIVE? — a confirmation
	help := h.app.c.keys.helpLine(h.app.help, 200)
	if !strings.Contains(help, "y yes") || !strings.Contains(help, "n/esc no") {
		t.Fatalf("the confirmation's help reads %q, want y yes · n/esc no", help)
	}
	if strings.Contains(help, "trust") || strings.Contains(help, "not now") {
		t.Fatalf("the trust screen's wording leaked into a confirmation: %q", help)
	}
}
