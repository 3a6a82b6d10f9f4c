package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/keystore"
)

// The key the Console "generates" for billing-sync in these tests, and its secret.
const (
	rotNewKey    = "AK-BILLING-2027"
	rotNewSecret = testSecret + "-rotated"
)

func (h *harness) rotate() *rotateScreen { return topmost[*rotateScreen](h.app) }

// step is the stored step of billing-sync's rotation, 0 when none.
func step(t *testing.T, store *keystore.Store) keystore.RotationStep {
	t.Helper()
	o, _ := store.Document().Org(orgA)
	u, ok := o.User("billing-sync")
	if !ok || u.Rotation == nil {
		return 0
	}
	return u.Rotation.Step
}

func wantStep(t *testing.T, h *harness, store *keystore.Store, want keystore.RotationStep) {
	t.Helper()
	if got := step(t, store); got != want {
		t.Fatalf("stored step %d, want %d:\n%s", got, want, h.view())
	}
}

// startRotation opens the wizard on billing-sync (two keys) and starts it: step 1.
func startRotation(t *testing.T) (*harness, *keystore.Store) {
	t.Helper()
	h, store := openAcme(t)
	h.checker.users = map[string]string{rotNewKey: "su-AK-BILLING-NEW"}
	h.press("T") // billing-sync's m3ter service user is learned
	h.selectRow("AK-BILLING-NEW")
	h.press("r")
	if h.rotate() == nil {
		t.Fatalf("r did not open the wizard:\n%s", h.view())
	}
	h.wantView("Rotate billing-sync's key", "Replace AK-BILLING-NEW", "Free AK-BILLING-OLD", "Press enter to start")
	h.press("enter")
	wantStep(t, h, store, keystore.StepFreeSlot)
	return h, store
}

// freeSlot mirrors the first Console visit: INACTIVE here, deleted there, so m3ter rejects it; step 2.
func freeSlot(t *testing.T, h *harness, store *keystore.Store) {
	t.Helper()
	h.wantView("step 1/6: free a slot", "AK-BILLING-OLD goes", "Console visit 1 of 2", "delete AK-BILLING-OLD", "Generate Access Key",
		"enter make AK-BILLING-OLD INACTIVE")
	h.press("enter")
	h.wantView("Make AK-BILLING-OLD INACTIVE?")
	h.press("y")
	h.wantView("AK-BILLING-OLD is INACTIVE here", "Not tested since it was made INACTIVE", "t test AK-BILLING-OLD")
	rejected := authclient.Result{Class: authclient.Rejected, Verified: true, HTTPStatus: 401, Message: "Invalid credentials"}
	h.checker.results = map[string]authclient.Result{"AK-BILLING-OLD": rejected} // deleted in the Console
	h.press("t")
	h.wantView("✓ m3ter rejects AK-BILLING-OLD", "enter remove AK-BILLING-OLD")
	h.press("enter", "y")
	wantStep(t, h, store, keystore.StepNewKey)
}

// addNewKey pastes the Console's popup: step 2 → 3, and the live test starts at once.
func addNewKey(t *testing.T, h *harness, popupOrg string) {
	t.Helper()
	h.wantView("step 2/6: new key", "Settings › Access › Service Users › billing-sync › Generate Access Key")
	h.typeText(rotNewKey)
	h.press("tab")
	h.typeText(rotNewSecret + "\n") // pasted with its newline
	h.press("tab")
	h.typeText(popupOrg)
	h.press("enter")
}

func TestRotateStartToFinish(t *testing.T) {
	h, store := startRotation(t)
	freeSlot(t, h, store)
	addNewKey(t, h, orgA)
	wantStep(t, h, store, keystore.StepDeploy) // tested valid for billing-sync's m3ter user: proven
	if ref, _ := store.Document().Key(rotNewKey); ref.Key.Secret.Reveal() != rotNewSecret {
		t.Fatal("the pasted secret was not stored trimmed")
	}

	// Step 4: the old key's note, copy once, edit the new key's note.
	if err := store.Update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-BILLING-NEW", "prod sync job") }); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
	h.wantView("step 4/6: deploy it", "Old key AK-BILLING-NEW is deployed to: prod sync job", "c copy secret (once)")
	h.press("c", "y")
	if !h.app.c.deps.Clipboard.(*clipboard.Fake).Holds(rotNewSecret) {
		t.Fatal("the clipboard does not hold the new key's secret")
	}
	h.wantView("was handed out on")
	if h.app.c.keys.Copy.Enabled() {
		t.Error("c still offered after the secret was handed out")
	}
	h.wantView("New key AK-BILLING-2027 deployed to: no note yet — takes \"prod sync job\" when you press enter")
	h.press("e")
	h.wantView("Where is AK-BILLING-2027 deployed?", "prod sync job") // the old key's note, offered
	h.typeText(" v2")
	h.press("enter")
	h.wantView("New key AK-BILLING-2027 deployed to: prod sync job v2")
	h.press("enter")
	h.wantView("Does the integration run on AK-BILLING-2027 now?", "(prod sync job)")
	h.press("y")
	wantStep(t, h, store, keystore.StepRetire)

	// Step 5: INACTIVE here; m3ter still accepts it until the Console inactivates it.
	h.wantView("step 5/6", "Console visit 2 of 2", "and delete it", "enter make AK-BILLING-NEW INACTIVE")
	h.press("enter", "y")
	h.wantView("is INACTIVE here", "Not tested since it was made INACTIVE", "t test AK-BILLING-NEW")
	h.press("t")
	h.wantView("! m3ter still accepts AK-BILLING-NEW", "press t again", "AK-BILLING-NEW: ! still accepted")
	h.checker.results = map[string]authclient.Result{"AK-BILLING-NEW": {Class: authclient.Rejected, Verified: true, HTTPStatus: 401, Message: "Invalid credentials"}}
	h.press("t")
	h.wantView("✓ m3ter rejects AK-BILLING-NEW", "enter remove AK-BILLING-NEW", "AK-BILLING-NEW: ✓ retired (rejected)")
	h.press("enter", "y")
	wantStep(t, h, store, keystore.StepDone)

	// Step 6: the summary, then history.
	h.wantView("step 6/6: done", "Replaced AK-BILLING-NEW with AK-BILLING-2027", "Removed AK-BILLING-OLD for room", "proved")
	h.press("enter")
	wantStep(t, h, store, 0)
	h.wantView("Rotated billing-sync's key", "Recorded in history")
	hist := store.Document().History
	last := hist[len(hist)-1]
	if last.Action != "rotation.done" || !strings.Contains(last.Detail, "replaced AK-BILLING-NEW with AK-BILLING-2027") {
		t.Fatalf("history ends with %+v", last)
	}
	h.press("enter")
	if !on[*orgScreen](h) {
		t.Fatalf("enter did not close the summary:\n%s", h.view())
	}
	h.wantNotView("rotating")
}

// esc leaves at any step; r resumes at the stored step, also in a new program on the same store.
func TestRotateResumesAfterReopen(t *testing.T) {
	h, store := startRotation(t)
	freeSlot(t, h, store)
	h.checker.results = map[string]authclient.Result{rotNewKey: {Class: authclient.Rejected, Verified: true, HTTPStatus: 401, Message: "Invalid credentials"}}
	addNewKey(t, h, "")
	wantStep(t, h, store, keystore.StepProve)
	h.wantView("is not proven valid", "check the pasted ID and secret")
	h.press("esc")
	h.wantView("billing-sync · 2/2 slots · rotating: step 3/6")

	reopened := newHarness(t, Deps{Vault: NewVault(h.app.c.deps.Vault.Dir()), Checker: &fakeChecker{users: map[string]string{rotNewKey: "su-AK-BILLING-NEW"}},
		Passphrase: passphrase, Clock: clock})
	reopened.openOrg("Acme production")
	reopened.selectRow("AK-BILLING-NEW")
	if d := reopened.app.c.keys.Rotate.Help().Desc; d != "resume rotation" {
		t.Errorf("r says %q", d)
	}
	reopened.press("r")
	reopened.wantView("step 3/6: prove it", "✗ rejected", "t test again")
	reopened.press("t")
	reopened.wantView("step 4/6: deploy it")
}

func TestRotateWrongServiceUser(t *testing.T) {
	h, store := startRotation(t)
	h.checker.users = map[string]string{rotNewKey: "su-someone-else"}
	freeSlot(t, h, store)
	addNewKey(t, h, "")
	wantStep(t, h, store, keystore.StepProve)
	h.wantView("generated for another service user", "Stop: users/me names m3ter service user su-someone-else",
		"enter remove the wrong key", "AK-BILLING-NEW stays as it is")
	wantStep(t, h, store, keystore.StepProve)

	// The stop removes the wrong key here and goes back to step 2, the slot free, the key in use untouched.
	h.press("enter")
	h.wantView("Remove AK-BILLING-2027, generated for another service user?", "Delete it in the m3ter Console too")
	h.press("y")
	wantStep(t, h, store, keystore.StepNewKey)
	if _, ok := store.Document().Key(rotNewKey); ok {
		t.Fatal("the wrong key is still stored")
	}
	if ref, ok := store.Document().Key("AK-BILLING-NEW"); !ok || ref.Key.Status != keystore.Active {
		t.Fatal("the key in use was touched")
	}
	h.checker.users = map[string]string{rotNewKey: "su-AK-BILLING-NEW"} // generated again, under billing-sync
	addNewKey(t, h, "")
	wantStep(t, h, store, keystore.StepDeploy)
}

// Every step refuses clearly when what it needs is gone, or when the keystore says no.
func TestRotateRefusals(t *testing.T) {
	t.Run("popup org mismatch", func(t *testing.T) {
		h, store := startRotation(t)
		freeSlot(t, h, store)
		addNewKey(t, h, orgB)
		wantStep(t, h, store, keystore.StepNewKey)
		h.wantView("not this organization's", "generate it in this one")
	})
	t.Run("new key removed meanwhile", func(t *testing.T) {
		h, store := startRotation(t)
		freeSlot(t, h, store)
		addNewKey(t, h, "")
		wantStep(t, h, store, keystore.StepDeploy)
		// another terminal removes the new key
		if err := store.Update(func(tx *keystore.Tx) error {
			return errorsJoin(tx.SetStatus(rotNewKey, keystore.Inactive, false), tx.RemoveKey(rotNewKey))
		}); err != nil {
			t.Fatal(err)
		}
		h.press("enter") // on the document still on screen: the keystore refuses
		h.press("y")
		h.wantView("no longer stored", "cancel the rotation")
		wantStep(t, h, store, keystore.StepDeploy)
		h.press("d", "y")
		wantStep(t, h, store, 0)
		if !on[*orgScreen](h) {
			t.Fatalf("a cancelled rotation stays open:\n%s", h.view())
		}
	})
	t.Run("old key removed meanwhile", func(t *testing.T) {
		h, store := startRotation(t)
		if err := store.Update(func(tx *keystore.Tx) error {
			return errorsJoin(tx.SetStatus("AK-BILLING-NEW", keystore.Inactive, true), tx.RemoveKey("AK-BILLING-NEW"))
		}); err != nil {
			t.Fatal(err)
		}
		h.app.c.setDoc(store.Document())
		h.app.rebuild()
		h.send(struct{}{})
		h.wantView("no longer stored under billing-sync", "cancel the rotation")
		if h.app.c.keys.Open.Enabled() {
			t.Error("enter offered on a step whose key is gone")
		}
		wantStep(t, h, store, keystore.StepFreeSlot)
	})
	t.Run("remove old without proof needs two confirmations", func(t *testing.T) {
		h, store := startRotation(t)
		freeSlot(t, h, store)
		addNewKey(t, h, "")
		h.press("enter", "y") // deployed
		h.press("enter", "y") // INACTIVE here
		h.wantView("enter remove anyway")
		h.press("enter")
		h.wantView("Press enter again to confirm (2nd of 2)")
		wantStep(t, h, store, keystore.StepRetire)
		h.press("enter")
		h.wantView("Really remove AK-BILLING-NEW without proof")
		h.press("y")
		wantStep(t, h, store, keystore.StepDone)
	})
	t.Run("cancelled from another terminal", func(t *testing.T) {
		h, store := startRotation(t)
		freeSlot(t, h, store)
		addNewKey(t, h, "")
		if err := store.Update(func(tx *keystore.Tx) error { return tx.CancelRotation(orgA, "billing-sync") }); err != nil {
			t.Fatal(err)
		}
		h.press("enter", "y")
		h.wantView("no rotation of this service user is in progress")
	})
	t.Run("nothing to rotate", func(t *testing.T) {
		h, _ := openAcme(t)
		h.selectRow("new-integration")
		if h.app.c.keys.Rotate.Enabled() {
			t.Error("r offered on a user without keys")
		}
	})
}

// Help lists only the keys that work at the step.
func TestRotateKeysPerStep(t *testing.T) {
	h, store := startRotation(t)
	km := h.app.c.keys
	if km.Test.Enabled() || km.Copy.Enabled() || !km.Open.Enabled() || !km.Delete.Enabled() {
		t.Error("step 1: only enter, d, esc")
	}
	freeSlot(t, h, store)
	if km.Quit.Enabled() || km.Delete.Enabled() || !km.Submit.Enabled() {
		t.Error("step 2 is a form: q and d are typed, enter submits")
	}
	addNewKey(t, h, "")
	if !km.Copy.Enabled() || !km.Deployed.Enabled() || km.Test.Enabled() {
		t.Error("step 4: c, e, enter")
	}
}

// Each step fits 60×15 and 200×60 without a line over the width.
func TestRotateFitsSmallTerminals(t *testing.T) {
	h, store := startRotation(t)
	check := func() {
		for _, size := range [][2]int{{60, 15}, {100, 30}} {
			h.app.Update(sizeMsg(size[0], size[1]))
			v := h.app.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%dx%d: %d lines", size[0], size[1], len(lines))
			}
			if !strings.Contains(v, "step ") && !strings.Contains(v, "Rotate") {
				t.Fatalf("%dx%d: no step title:\n%s", size[0], size[1], v)
			}
		}
		h.app.Update(sizeMsg(80, 24))
	}
	check()
	freeSlot(t, h, store)
	check()
	addNewKey(t, h, "")
	check()
}

func sizeMsg(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func errorsJoin(errs ...error) error { return errors.Join(errs...) }

// The key row reads a check by the key's status now: a retired key's rejection is healthy
// (green), an INACTIVE key m3ter still accepts and a key of another service user are warnings.
func TestKeyRowCheckColours(t *testing.T) {
	st := newStyles()
	at := testNow.Add(-time.Hour)
	inactive := keystore.AccessKey{Status: keystore.Inactive, InactivatedAt: at.Add(-time.Minute)}
	cases := []struct {
		name  string
		key   keystore.AccessKey
		check keystore.Check
		style *lipgloss.Style
		text  string
	}{
		{"retired", inactive, keystore.Check{At: at, Result: "rejected", HTTPStatus: 401, WhileInactive: true}, &st.Good, "✓ retired (rejected)"},
		{"still accepted", inactive, keystore.Check{At: at, Result: "valid", Verified: true, WhileInactive: true}, &st.Warn, "! still accepted"},
		{"reactivated", keystore.AccessKey{Status: keystore.Active}, keystore.Check{At: at, Result: "rejected", HTTPStatus: 401, WhileInactive: true}, &st.Bad, "✗ rejected 401"},
		{"wrong service user", keystore.AccessKey{Status: keystore.Active}, keystore.Check{At: at, Result: "valid", Verified: true, WrongServiceUser: "su-9"}, &st.Warn, "! wrong service user?"},
		{"rejected", keystore.AccessKey{Status: keystore.Active}, keystore.Check{At: at, Result: "rejected", HTTPStatus: 401}, &st.Bad, "✗ rejected 401"},
	}
	for _, c := range cases {
		k := c.key
		k.LastCheck = &c.check
		cell := lastCheckCell(lastcheck.ForKey(&k), testNow, &st)
		if cell.style != c.style || !strings.HasPrefix(cell.forms[0], c.text) {
			t.Errorf("%s: %q in the wrong colour (or words)", c.name, cell.forms[0])
		}
	}
}

// e on a key edits where it is deployed; the row's detail shows it.
func TestEditDeployedTo(t *testing.T) {
	h, store := openAcme(t)
	h.selectRow("AK-REPORTS")
	h.press("e")
	h.wantView("Where is AK-REPORTS deployed?")
	h.typeText("reports cron on ops-1")
	h.press("enter")
	h.wantView("AK-REPORTS (deployed to reports cron on ops-1): last check")
	if ref, _ := store.Document().Key("AK-REPORTS"); ref.Key.DeployedTo != "reports cron on ops-1" {
		t.Fatalf("stored %q", ref.Key.DeployedTo)
	}
}

// deployOld notes that billing-sync's older key, AK-BILLING-OLD, is the one the integration uses.
func deployOld(t *testing.T, h *harness, store *keystore.Store) {
	t.Helper()
	if err := store.Update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-BILLING-OLD", "billing cron on pay-1") }); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
}

// The plan replaces the key under the cursor and frees the other; freeing the deployed key stops,
// says what it locks out, and goes on only after a second confirmation; s swaps the roles.
func TestRotatePlanReplacesTheSelectedKey(t *testing.T) {
	t.Run("cursor on the deployed key", func(t *testing.T) {
		h, store := openAcme(t)
		deployOld(t, h, store)
		h.selectRow("AK-BILLING-OLD")
		h.press("r")
		h.wantView("Replace AK-BILLING-OLD · ACTIVE · ✓ valid 184ms 2h ago deployed to billing cron on pay-1",
			"Free AK-BILLING-NEW · ACTIVE · untested no deployed-to note", "remove AK-BILLING-NEW (Console visit 1: delete it)",
			"generate it (Console visit 1)", "Retire AK-BILLING-OLD (Console visit 2: inactivate and delete it)", "s replace AK-BILLING-NEW instead")
		h.press("enter")
		wantStep(t, h, store, keystore.StepFreeSlot)
		if r := h.rotate().rotation(); r.FreeKeyID != "AK-BILLING-NEW" || r.OldKeyID != "AK-BILLING-OLD" {
			t.Fatalf("started %+v", r)
		}
	})
	t.Run("cursor on the other key: freeing the deployed key asks twice, s swaps", func(t *testing.T) {
		h, store := openAcme(t)
		deployOld(t, h, store)
		h.selectRow("AK-BILLING-NEW")
		h.press("r")
		h.wantView("Replace AK-BILLING-NEW", "Free AK-BILLING-OLD · ACTIVE · ✓ valid 184ms 2h ago deployed to billing cron on pay-1",
			"removing AK-BILLING-OLD locks out billing cron on pay-1", "enter free AK-BILLING-OLD anyway", "s replace AK-BILLING-OLD instead")
		h.wantNotView("Press enter to start")
		h.press("enter")
		h.wantView("Remove AK-BILLING-OLD anyway? Removing it locks out billing cron on pay-1.")
		h.press("n")
		wantStep(t, h, store, 0)
		h.press("s")
		h.wantView("Replace AK-BILLING-OLD", "Free AK-BILLING-NEW", "Press enter to start")
		h.wantNotView("locks out")
		h.press("enter")
		if r := h.rotate().rotation(); r == nil || r.FreeKeyID != "AK-BILLING-NEW" {
			t.Fatalf("after the swap: %+v", r)
		}
	})
	t.Run("freeing the deployed key, confirmed", func(t *testing.T) {
		h, store := openAcme(t)
		deployOld(t, h, store)
		h.selectRow("AK-BILLING-NEW")
		h.press("r", "enter", "y")
		wantStep(t, h, store, keystore.StepFreeSlot)
		if r := h.rotate().rotation(); r.FreeKeyID != "AK-BILLING-OLD" || !r.FreeDeployedConfirmed {
			t.Fatalf("started %+v", r)
		}
	})
	t.Run("an INACTIVE key is freed wherever the cursor is", func(t *testing.T) {
		h, store := openAcme(t)
		if err := store.Update(func(tx *keystore.Tx) error { return tx.SetStatus("AK-BILLING-NEW", keystore.Inactive, false) }); err != nil {
			t.Fatal(err)
		}
		h.app.c.setDoc(store.Document())
		h.app.rebuild()
		h.selectRow("AK-BILLING-NEW")
		h.press("r")
		h.wantView("Replace AK-BILLING-OLD", "Free AK-BILLING-NEW · INACTIVE", "AK-BILLING-NEW is INACTIVE: it is the one freed")
		if h.app.c.keys.Toggle.Enabled() {
			t.Error("s offered to replace an INACTIVE key")
		}
		h.press("s")
		h.wantView("Free AK-BILLING-NEW")
	})
	t.Run("no key selected: the deployed key, else the older, is replaced", func(t *testing.T) {
		h, store := openAcme(t)
		if s := newRotateScreen(h.app.c, orgA, "billing-sync", ""); s.plan.Replace != "AK-BILLING-OLD" {
			t.Errorf("no notes: replaces %s, want the older", s.plan.Replace)
		}
		if err := store.Update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-BILLING-NEW", "sync job") }); err != nil {
			t.Fatal(err)
		}
		h.app.c.setDoc(store.Document())
		if s := newRotateScreen(h.app.c, orgA, "billing-sync", ""); s.plan.Replace != "AK-BILLING-NEW" {
			t.Errorf("with a note on the newer: replaces %s, want the deployed key", s.plan.Replace)
		}
	})
}

// A second terminal at step 2: when the first stores its key, what was typed here stays, with a
// refusal that says why; enter does not store it.
func TestRotateTwoTerminalsAtStepTwo(t *testing.T) {
	h, store := startRotation(t)
	freeSlot(t, h, store)
	h.wantView("step 2/6: new key")
	h.typeText(rotNewKey)
	h.press("tab")
	h.typeText(rotNewSecret)

	// the other terminal stores its key and moves on
	if err := store.Update(func(tx *keystore.Tx) error {
		s, _ := keystore.NewSecret("other-terminal-secret")
		return tx.RotationAddNewKey(orgA, "billing-sync", "AK-OTHER-TERMINAL", s, "")
	}); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
	h.send(docChangedMsg{})
	h.wantView("not stored", "another terminal moved the rotation on to step 3 (prove it) with AK-OTHER-", "press esc to discard it", "Access Key ID")
	h.wantNotView("step 3/6")
	if got := h.rotate().form.value(fieldKeyID); got != rotNewKey || h.rotate().form.raw(fieldSecret) != rotNewSecret {
		t.Fatal("what was typed is gone from the form")
	}
	h.press("enter", "enter")
	h.wantView("not stored", "the rotation is at another step")
	if got := h.rotate().form.value(fieldKeyID); got != rotNewKey {
		t.Fatal("a refused submit dropped what was typed")
	}
	if _, ok := store.Document().Key(rotNewKey); ok {
		t.Fatal("the key was stored over the other terminal's")
	}
	h.press("esc")
	if !on[*orgScreen](h) {
		t.Fatalf("esc did not leave:\n%s", h.view())
	}
}

// The organizations screen shows a rotation in progress, and r there resumes it.
func TestOrgsShowsARotationInProgress(t *testing.T) {
	h, store := startRotation(t)
	h.press("esc", "esc")
	if !on[*orgsScreen](h) {
		t.Fatalf("not on the organizations screen:\n%s", h.view())
	}
	h.wantView("Acme production ↻", "↻ billing-sync 1/6", "r resume rotation of billing-sync")
	h.press("r")
	h.wantView("step 1/6: free a slot")
	wantStep(t, h, store, keystore.StepFreeSlot)
	h.press("esc")
	if !on[*orgScreen](h) {
		t.Fatalf("esc from the resumed wizard did not go to the organization:\n%s", h.view())
	}
}
