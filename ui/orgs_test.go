package ui

import (
	"slices"
	"testing"

	"github.com/m3keys/m3keys/keystore"
)

func TestOrgsMoveAndOpen(t *testing.T) {
	h, _ := unlocked(t)
	h.press("j")
	if got := h.orgs().selected().name; got != "Acme staging" {
		t.Fatalf("j selects %q", got)
	}
	h.press("k", "down", "up", "up") // stops at the top
	if h.orgs().table.cursor != 0 {
		t.Fatalf("cursor %d", h.orgs().table.cursor)
	}
	h.press("end")
	h.press("enter")
	if !on[*orgScreen](h) || h.org().orgID != orgB {
		t.Fatalf("enter did not open Acme staging:\n%s", h.view())
	}
	h.press("esc")
	if !on[*orgsScreen](h) {
		t.Fatal("esc does not go back to the organizations")
	}
}

func TestOrgsFilter(t *testing.T) {
	h, _ := unlocked(t)
	h.press("/")
	h.press("s", "t", "a", "q") // q types: a text field
	if h.quit {
		t.Fatal("q quit while typing a filter")
	}
	h.wantView("No organization matches")
	h.press("backspace")
	h.wantView("Acme staging")
	h.wantNotView("Acme production")
	h.press("enter") // keep the filter, back to the list
	h.press("enter")
	if !on[*orgScreen](h) || h.org().orgID != orgB {
		t.Fatal("enter on the filtered list did not open the match")
	}
	h.press("esc", "esc") // back, then clear the filter
	h.wantView("Acme production", "Acme staging")
	h.press("/")
	h.typeText("prod")
	h.press("esc")
	h.wantView("Acme staging")
}

func TestOrgsNewOrganization(t *testing.T) {
	h, store := unlocked(t)
	h.app.c.deps.DefaultAPIURL = "https://api.dev.m3ter.com"
	h.press("n")
	if !on[*formScreen[*orgForm]](h) {
		t.Fatal("n does not open the organization form")
	}
	h.wantView("https://api.dev.m3ter.com")
	h.typeText("not-a-uuid")
	h.press("enter", "enter", "enter")
	h.wantView("organization ID: must be a UUID")
	if !on[*formScreen[*orgForm]](h) || h.orgForm().form.focus != fieldOrgID {
		t.Fatal("an invalid UUID left the form or the focus elsewhere")
	}
	h.orgForm().form.clear(fieldOrgID)
	h.typeText("11111111-2222-4333-8444-555555555555")
	h.press("tab")
	h.typeText("Acme dev")
	h.press("enter", "enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("form did not close:\n%s", h.view())
	}
	h.wantView("Acme dev", "added organization")
	o, ok := store.Document().Org("11111111-2222-4333-8444-555555555555")
	if !ok || o.APIURL != "https://api.dev.m3ter.com" {
		t.Fatalf("stored %+v", o)
	}
}

func TestOrgsNewOrganizationDuplicateAndCancel(t *testing.T) {
	h, store := unlocked(t)
	h.press("n")
	h.typeText(orgA)
	h.press("enter", "enter", "enter")
	h.wantView("organization already exists")
	h.press("esc")
	if !on[*orgsScreen](h) || len(store.Document().Organizations) != 2 {
		t.Fatal("esc did not cancel the form")
	}
}

func TestOrgsEdit(t *testing.T) {
	h, store := unlocked(t)
	h.press("e")
	h.wantView("Edit organization", orgA)
	if h.orgForm().form.focus != fieldOrgName {
		t.Fatal("edit does not start on the name (the ID cannot change)")
	}
	h.orgForm().form.clear(fieldOrgName)
	h.typeText("Acme live")
	h.press("tab")
	h.orgForm().form.clear(fieldAPIURL)
	h.typeText("http://example.com")
	h.press("enter")
	h.wantView("API URL: must use https")
	h.orgForm().form.clear(fieldAPIURL)
	h.typeText("https://api.m3ter.com")
	h.press("enter")
	o, _ := store.Document().Org(orgA)
	if o.Name != "Acme live" || !on[*orgsScreen](h) {
		t.Fatalf("not saved: %+v", o)
	}
}

func TestOrgsDelete(t *testing.T) {
	h, store := unlocked(t)
	h.press("d")
	h.wantView("still holds access keys", "remove its access keys first")
	if h.app.stack.over != nil {
		t.Fatal("asked to confirm deleting an organization with keys")
	}
	if err := store.Update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: "11111111-2222-4333-8444-555555555555", Name: "Empty", APIURL: "https://api.m3ter.com"})
	}); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document()) // changed behind the TUI's back, as another m3keys would
	h.app.rebuild()
	h.press("end", "d")
	h.wantView("Delete organization Empty?")
	h.press("n")
	h.wantView("nothing changed", "Empty")
	h.press("d", "y")
	h.wantView("deleted organization Empty")
	if len(store.Document().Organizations) != 2 {
		t.Fatal("not deleted")
	}
}

// On the organizations screen t tests the selected organization, T every organization, as one run.
func TestOrgsTestKeys(t *testing.T) {
	cases := []struct {
		key, progress, summary string
		want                   []string
	}{
		{"t", "testing 0/3", "Acme production: tested 3 keys: 3 valid", []string{"AK-BILLING-NEW", "AK-BILLING-OLD", "AK-REPORTS"}},
		{"T", "testing 0/4", "2 organizations: tested 4 keys: 4 valid", []string{"AK-BILLING-NEW", "AK-BILLING-OLD", "AK-OPS", "AK-REPORTS"}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			h, store := unlocked(t)
			_, cmd := h.app.Update(keyMsg(c.key))
			h.wantView(c.progress) // one run, with progress across all its keys
			h.run(cmd)
			got := h.checker.called()
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Fatalf("tested %v, want %v", got, c.want)
			}
			h.wantView(c.summary)
			ref, _ := store.Document().Key("AK-BILLING-NEW")
			if ref.Key.LastCheck == nil || ref.Key.LastCheck.Result != "valid" || ref.User.ID != "su-AK-BILLING-NEW" {
				t.Fatalf("check not recorded: %+v %+v", ref.Key.LastCheck, ref.User)
			}
		})
	}
}

func TestOrgsKeysOnEmptyStore(t *testing.T) {
	vault := NewVault(t.TempDir() + "/s")
	h := newHarness(t, Deps{Vault: vault})
	h.typeText("p4ssphrase")
	h.press("tab")
	h.typeText("p4ssphrase")
	h.press("enter")
	for _, k := range []string{"enter", "e", "d", "T", "j", "esc"} {
		h.press(k)
		if !on[*orgsScreen](h) || h.app.stack.over != nil {
			t.Fatalf("%s did something on an empty list", k)
		}
	}
	km := h.app.c.keys
	if km.Open.Enabled() || km.Delete.Enabled() || km.Edit.Enabled() || km.Down.Enabled() {
		t.Error("help would list keys that do nothing on an empty list")
	}
	h.press("q")
	if !h.quit {
		t.Error("q does not quit")
	}
}

// The organizations screen counts what `f` and check's exit 1 call for action: a key handed
// out twice is to be rotated, and an INACTIVE key m3ter still accepts is failing.
func TestOrgsHealthCountsKeysHandedOutTwiceAndStillAccepted(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	doc := store.Document().Clone()
	ops, _ := doc.Key("AK-OPS")
	ops.Key.LastCheck = &keystore.Check{At: testNow, Result: "valid", Verified: true, HTTPStatus: 200}
	ops.Key.HandedOutTwice = true
	h := newHarness(t, Deps{Vault: fixedVault{vault, docStore{store, doc}}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.app.Update(tea100x30)
	h.wantView("! 1 handed out twice")

	ops.Key.HandedOutTwice = false
	ops.Key.Status = keystore.Inactive
	ops.Key.LastCheck.WhileInactive = true
	h = newHarness(t, Deps{Vault: fixedVault{vault, docStore{store, doc}}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.app.Update(tea100x30)
	h.wantView("✗ 1 failing")
}
