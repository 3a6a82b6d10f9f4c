package ui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// withHealthyOrg adds an organization whose only key was valid an hour ago, and a key
// made INACTIVE that m3ter still accepted afterwards.
func withHealthyOrg(t *testing.T) (*harness, *keystore.Store) {
	t.Helper()
	h, store := unlocked(t)
	const orgC = "11111111-2222-4333-8444-555555555555"
	err := store.Update(func(tx *keystore.Tx) error {
		steps := []error{
			tx.AddOrg(keystore.NewOrg{ID: orgC, Name: "Healthy", APIURL: "https://api.m3ter.com"}),
			tx.AddUser(orgC, "fine"),
			tx.AddKey(orgC, "fine", keystore.NewKey{AccessKeyID: "AK-FINE", Secret: secret(t, testSecret+"5"), CreatedAt: testNow.AddDate(0, 0, -10)}),
			tx.RecordCheck("AK-FINE", keystore.Check{At: testNow.Add(-time.Hour), Result: "valid", Verified: true, HTTPStatus: 200, LatencyMs: 90}),
			tx.AddUser(orgA, "retired"),
			tx.AddKey(orgA, "retired", keystore.NewKey{AccessKeyID: "AK-STILL-ACCEPTED", Secret: secret(t, testSecret+"6"), CreatedAt: testNow.AddDate(0, 0, -20)}),
			tx.AddKey(orgA, "retired", keystore.NewKey{AccessKeyID: "AK-GONE", Secret: secret(t, testSecret+"7"), CreatedAt: testNow.AddDate(0, 0, -20)}),
			tx.SetStatus("AK-STILL-ACCEPTED", keystore.Inactive, true),
			tx.SetStatus("AK-GONE", keystore.Inactive, true),
			tx.RecordCheck("AK-STILL-ACCEPTED", keystore.Check{At: testNow, Result: "valid", Verified: true, HTTPStatus: 200}),
			tx.RecordCheck("AK-GONE", keystore.Check{At: testNow, Result: "rejected", Verified: true, HTTPStatus: 401}),
		}
		for _, err := range steps {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	return h, store
}

// Issue 8 item 6: f shows only what needs attention, on both lists, and says it does.
func TestFailingOnly(t *testing.T) {
	h, _ := withHealthyOrg(t)
	h.wantView("Healthy")
	h.press("f")
	h.wantView("[failing only · f shows all]", "Acme production", "Acme staging")
	h.wantNotView("Healthy")
	if d := h.app.c.keys.Failing.Help().Desc; d != "show all" {
		t.Errorf("help says f does %q while failing only is on", d)
	}
	h.press("enter")
	h.press("f")
	h.wantView("[failing only", "AK-BILLING-OLD", "AK-REPORTS", "AK-STILL-ACCEPTED")
	h.wantNotView("AK-BILLING-NEW", "AK-GONE", "new-integration")
	h.press("f")
	h.wantView("AK-BILLING-NEW", "AK-GONE", "new-integration")
	h.wantNotView("[failing only")
}

// Issue 8 item 6: / matches result words too.
func TestFilterMatchesResultWords(t *testing.T) {
	h, _ := withHealthyOrg(t)
	h.press("/")
	h.typeText("rejected")
	h.wantView("Acme production")
	h.wantNotView("Acme staging", "Healthy")
	h.press("enter", "enter", "/")
	h.typeText("rejected")
	h.wantView("AK-REPORTS", "AK-GONE")
	h.wantNotView("AK-BILLING-OLD", "AK-STILL-ACCEPTED")
	h.press("esc", "esc", "esc", "esc")
	h.press("/")
	h.typeText("sta")
	h.wantView("Acme staging")
	h.wantNotView("Acme production") // "stale" is f's business: /sta still finds staging alone
}

// Issue 8 item 8: a message belongs to the screen it was made on.
func TestStatusBelongsToItsScreen(t *testing.T) {
	t.Run("leaving a screen clears its message", func(t *testing.T) {
		h, _ := openAcme(t)
		h.press("a") // billing-sync has two keys: refused
		h.wantView("already has two access keys")
		h.press("esc")
		h.wantNotView("already has two access keys")
	})
	t.Run("the add-key form does not inherit the refusal", func(t *testing.T) {
		h, _ := openAcme(t)
		h.press("a")
		h.wantView("already has two access keys")
		h.selectRow("new-integration")
		h.press("a")
		if !on[*formScreen[*addKeyForm]](h) {
			t.Fatal("no form")
		}
		h.wantNotView("already has two access keys")
	})
	t.Run("a run on one organization says nothing on another", func(t *testing.T) {
		h, _ := openAcme(t)
		run := &stepRun{h: h}
		run.press("T")
		run.press("esc")
		h.openOrg("Acme staging")
		run.finish()
		h.wantNotView("tested 3 keys", "Acme production:")
		h.press("esc")
		h.wantView("✓") // the organizations screen shows where the results went
	})
	t.Run("a run's summary shows on its organization", func(t *testing.T) {
		h, _ := openAcme(t)
		run := &stepRun{h: h}
		run.press("T")
		run.finish()
		h.wantView("Acme production: tested 3 keys: 3 valid")
	})
}

// Help on the organizations screen lists t only where it works.
func TestOrgsHelpListsTestKeysThatWork(t *testing.T) {
	h, store := unlocked(t)
	if k := h.app.c.keys; !k.Test.Enabled() || !k.TestAll.Enabled() || !k.Failing.Enabled() {
		t.Fatal("t, T or f missing from help")
	}
	if err := store.Update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: "11111111-2222-4333-8444-555555555555", Name: "Empty", APIURL: "https://api.m3ter.com"})
	}); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
	h.press("end")
	h.press("?")
	h.wantView("test every organization")
	h.wantNotView("test organization ")
	h.press("esc", "t")
	if h.app.c.checks.total != 0 {
		t.Fatal("t started a run for an organization without ACTIVE keys")
	}
}

// Issue 16 item 1: f agrees with the rest on an INACTIVE key. A check made while the key was
// still ACTIVE elsewhere (a team merge keeps it by its time, after this inactivation) reads
// "✓ valid" on its row, not "still accepted": f leaves it out.
func TestFailingOnlyAgreesOnAnInactiveKeyCheckedWhileActive(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	doc := store.Document().Clone()
	ref, _ := doc.Key("AK-BILLING-NEW")
	ref.Key.Status, ref.Key.InactivatedAt = keystore.Inactive, testNow.Add(-2*time.Hour)
	ref.Key.LastCheck = &keystore.Check{At: testNow.Add(-time.Hour), Result: "valid", Verified: true, HTTPStatus: 200}
	h := newHarness(t, Deps{Vault: fixedVault{vault, docStore{store, doc}}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.app.Update(tea100x30)
	h.openOrg("Acme production")
	h.wantView("AK-BILLING-NEW")
	h.wantNotView("still accepted")
	h.press("f")
	h.wantView("[failing only", "AK-BILLING-OLD")
	h.wantNotView("AK-BILLING-NEW")
}
