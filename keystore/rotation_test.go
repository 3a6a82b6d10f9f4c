package keystore

import (
	"errors"
	"strings"
	"testing"
	"time"
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
		t.Fatalf("%s: %v (advice: %s)", name, err, Advice(err))
	}
}

func refused(t *testing.T, d *Document, name string, want error, f func(*Tx) error) {
	t.Helper()
	err := f(d.Clone().Edit(t0)) // on a copy: a refusal is tested, not applied
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", name, err, want)
	}
	if Advice(err) == "" {
		t.Errorf("%s: %v has no advice", name, err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("%s: the error holds the secret", name)
	}
}

func check(result string, verified bool, at time.Time) Check {
	return Check{At: at, Result: result, Verified: verified, HTTPStatus: 200}
}

// TestRotationTwoKeysEveryStep walks a user holding two ACTIVE keys through every step.
func TestRotationTwoKeysEveryStep(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "old-1", DeployedTo: "vault:ci/m3ter"}, NewKey{AccessKeyID: "old-2"})
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	step(t, d, at(1), "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	r := rotation(t, d)
	if r == nil || r.Step != StepFreeSlot || r.FreeKeyID != "old-1" || r.OldKeyID != "old-2" {
		t.Fatalf("start: %+v, want to free the older old-1 and replace old-2", r)
	}
	refused(t, d, "start twice", ErrRotationInProgress, func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	refused(t, d, "a step out of order", ErrRotationStep, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	refused(t, d, "a new key before the slot is free", ErrRotationStep, func(tx *Tx) error {
		return tx.RotationAddNewKey(orgA, "ci", "new-1", mustSecret(t, secret), "")
	})

	step(t, d, at(2), "free a slot", func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci") })
	if _, ok := d.Key("old-1"); ok {
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
	if ref, _ := d.Key("new-1"); ref.Key.DeployedTo != "" {
		t.Errorf("new key took a note old-2 did not have: %q", ref.Key.DeployedTo)
	}

	refused(t, d, "remove the old key while ACTIVE", ErrRotationStep, func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", true) })
	step(t, d, at(7), "retire", func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	if ref, _ := d.Key("old-2"); ref.Key.Status != Inactive {
		t.Fatal("retire left the old key ACTIVE")
	}
	refused(t, d, "remove an untested old key", ErrNotRetired, func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", false) })
	d.Edit(at(8)).RecordCheck("old-2", check("valid", true, at(8)))
	err := d.Clone().Edit(at(8)).RotationRemoveOld(orgA, "ci", false)
	if !errors.Is(err, ErrNotRetired) || !strings.Contains(err.Error(), "still accepts") {
		t.Fatalf("remove a still accepted old key: %v", err)
	}
	d.Edit(at(9)).RecordCheck("old-2", check("rejected", true, at(9)))
	step(t, d, at(9), "remove old", func(tx *Tx) error { return tx.RotationRemoveOld(orgA, "ci", false) })

	refused(t, d, "cancel is the only way back", ErrRotationStep, func(tx *Tx) error { return tx.RotationRetireOld(orgA, "ci") })
	step(t, d, at(10), "finish", func(tx *Tx) error { return tx.FinishRotation(orgA, "ci") })
	if r := rotation(t, d); r != nil {
		t.Fatalf("finish left %+v", r)
	}
	last := d.History[len(d.History)-1]
	for _, want := range []string{"replaced old-2 with new-1", "removed old-1 for room", "proved 2026-11-26T12:05:00Z", "removed 2026-11-26T12:09:00Z", "deployed 2026-11-26T12:06:00Z"} {
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
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	if r := rotation(t, d); r.Step != StepNewKey || r.OldKeyID != "old" || r.FreeKeyID != "" {
		t.Fatalf("start: %+v", r)
	}
	refused(t, d, "free a slot with one key", ErrRotationStep, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci") })
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
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	if r := rotation(t, d); r.FreeKeyID != "spare" || r.OldKeyID != "older" {
		t.Fatalf("start: %+v, want to free the INACTIVE spare", r)
	}
}

func TestRotationRefusals(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		refused(t, rotationDoc(t), "start", ErrNothingToRotate, func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	})
	t.Run("no user", func(t *testing.T) {
		refused(t, rotationDoc(t), "start", ErrNotFound, func(tx *Tx) error { return tx.StartRotation(orgA, "nobody") })
	})
	t.Run("no rotation", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "k"})
		refused(t, d, "cancel", ErrNoRotation, func(tx *Tx) error { return tx.CancelRotation(orgA, "ci") })
		refused(t, d, "prove", ErrNoRotation, func(tx *Tx) error { return tx.RotationProved(orgA, "ci") })
	})
	t.Run("wrong service user", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "old"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
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
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
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
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("a", Inactive, false); err != nil {
				return err
			}
			if err := tx.RemoveKey("a"); err != nil {
				return err
			}
			return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "c", Secret: mustSecret(t, secret)})
		})
		refused(t, d, "free", ErrRotationStale, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci") })
	})
	t.Run("the key to free already removed", func(t *testing.T) {
		d := rotationDoc(t, NewKey{AccessKeyID: "a"}, NewKey{AccessKeyID: "b"})
		step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
		step(t, d, t0, "elsewhere", func(tx *Tx) error {
			if err := tx.SetStatus("a", Inactive, false); err != nil {
				return err
			}
			return tx.RemoveKey("a")
		})
		step(t, d, t0, "free", func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci") })
		if r := rotation(t, d); r.Step != StepNewKey {
			t.Fatalf("free with the slot already free: %+v", r)
		}
	})
	t.Run("over the limit after merge", func(t *testing.T) {
		d := overLimitDoc(t)
		refused(t, d, "start", ErrOverLimit, func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
	})
}

// provedAndDeployed is a rotation of ci's one key "old" to "new", at StepRetire.
func provedAndDeployed(t *testing.T) *Document {
	d := rotationDoc(t, NewKey{AccessKeyID: "old"})
	step(t, d, t0, "start", func(tx *Tx) error { return tx.StartRotation(orgA, "ci") })
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
		return tx.StartRotation(orgA, "ci")
	})
	update(s, func(tx *Tx) error { return tx.RotationFreeSlot(orgA, "ci") })
	update(s, func(tx *Tx) error { return tx.RotationAddNewKey(orgA, "ci", "c", mustSecret(t, secret), "") })

	again, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	r := rotation(t, again.Document())
	if r == nil || r.Step != StepProve || r.NewKeyID != "c" || r.OldKeyID != "b" || r.FreeKeyID != "k1" || r.FreedAt.IsZero() || r.AddedAt.IsZero() {
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
