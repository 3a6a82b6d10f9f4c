package keystore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
)

// rotationDoc holds orgA's "ci" with the keys given (older first), learned m3ter ID su-ci.
func rotationDoc(t *testing.T, keys ...NewKey) *Document {
	t.Helper()
	d := docWithUser(t)
	tx := d.Edit(t0)
	for i, k := range keys {
		k.Secret = mustSecret(t, secret)
		k.CreatedAt = t0.Add(time.Duration(i-10) * 24 * time.Hour)
		if err := tx.AddKey(orgA, "ci", k); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.SetUserID(orgA, "ci", "su-ci"); err != nil {
		t.Fatal(err)
	}
	return d
}

func rotation(t *testing.T, d *Document) *Rotation {
	t.Helper()
	o, _ := d.Org(orgA)
	u, _ := o.User("ci")
	return u.Rotation
}

// step runs one change at time at, failing the test on error.
func step(t *testing.T, d *Document, at time.Time, name string, f func(*Tx) error) {
	t.Helper()
	if err := f(d.Edit(at)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func refused(t *testing.T, d *Document, name string, want error, f func(*Tx) error) {
	t.Helper()
	err := f(d.Clone().Edit(t0)) // on a copy: a refusal is tested, not applied
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", name, err, want)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("%s: the error holds the secret", name)
	}
}

func check(result string, verified bool, at time.Time) Check {
	return Check{At: at, Result: outcome.Class(result), Verified: verified, HTTPStatus: 200}
}

// TestRotationTwoKeysEveryStep walks a user holding two ACTIVE keys through every step.
func TestRotationTwoKeysEveryStep(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "old-1", DeployedTo: "vault:ci/m3ter"}, NewKey{AccessKeyID: "old-2"})
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	step(t, d, at(1), "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	r := rotation(t, d)
	if r == nil || r.Step != StepFreeSlot || r.FreeKeyID != "old-2" || r.OldKeyID != "old-1" {
		t.Fatalf("start: %+v, want to replace the deployed old-1 and free old-2", r)
	}
	refused(t, d, "start twice", ErrRotationInProgress, func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	refused(t, d, "a step out of order", ErrRotationStep, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	refused(t, d, "a new key before the slot is free", ErrRotationStep, func(tx *Tx) error {
		return tx.RotationAddNewKey(orgA, "ci", "new-1", mustSecret(t, secret), "")
	})

	refused(t, d, "free an ACTIVE key", ErrRotationStep, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", true) })
	step(t, d, at(2), "inactivate the key to free", func(tx *Tx) error { return tx.RotationInactivateFree(orgA, "ci") })
	refused(t, d, "free an untested key", ErrNotRetired, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", false) })
	d.Edit(at(2)).RecordCheck("old-2", check("rejected", true, at(2)))
	step(t, d, at(2), "free a slot", func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", false) })
	if _, ok := d.Key("old-2"); ok {
		t.Fatal("the freed key is still stored")
	}
	refused(t, d, "popup org mismatch", ErrPopupOrgMismatch, func(tx *Tx) error {
		return tx.RotationAddNewKey(orgA, "ci", "new-1", mustSecret(t, secret), orgB)
	})
	step(t, d, at(3), "new key", func(tx *Tx) error {
		return tx.RotationAddNewKey(orgA, "ci", "new-1", mustSecret(t, secret), strings.ToUpper(orgA))
	})

	refused(t, d, "prove an untested key", ErrNotProved, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	d.Edit(at(4)).RecordCheck("new-1", check("valid", false, at(4)))
	refused(t, d, "prove by a token-only check", ErrNotProved, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	d.Edit(at(4)).RecordCheck("new-1", check("rejected", true, at(4)))
	refused(t, d, "prove a rejected key", ErrNotProved, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	d.Edit(at(5)).RecordCheck("new-1", check("valid", true, at(5)))
	step(t, d, at(5), "proved", func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })

	step(t, d, at(6), "deployed", func(tx *Tx) error { return tx.RotationDeployed(orgA, "ci") })
	if ref, _ := d.Key("new-1"); ref.Key.DeployedTo != "vault:ci/m3ter" {
		t.Errorf("new key did not take old-1's note: %q", ref.Key.DeployedTo)
	}

	refused(t, d, "remove the old key while ACTIVE", ErrRotationStep, func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", true) })
	step(t, d, at(7), "retire", func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	if ref, _ := d.Key("old-1"); ref.Key.Status != Inactive {
		t.Fatal("retire left the old key ACTIVE")
	}
	refused(t, d, "remove an untested old key", ErrNotRetired, func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", false) })
	d.Edit(at(8)).RecordCheck("old-1", check("valid", true, at(8)))
	err := d.Clone().Edit(at(8)).RotationRemoveOld(orgA, "ci", false)
	if !errors.Is(err, ErrNotRetired) || !strings.Contains(err.Error(), "still accepts") {
		t.Fatalf("remove a still accepted old key: %v", err)
	}
	d.Edit(at(9)).RecordCheck("old-1", check("rejected", true, at(9)))
	step(t, d, at(9), "remove old", func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", false) })

	refused(t, d, "cancel is the only way back", ErrRotationStep, func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	step(t, d, at(10), "finish", func(tx *Tx) error { return tx.FinishRotation(orgA, "ci") })
	if r := rotation(t, d); r != nil {
		t.Fatalf("finish left %+v", r)
	}
	last := d.History[len(d.History)-1]
	for _, want := range []string{"replaced old-1 with new-1", "removed old-2 for room", "proved 2026-11-26T12:05:00Z", "removed 2026-11-26T12:09:00Z", "deployed 2026-11-26T12:06:00Z"} {
		if last.Action != "rotation.done" || !strings.Contains(last.Detail, want) {
			t.Errorf("history %q %q lacks %q", last.Action, last.Detail, want)
		}
	}
	o, _ := d.Org(orgA)
	if u, _ := o.User("ci"); len(u.Keys) != 1 || u.Keys[0].AccessKeyID != "new-1" || u.Keys[0].Exposed {
		t.Fatalf("after the rotation ci holds %+v", u.Keys)
	}
	refused(t, d, "finish twice", ErrNoRotation, func(tx *Tx) error { return tx.FinishRotation(orgA, "ci") })
}

func TestRotationOneKeyStartsAtNewKeyAndCarriesTheNote(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "old", DeployedTo: "k8s secret billing/m3ter"})
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	if r := rotation(t, d); r.Step != StepNewKey || r.OldKeyID != "old" || r.FreeKeyID != "" {
		t.Fatalf("start: %+v", r)
	}
	refused(t, d, "free a slot with one key", ErrRotationStep, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", false) })
	step(t, d, t0, "new", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "new", mustSecret(t, secret), "") })
	d.Edit(t0).RecordCheck("new", check("valid", true, t0))
	step(t, d, t0, "proved", func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	step(t, d, t0, "deployed", func(tx *Tx) error { return tx.RotationDeployed(orgA, "ci") })
	if ref, _ := d.Key("new"); ref.Key.DeployedTo != "k8s secret billing/m3ter" {
		t.Errorf("the new key did not take the old key's note: %q", ref.Key.DeployedTo)
	}
	step(t, d, t0, "retire", func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	step(t, d, t0, "remove unproven, confirmed twice", func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", true) })
	if h := d.History[len(d.History)-1]; !strings.Contains(h.Detail, "confirmed twice") {
		t.Errorf("history does not say the removal was unproven: %+v", h)
	}
	step(t, d, t0, "finish", func(tx *Tx) error { return tx.FinishRotation(orgA, "ci") })
}

func TestRotationPicksTheInactiveKeyToFree(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "older"}, NewKey{AccessKeyID: "spare", Status: Inactive})
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	if r := rotation(t, d); r.FreeKeyID != "spare" || r.OldKeyID != "older" {
		t.Fatalf("start: %+v, want to free the INACTIVE spare", r)
	}
}

func TestRotationRefusals(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		refused(t, rotationDoc(t), "start", ErrNothingToRotate, func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	})
	t.Run("no user", func(t *testing.T) {
		refused(t, rotationDoc(t), "start", ErrNotFound, func(tx *Tx) error { return tx.StartRotation(orgA, "nobody", "", false) })
	})
	t.Run("no rotation", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "k"})
		refused(t, d, "cancel", ErrNoRotation, func(tx *Tx) error { return tx.CancelRotation(orgA, "ci") })
		refused(t, d, "prove", ErrNoRotation, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	})
	t.Run("wrong service user", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "old"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
		step(t, d, t0, "new", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "new", mustSecret(t, secret), "") })
		step(t, d, t0, "check", func(tx *Tx) error {
			if err := tx.RecordCheck("new", check("valid", true, t0)); err != nil {
				return err
			}
			return tx.SawServiceUser("new", "su-other")
		})
		refused(t, d, "prove", ErrWrongServiceUser, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	})
	t.Run("key removed from another terminal", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "old"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
		step(t, d, t0, "new", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "new", mustSecret(t, secret), "") })
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("new", Inactive, false); err != nil {
				return err
			}
			return tx.RemoveKey("new")
		})
		refused(t, d, "prove", ErrRotationStale, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
		step(t, d, t0, "cancel", func(tx *Tx) error { return tx.CancelRotation(orgA, "ci") })
		if rotation(t, d) != nil || d.History[len(d.History)-1].Action != "rotation.cancel" {
			t.Fatal("cancel did not clear the rotation with a history entry")
		}
	})
	t.Run("old key removed before retiring", func(t *testing.T) {
		d := provedAndDeployed(t)
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("old", Inactive, false); err != nil {
				return err
			}
			return tx.RemoveKey("old")
		})
		refused(t, d, "retire", ErrRotationStale, func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
		refused(t, d, "remove", ErrRotationStale, func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", true) })
	})
	t.Run("new key inactivated before retiring the old", func(t *testing.T) {
		d := provedAndDeployed(t)
		step(t, d, t0, "elsewhere", func(tx *Tx) error { return tx.SetStatus("new", Inactive, false) })
		refused(t, d, "retire", ErrRotationStale, func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	})
	t.Run("a key added elsewhere fills the freed slot", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "a"}, NewKey{AccessKeyID: "b"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("b", Inactive, false); err != nil {
				return err
			}
			if err := tx.RemoveKey("b"); err != nil {
				return err
			}
			return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "c", Secret: mustSecret(t, secret)})
		})
		refused(t, d, "free", ErrRotationStale, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", false) })
	})
	t.Run("the key to free already removed", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "a"}, NewKey{AccessKeyID: "b"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("b", Inactive, false); err != nil {
				return err
			}
			return tx.RemoveKey("b")
		})
		step(t, d, t0, "free", func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", false) })
		if r := rotation(t, d); r.Step != StepNewKey {
			t.Fatalf("free with the slot already free: %+v", r)
		}
	})
	t.Run("over the limit after merge", func(t *testing.T) {
		d := overLimitDoc(t)
		refused(t, d, "start", ErrOverLimit, func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	})
}

// provedAndDeployed is a rotation of ci's one key "old" to "new", at StepRetire.
func provedAndDeployed(t *testing.T) *Document {
	d := rotationDoc(t, NewKey{AccessKeyID: "old"})
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	step(t, d, t0, "new", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "new", mustSecret(t, secret), "") })
	d.Edit(t0).RecordCheck("new", check("valid", true, t0))
	step(t, d, t0, "proved", func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	step(t, d, t0, "deployed", func(tx *Tx) error { return tx.RotationDeployed(orgA, "ci") })
	return d
}

// TestRotationResumesAfterReopen: each step is saved, so a store opened again continues there.
func TestRotationResumesAfterReopen(t *testing.T) {
	s, dir := newStore(t)
	update := func(s *Store, f func(*Tx) error) {
		t.Helper()
		if err := s.Update(f); err != nil {
			t.Fatal(err)
		}
	}
	update(s, func(tx *Tx) error { // newStore's ci holds k1
		if err := tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "b", Secret: mustSecret(t, secret), CreatedAt: tx.Now().Add(time.Hour)}); err != nil {
			return err
		}
		return tx.StartRotation(orgA, "ci", "", false)
	})
	update(s, func(tx *Tx) error { return tx.RotationInactivateFree(orgA, "ci") })
	update(s, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", true) })
	update(s, func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "c", mustSecret(t, secret), "") })

	again, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	r := rotation(t, again.Document())
	if r == nil || r.Step != StepProve || r.NewKeyID != "c" || r.OldKeyID != "k1" || r.FreeKeyID != "b" || r.FreedAt.IsZero() || r.AddedAt.IsZero() {
		t.Fatalf("reopened rotation %+v, want step 3 with its keys and times", r)
	}
	update(again, func(tx *Tx) error {
		if err := tx.RecordCheck("c", Check{At: tx.Now(), Result: "valid", Verified: true}); err != nil {
			return err
		}
		return tx.RotationProved(orgA, "ci")
	})
	if r := rotation(t, again.Document()); r.Step != StepDeploy {
		t.Fatalf("after resuming: %+v", r)
	}
}

// paymentsDoc is issue 14's service user: AK-PAY-2025A (older, deployed) and AK-PAY-2026A (newer, no
// note), both ACTIVE; change adjusts the keys before they are stored.
func paymentsDoc(t *testing.T, change func(older, newer *NewKey)) *Document {
	t.Helper()
	older := NewKey{AccessKeyID: "AK-PAY-2025A", DeployedTo: "payments cron on pay-1"}
	newer := NewKey{AccessKeyID: "AK-PAY-2026A"}
	if change != nil {
		change(&older, &newer)
	}
	return rotationDoc(t, older, newer)
}

// TestRotationChoosesTheKeyToReplace: the selected key is replaced and the other freed, unless one
// is INACTIVE or wrong-service-user; on the header, the deployed key, else the older, is replaced.
func TestRotationChoosesTheKeyToReplace(t *testing.T) {
	wrongUser := func(k *NewKey) { k.AccessKeyID += "-wrong" }
	for _, c := range []struct {
		name              string
		change            func(older, newer *NewKey)
		flagWrong         string // a key whose last check names another m3ter service user
		selected          string
		replace, free     string
		fixed             bool
		wantStart         error // StartRotation(selected, false)
		wantStartFromFree error // StartRotation(free, false): replacing the other key instead
	}{
		{name: "cursor on the newer", selected: "AK-PAY-2026A", replace: "AK-PAY-2026A", free: "AK-PAY-2025A", wantStart: ErrFreesDeployed},
		{name: "cursor on the deployed older", selected: "AK-PAY-2025A", replace: "AK-PAY-2025A", free: "AK-PAY-2026A", wantStartFromFree: ErrFreesDeployed},
		{name: "header", replace: "AK-PAY-2025A", free: "AK-PAY-2026A", wantStartFromFree: ErrFreesDeployed},
		{name: "header, no notes: the older", change: func(o, n *NewKey) { o.DeployedTo = "" }, replace: "AK-PAY-2025A", free: "AK-PAY-2026A"},
		{name: "header, the newer deployed", change: func(o, n *NewKey) { o.DeployedTo, n.DeployedTo = "", "vault" }, replace: "AK-PAY-2026A", free: "AK-PAY-2025A", wantStartFromFree: ErrFreesDeployed},
		{name: "an INACTIVE key is freed wherever the cursor is", change: func(o, n *NewKey) { n.Status = Inactive }, selected: "AK-PAY-2026A",
			replace: "AK-PAY-2025A", free: "AK-PAY-2026A", fixed: true, wantStart: ErrMustFree, wantStartFromFree: ErrMustFree},
		{name: "an INACTIVE deployed key is freed without a second confirmation", change: func(o, n *NewKey) { o.Status = Inactive },
			replace: "AK-PAY-2026A", free: "AK-PAY-2025A", fixed: true, wantStartFromFree: ErrMustFree},
		{name: "a wrong-service-user key is freed wherever the cursor is", change: func(o, n *NewKey) { wrongUser(n) }, flagWrong: "AK-PAY-2026A-wrong",
			selected: "AK-PAY-2026A-wrong", replace: "AK-PAY-2025A", free: "AK-PAY-2026A-wrong", fixed: true, wantStart: ErrMustFree, wantStartFromFree: ErrMustFree},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := paymentsDoc(t, c.change)
			if c.flagWrong != "" {
				d.Edit(t0).RecordCheck(c.flagWrong, check("valid", true, t0))
				if err := d.Edit(t0).SawServiceUser(c.flagWrong, "su-other"); err != nil {
					t.Fatal(err)
				}
			}
			o, _ := d.Org(orgA)
			u, _ := o.User("ci")
			got, err := u.ChooseRotation(c.selected)
			if err != nil || got != (RotationChoice{Replace: c.replace, Free: c.free, Fixed: c.fixed}) {
				t.Fatalf("ChooseRotation(%q) = %+v, %v; want replace %s, free %s, fixed %v", c.selected, got, err, c.replace, c.free, c.fixed)
			}
			start := func(replace string) func(*Tx) error {
				return func(tx *Tx) error { return tx.StartRotation(orgA, "ci", replace, false) }
			}
			for _, s := range []struct {
				replace string
				want    error
			}{{c.selected, c.wantStart}, {c.free, c.wantStartFromFree}} {
				if s.want != nil {
					refused(t, d, "start replacing "+s.replace, s.want, start(s.replace))
				} else if err := start(s.replace)(d.Clone().Edit(t0)); err != nil {
					t.Fatalf("start replacing %q: %v", s.replace, err)
				}
			}
		})
	}
}

// TestRotationFreeingADeployedKeyNeedsConfirmation: the refusal says what would be locked out;
// confirmed, the freed key's note is offered to the new key.
func TestRotationFreeingADeployedKeyNeedsConfirmation(t *testing.T) {
	d := paymentsDoc(t, nil)
	err := d.Clone().Edit(t0).StartRotation(orgA, "ci", "AK-PAY-2026A", false)
	if !errors.Is(err, ErrFreesDeployed) || !strings.Contains(err.Error(), "removing AK-PAY-2025A locks out payments cron on pay-1") {
		t.Fatalf("start freeing the deployed key: %v", err)
	}
	step(t, d, t0, "start, confirmed", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "AK-PAY-2026A", true) })
	if r := rotation(t, d); !r.FreeDeployedConfirmed || r.FreeKeyID != "AK-PAY-2025A" {
		t.Fatalf("start: %+v", r)
	}
	step(t, d, t0, "inactivate", func(tx *Tx) error { return tx.RotationInactivateFree(orgA, "ci") })
	step(t, d, t0, "free", func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci", true) })
	o, _ := d.Org(orgA)
	u, _ := o.User("ci")
	if got := u.RotationNote(); got != "payments cron on pay-1" {
		t.Fatalf("the note offered for the new key is %q, want the freed key's", got)
	}
}

// TestRotationNoteAddedAfterTheStart: a note added to the key to free (another terminal) stops step 1.
func TestRotationNoteAddedAfterTheStart(t *testing.T) {
	d := paymentsDoc(t, func(o, n *NewKey) { o.DeployedTo = "" })
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "AK-PAY-2025A", false) })
	step(t, d, t0, "note", func(tx *Tx) error { return tx.SetDeployedTo("AK-PAY-2026A", "billing job") })
	refused(t, d, "inactivate the key to free", ErrFreesDeployed, func(tx *Tx) error { return tx.RotationInactivateFree(orgA, "ci") })
}

// TestRotationDropsTheWrongKey: a new key users/me names another service user for is removed at
// step 3 and the rotation goes back to step 2, the key in use untouched.
func TestRotationDropsTheWrongKey(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "old", DeployedTo: "cron"})
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci", "", false) })
	step(t, d, t0, "new", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "wrong", mustSecret(t, secret), "") })
	refused(t, d, "drop an untested key", ErrNotWrongUser, func(tx *Tx) error { return tx.RotationDropWrongKey(orgA, "ci") })
	step(t, d, t0, "check", func(tx *Tx) error {
		if err := tx.RecordCheck("wrong", check("valid", true, t0)); err != nil {
			return err
		}
		return tx.SawServiceUser("wrong", "su-other")
	})
	step(t, d, t0, "drop", func(tx *Tx) error { return tx.RotationDropWrongKey(orgA, "ci") })
	r := rotation(t, d)
	if r == nil || r.Step != StepNewKey || r.NewKeyID != "" || r.OldKeyID != "old" {
		t.Fatalf("after dropping the wrong key: %+v", r)
	}
	if _, ok := d.Key("wrong"); ok {
		t.Fatal("the wrong key is still stored")
	}
	if ref, ok := d.Key("old"); !ok || ref.Key.Status != Active {
		t.Fatal("the key in use was touched")
	}
	step(t, d, t0, "a new key again", func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "right", mustSecret(t, secret), "") })
}
