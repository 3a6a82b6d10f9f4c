package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

func openAcme(t *testing.T) (*harness, *keystore.Store) {
	h, store := unlocked(t)
	h.openOrg("Acme production")
	return h, store
}

func TestOrgOpensOnFirstKeyAndSkipsHeaders(t *testing.T) {
	h, _ := openAcme(t)
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-BILLING-OLD" {
		t.Fatalf("opened on %+v", k)
	}
	h.press("down", "down")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-REPORTS" {
		t.Fatalf("down twice is on %+v, want AK-REPORTS (skipping the reports header)", k)
	}
	h.press("down")
	if u, k := h.org().selected(); k != nil || u.Name != "new-integration" {
		t.Fatalf("the user without keys is not a row of its own: %+v %+v", u, k)
	}
	h.press("down", "up", "up", "up", "up", "up")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-BILLING-OLD" {
		t.Fatalf("up stops at the first key: %+v", k)
	}
	h.wantView("billing-sync · 2/2 slots", "reports · 1/2 slots", "new-integration · 0/2 slots",
		"120d stale", "copy once", "copied 2026-11-26", "✓ valid 184ms 2h ago", "✗ rejected 401")
}

func TestOrgRowsShowEveryCheckClass(t *testing.T) {
	h, _ := unlocked(t)
	h.openOrg("Acme staging")
	h.wantView("! forbidden 403 5m ago", "service user lacks permission")
	h.press("t")
	h.checker.results = map[string]authclient.Result{}
	h.wantView("✓ valid 184ms just now", "token expires in 5h")
	h.checker.results["AK-OPS"] = authclient.Result{Class: authclient.Undetermined, Message: "m3ter did not answer in 10s"}
	h.press("t")
	h.wantView("? undetermined just now", "m3ter did not answer in 10s")
}

func TestOrgAddKeyRefusedOnTheSpotWithTwoKeys(t *testing.T) {
	h, _ := openAcme(t)
	h.press("a")
	if !on[*orgScreen](h) {
		t.Fatal("the add-key form opened for a user with two keys")
	}
	h.wantView("already has two access keys", "press r to rotate")
}

func TestOrgAddKey(t *testing.T) {
	h, store := openAcme(t)
	h.selectRow("AK-REPORTS")
	h.press("a")
	if !on[*formScreen[*addKeyForm]](h) {
		t.Fatalf("a did not open the form:\n%s", h.view())
	}
	h.wantView("New access key for reports (slot 2/2)", "Generate Access Key")
	h.press("enter", "enter", "enter")
	h.wantView("access key ID: must be 1 to 128 characters")
	h.typeText("AK-REPORTS-2")
	h.press("tab")
	h.typeText("  " + testSecret + "\n") // a paste with its newline
	h.press("tab")
	h.typeText(orgB)
	h.press("enter")
	h.wantView("the popup names organization 9d8c7b6a")
	if !on[*formScreen[*addKeyForm]](h) || h.addKey().form.focus != fieldPopupOrg {
		t.Fatal("a key from another organization's popup was not refused at its field")
	}
	h.addKey().form.clear(fieldPopupOrg)
	h.typeText(orgA)
	h.press("enter")
	if !on[*orgScreen](h) {
		t.Fatalf("form did not close:\n%s", h.view())
	}
	h.wantView("added AK-REPORTS-2 to reports", "reports · 2/2 slots")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-REPORTS-2" {
		t.Fatalf("the new key is not selected: %+v", k)
	}
	ref, _ := store.Document().Key("AK-REPORTS-2")
	if ref.Key == nil || ref.Key.Secret.Reveal() != testSecret {
		t.Fatalf("secret not stored trimmed: %+v", ref.Key)
	}
	h.press("a") // a third key
	h.wantView("already has two access keys", "to rotate")
}

func TestOrgAddKeyRefusals(t *testing.T) {
	h, _ := openAcme(t)
	h.selectRow("new-integration")
	h.press("a")
	h.typeText("AK-REPORTS") // already stored
	h.press("tab")
	h.typeText("s3cret")
	h.press("enter", "enter")
	h.wantView("access key ID is already stored")
	h.addKey().form.clear(fieldKeyID)
	h.addKey().form.focusOn(fieldKeyID)
	h.typeText("AK-NEW")
	h.addKey().form.clear(fieldSecret)
	h.addKey().form.focusOn(fieldSecret)
	h.typeText("has space")
	h.press("enter", "enter")
	h.wantView("API secret: must be printable ASCII without spaces")
	h.press("esc")
	if !on[*orgScreen](h) {
		t.Fatal("esc does not cancel the form")
	}
	h.press("a")
	h.typeText("q?")
	if h.quit || h.app.stack.over != nil {
		t.Fatal("q or ? in a text field did more than type")
	}
}

func TestOrgNewServiceUser(t *testing.T) {
	h, store := openAcme(t)
	h.press("n")
	h.typeText(" ")
	h.press("enter")
	h.wantView("service user: must be 1 to 100 characters")
	h.userForm().form.clear(0)
	h.typeText("reports")
	h.press("enter")
	h.wantView("service user already exists")
	h.userForm().form.clear(0)
	h.typeText("exports")
	h.press("enter")
	if u, k := h.org().selected(); !on[*orgScreen](h) || k != nil || u.Name != "exports" {
		t.Fatalf("new user not selected:\n%s", h.view())
	}
	o, _ := store.Document().Org(orgA)
	if _, ok := o.User("exports"); !ok {
		t.Fatal("not stored")
	}
}

func TestOrgToggleStatus(t *testing.T) {
	h, store := openAcme(t)
	status := func(id string) keystore.Status {
		ref, _ := store.Document().Key(id)
		return ref.Key.Status
	}
	h.press("s")
	h.wantView("Make AK-BILLING-OLD INACTIVE?")
	h.press("n")
	if status("AK-BILLING-OLD") != keystore.Active {
		t.Fatal("n changed the status")
	}
	h.press("s", "y")
	if status("AK-BILLING-OLD") != keystore.Inactive {
		t.Fatal("not inactivated")
	}
	h.wantView("INACTIVE", "inactivate it in the m3ter Console too")
	if h.app.c.keys.Toggle.Help().Desc != "activate" {
		t.Error("help does not say s activates an INACTIVE key")
	}
	h.press("s", "y")
	if status("AK-BILLING-OLD") != keystore.Active {
		t.Fatal("not activated again")
	}
}

func TestOrgLastActiveKeyNeedsASecondConfirmation(t *testing.T) {
	h, store := openAcme(t)
	h.selectRow("AK-REPORTS")
	h.press("s", "y")
	h.wantView("Really make AK-REPORTS INACTIVE? It is reports's last ACTIVE key.", "locked out")
	h.press("esc")
	ref, _ := store.Document().Key("AK-REPORTS")
	if ref.Key.Status != keystore.Active {
		t.Fatal("the last ACTIVE key was inactivated on the first confirmation")
	}
	h.press("s", "y", "y")
	ref, _ = store.Document().Key("AK-REPORTS")
	if ref.Key.Status != keystore.Inactive {
		t.Fatal("the second confirmation did not inactivate")
	}
}

func TestOrgRemoveKey(t *testing.T) {
	h, store := openAcme(t)
	h.press("d")
	h.wantView("access key is ACTIVE", "make it INACTIVE first")
	if h.app.stack.over != nil {
		t.Fatal("asked to remove an ACTIVE key")
	}
	h.press("s", "y") // inactivate, then remove
	h.press("d")
	h.wantView("Remove AK-BILLING-OLD from billing-sync?")
	h.press("y")
	if _, ok := store.Document().Key("AK-BILLING-OLD"); ok {
		t.Fatal("not removed")
	}
	h.wantView("removed AK-BILLING-OLD", "billing-sync · 1/2 slots")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-BILLING-NEW" {
		t.Fatalf("cursor lost after removal: %+v", k)
	}
}

// Removing a user's last listed key shrinks the slice under the old line indices:
// finding the selection again must not index the changed document.
func TestOrgRemoveSecondKeyKeepsAValidCursor(t *testing.T) {
	h, store := openAcme(t)
	h.selectRow("AK-BILLING-NEW")
	h.press("s", "y", "d", "y")
	if _, ok := store.Document().Key("AK-BILLING-NEW"); ok {
		t.Fatal("not removed")
	}
	h.wantView("removed AK-BILLING-NEW", "billing-sync · 1/2 slots")
	if u, _ := h.org().selected(); u == nil {
		t.Fatal("no row selected after removal")
	}
}

func TestOrgTestOneKey(t *testing.T) {
	h, store := openAcme(t)
	h.press("down")
	h.press("t")
	if got := h.checker.called(); len(got) != 1 || got[0] != "AK-BILLING-NEW" {
		t.Fatalf("tested %v", got)
	}
	h.wantView("AK-BILLING-NEW: ✓ valid — token works for the organization · 184ms · token expires in 5h", "✓ valid 184ms just now")
	if n := strings.Count(h.view(), "AK-BILLING-NEW: ✓ valid — token works"); n != 1 {
		t.Errorf("the result is on screen %d times (detail and status line?), want once:\n%s", n, h.view())
	}
	k := h.checker.calls[0]
	if k.OrgID != orgA || k.APIURL != "https://api.m3ter.com" || k.Secret != testSecret+"2" {
		t.Fatalf("checked with %+v", k)
	}
	ref, _ := store.Document().Key("AK-BILLING-NEW")
	if c := ref.Key.LastCheck; c == nil || c.LatencyMs != 184 || !c.At.Equal(testNow) {
		t.Fatalf("recorded %+v", c)
	}
}

func TestOrgTestAllShowsProgressAndFailures(t *testing.T) {
	h, _ := openAcme(t)
	h.checker.results = map[string]authclient.Result{
		"AK-REPORTS": {Class: authclient.Rejected, HTTPStatus: 401, Message: "m3ter refused the credentials"},
	}
	h.press("T")
	h.wantView("tested 3 keys: 2 valid 1 rejected", "✗ rejected 401 just now")
	if !h.app.c.status.isErr {
		t.Error("a rejected key is not shown as an error")
	}
}

func TestOrgProgressWhileTesting(t *testing.T) {
	h, _ := openAcme(t)
	cmd := h.app.c.startChecks(testKeysMsg{keyIDs: h.app.c.keysToTest(livecheck.Selection{OrgID: orgA})}, ticket{})
	h.wantView("testing 0/3", "testing…")
	h.run(cmd)
	h.wantNotView("testing 0/3", "testing…")
}

func TestOrgStaleResultsAreDropped(t *testing.T) {
	h, _ := openAcme(t)
	// A change is never dropped silently: its failure is told wherever the user is now.
	h.send(savedMsg{to: ticket{screen: -1}, change: changeMsg{what: "add key AK-9 to ops"}, err: errors.New("disk full")})
	h.wantView("not saved: add key AK-9 to ops: disk full")
	h.send(checkDoneMsg{run: h.app.c.checks.id + 7, keyID: "AK-REPORTS", result: authclient.Result{Class: authclient.Valid}})
	h.wantNotView("AK-REPORTS: valid")
	h.send(routedMsg{to: ticket{screen: 1}, msg: unlockFailedMsg{err: keystore.ErrWrongPassphrase}})
	if !on[*orgScreen](h) {
		t.Fatal("a late unlock result moved the screen")
	}
}

func TestOrgStoreErrorsArePlainSentences(t *testing.T) {
	h, store := openAcme(t)
	h.app.c.store = failingStore{Store: store, err: keystore.ErrCorrupt}
	h.press("s", "y")
	h.wantView("store file is damaged — nothing was changed; restore keystore.age from keystore.age.bak")
}

func TestOrgHistory(t *testing.T) {
	h, _ := openAcme(t)
	h.press("h")
	if !on[*historyScreen](h) {
		t.Fatal("h does not open history")
	}
	h.wantView("events, newest first", "secret.copy", "key.add")
	first := h.history().events[0]
	if ev := h.app.c.doc.History[first]; ev.Action != "secret.copy" {
		t.Fatalf("newest first? top is %+v", ev)
	}
	h.press("j", "G", "g", "/")
	h.typeText("REPORTS")
	h.press("enter")
	for _, i := range h.history().events {
		if ev := h.app.c.doc.History[i]; ev.ServiceUser != "reports" && ev.AccessKeyID != "AK-REPORTS" {
			t.Fatalf("filter kept %+v", h.app.c.doc.History[i])
		}
	}
	h.press("esc", "esc")
	if !on[*orgScreen](h) {
		t.Fatal("esc does not go back")
	}
}

func TestOrgFilter(t *testing.T) {
	h, _ := openAcme(t)
	h.press("/")
	h.typeText("reports")
	h.press("enter")
	h.wantView("AK-REPORTS")
	h.wantNotView("AK-BILLING-OLD", "new-integration")
	if _, k := h.org().selected(); k == nil || k.AccessKeyID != "AK-REPORTS" {
		t.Fatalf("selection not on the match: %+v", k)
	}
	h.press("esc")
	h.wantView("AK-BILLING-OLD")
	h.press("esc")
	if !on[*orgsScreen](h) {
		t.Fatal("esc without filter does not go back")
	}
}

func TestStatusClearsItself(t *testing.T) {
	h, _ := openAcme(t)
	h.press("a")
	id := h.app.c.status.id
	h.wantView("already has two")
	h.send(clearStatusMsg{id: id - 1})
	h.wantView("already has two")
	h.send(clearStatusMsg{id: id})
	h.wantNotView("already has two")
}

func TestHelpListsOnlyWorkingKeys(t *testing.T) {
	h, _ := openAcme(t)
	h.selectRow("new-integration")
	h.press("?")
	if !over[*helpScreen](h) {
		t.Fatal("? does not open help")
	}
	h.wantView("Keys on this screen", "new service user", "add key", "history", "test all ACTIVE")
	h.wantNotView("remove key", "test key") // no key selected
	h.press("x")
	if h.app.stack.over != nil {
		t.Fatal("help does not close")
	}
	h.press("q")
	if !h.quit {
		t.Fatal("q does not quit")
	}
}

// An organization removed from another terminal leaves a screen that says so and offers only
// what still works there: back, help, quit.
func TestOrgGoneOffersOnlyBack(t *testing.T) {
	h, store := unlocked(t)
	h.openOrg("Acme staging")
	if err := store.Update(func(tx *keystore.Tx) error {
		return errors.Join(tx.SetStatus("AK-OPS", keystore.Inactive, true), tx.RemoveKey("AK-OPS"), tx.RemoveOrg(orgB))
	}); err != nil {
		t.Fatal(err)
	}
	h.press("n") // a save brings the document that no longer holds it
	h.typeText("svc")
	h.press("enter", "esc")
	h.wantView("This organization is gone")
	k := h.app.c.keys
	for _, b := range []*key.Binding{&k.Up, &k.Filter, &k.Failing, &k.New, &k.TestAll, &k.History} {
		if b.Enabled() {
			t.Errorf("%q is offered on a gone organization", b.Help().Key)
		}
	}
	if !k.Back.Enabled() || !k.Help.Enabled() || !k.Quit.Enabled() {
		t.Error("esc, ? or q is not offered on a gone organization")
	}
}
