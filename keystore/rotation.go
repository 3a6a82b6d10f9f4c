package keystore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
)

// RotationStep is where a rotation stands: the step to do next. It is stored, so the
// wizard resumes where it was left, also after a restart or from another terminal.
type RotationStep int

const (
	StepFreeSlot RotationStep = 1 // remove a key to make room (only when the user holds two): RotationFreeSlot
	StepNewKey   RotationStep = 2 // store the key generated in the Console: RotationAddNewKey
	StepProve    RotationStep = 3 // its last check must be a full valid for this service user: RotationProved
	StepDeploy   RotationStep = 4 // the integration runs on the new key: RotationDeployed
	StepRetire   RotationStep = 5 // old key INACTIVE (RotationRetireOld), proven rejected and removed (RotationRemoveOld)
	StepDone     RotationStep = 6 // FinishRotation records the rotation and clears its progress
)

func (s RotationStep) String() string {
	switch s {
	case StepFreeSlot:
		return "free a slot"
	case StepNewKey:
		return "new key"
	case StepProve:
		return "prove it"
	case StepDeploy:
		return "deploy it"
	case StepRetire:
		return "retire the old key"
	case StepDone:
		return "done"
	}
	return fmt.Sprintf("step %d", int(s))
}

// Rotation errors: each step refuses with one of them when its precondition does not hold.
var (
	// ErrRotationInProgress: a service user has one rotation at a time.
	ErrRotationInProgress = errors.New("a rotation of this service user is already in progress")
	// ErrNoRotation: a step was asked of a service user with no rotation stored.
	ErrNoRotation = errors.New("no rotation of this service user is in progress")
	// ErrRotationStep: a step was asked out of order (RotationStep).
	ErrRotationStep = errors.New("the rotation is at another step")
	// ErrRotationStale: a key the rotation names was removed or changed outside it.
	ErrRotationStale = errors.New("the rotation's keys are no longer stored as they were")
	// ErrNothingToRotate: a service user without keys has nothing to rotate: add a key instead.
	ErrNothingToRotate = errors.New("service user has no access key to rotate")
	// ErrNotProved: the new key has no valid live check since it was added.
	ErrNotProved = errors.New("the new key is not proven valid")
	// ErrWrongServiceUser: users/me named another m3ter service user than the one learned.
	ErrWrongServiceUser = errors.New("the key belongs to another m3ter service user")
	// ErrNotRetired: no rejected check of the old key since it was made INACTIVE.
	ErrNotRetired = errors.New("m3ter has not rejected the old key since it was made INACTIVE")
	// ErrPopupOrgMismatch: the Console popup pasted belongs to another organization.
	ErrPopupOrgMismatch = errors.New("the Organization ID from m3ter's popup is not this organization's")
	// ErrOverLimit: a merge left three keys: no rotation starts until one is removed.
	ErrOverLimit = errors.New("service user is over the limit after merge")
	// ErrFreesDeployed: freeing an ACTIVE key with a deployed-to note needs an explicit yes.
	ErrFreesDeployed = errors.New("the key to free is deployed")
	// ErrMustFree: an INACTIVE or wrong-service-user key is freed, never replaced.
	ErrMustFree = errors.New("this key cannot be the one replaced")
	// ErrNotWrongUser: dropping the new key as a wrong one, though no check said so.
	ErrNotWrongUser = errors.New("the new key was not found to belong to another m3ter service user")
)

// RotationChoice is which of a service user's keys a rotation replaces and which it frees for room.
type RotationChoice struct {
	Replace string // the key the new one replaces: the one in use, retired once the new key is deployed
	Free    string // removed first to make room, when the user holds two keys
	// Fixed: Free is INACTIVE or flagged wrong-service-user, so it is freed whatever was selected.
	Fixed bool
}

// ChooseRotation applies the rules for which key a rotation replaces, for the key selected ("" for
// the service user's header). An INACTIVE or wrong-service-user key is always the one freed; else the
// selected key is replaced; on the header, the key with a deployed-to note, else the older. The
// note is the one sign of use: every ACTIVE key m3keys tests is valid, in use or not.
func (u *ServiceUser) ChooseRotation(selected string) (RotationChoice, error) {
	switch {
	case u.OverLimit():
		return RotationChoice{}, fmt.Errorf("%w: %s holds %d keys", ErrOverLimit, u.Name, len(u.Keys))
	case len(u.Keys) == 0:
		return RotationChoice{}, fmt.Errorf("%w: %s", ErrNothingToRotate, u.Name)
	case selected != "" && !slices.ContainsFunc(u.Keys, func(k AccessKey) bool { return k.AccessKeyID == selected }):
		return RotationChoice{}, fmt.Errorf("access key %s under %s: %w", selected, u.Name, ErrNotFound)
	case len(u.Keys) == 1:
		return RotationChoice{Replace: u.Keys[0].AccessKeyID}, nil
	}
	a, b := &u.Keys[0], &u.Keys[1]
	switch {
	case a.unusable() != b.unusable():
		if a.unusable() {
			a, b = b, a
		}
		return RotationChoice{Replace: a.AccessKeyID, Free: b.AccessKeyID, Fixed: true}, nil
	case selected == b.AccessKeyID, selected == "" && !replacedFirst(a, b):
		a, b = b, a
	}
	return RotationChoice{Replace: a.AccessKeyID, Free: b.AccessKeyID}, nil
}

// replacedFirst says whether, with no key selected, a is replaced rather than b: the key with a
// deployed-to note, else the older.
func replacedFirst(a, b *AccessKey) bool {
	if (a.DeployedTo != "") != (b.DeployedTo != "") {
		return a.DeployedTo != ""
	}
	return !b.CreatedAt.Before(a.CreatedAt)
}

// unusable: m3ter rejects the key (INACTIVE) or it works for another m3ter service user.
func (k *AccessKey) unusable() bool {
	return k.Status == Inactive || (k.LastCheck != nil && k.LastCheck.WrongServiceUser != "")
}

// locksOut is the deployed-to note of a key whose removal would lock out where it is deployed, or "".
func (k *AccessKey) locksOut() string {
	if k.Status == Inactive {
		return "" // m3ter rejects it already: nothing runs on it
	}
	return k.DeployedTo
}

// StartRotation begins a rotation that replaces the key named replace ("" for the service user's
// header; see ChooseRotation). Freeing a key with a deployed-to note locks out where it is deployed:
// it is refused unless freeDeployed is the user's explicit second confirmation.
func (tx *Tx) StartRotation(orgID, user, replace string, freeDeployed bool) error {
	o, u, err := tx.rotationUser(orgID, user)
	if err != nil {
		return err
	}
	if u.Rotation != nil {
		return fmt.Errorf("%w: %s is at step %d (%s)", ErrRotationInProgress, u.Name, u.Rotation.Step, u.Rotation.Step)
	}
	c, err := u.ChooseRotation(replace)
	if err != nil {
		return err
	}
	if replace != "" && c.Replace != replace {
		return fmt.Errorf("%w: %s is INACTIVE or works for another service user, so it is the key freed", ErrMustFree, replace)
	}
	r := &Rotation{Step: StepNewKey, OldKeyID: c.Replace, StartedAt: tx.now}
	detail := "replacing " + r.OldKeyID
	if c.Free != "" {
		free, _ := userKey(u, c.Free)
		if err := freeing(free, freeDeployed); err != nil {
			return err
		}
		r.Step, r.FreeKeyID, r.FreeDeployedConfirmed = StepFreeSlot, c.Free, free.locksOut() != ""
		detail += "; removing " + c.Free + " first to make room"
		if r.FreeDeployedConfirmed {
			detail += " (deployed to " + free.DeployedTo + "; confirmed twice)"
		}
	}
	u.Rotation = r
	tx.record("rotation.start", o.ID, u.Name, r.OldKeyID, detail)
	return nil
}

// freeing refuses to free a key whose removal locks out where it is deployed, unless confirmed.
func freeing(k *AccessKey, confirmed bool) error {
	if where := k.locksOut(); where != "" && !confirmed {
		return fmt.Errorf("%w: removing %s locks out %s", ErrFreesDeployed, k.AccessKeyID, where)
	}
	return nil
}

// RotationInactivateFree makes the key chosen to free INACTIVE (step 1, first half), as it is
// deleted in the Console on the first visit; it may be called again.
func (tx *Tx) RotationInactivateFree(orgID, user string) error {
	o, u, r, err := tx.rotationAt(orgID, user, StepFreeSlot)
	if err != nil {
		return err
	}
	k, err := rotationKey(u, r.FreeKeyID, "the key to free")
	if err != nil {
		return err
	}
	if err := freeing(k, r.FreeDeployedConfirmed); err != nil { // a note added since the start
		return err
	}
	if err := tx.SetStatus(k.AccessKeyID, Inactive, false); err != nil {
		return err
	}
	return tx.advance(o, u, StepFreeSlot, func(*Rotation) {}, "rotation.free-inactivate", r.FreeKeyID, "made INACTIVE here")
}

// RotationFreeSlot removes the INACTIVE key chosen to free (step 1, second half): only once m3ter
// rejected it since it was made INACTIVE (the Console deleted it), or when the user confirmed twice.
func (tx *Tx) RotationFreeSlot(orgID, user string, confirmedTwice bool) error {
	o, u, r, err := tx.rotationAt(orgID, user, StepFreeSlot)
	if err != nil {
		return err
	}
	if _, err := rotationKey(u, r.OldKeyID, "the key to replace"); err != nil {
		return err
	}
	k, ok := userKey(u, r.FreeKeyID)
	if !ok {
		if err := u.FreeSlot(); err != nil {
			return fmt.Errorf("%w: %s, the key to free, is gone but %s still holds two keys", ErrRotationStale, r.FreeKeyID, u.Name)
		}
		return tx.advance(o, u, StepNewKey, func(r *Rotation) { r.FreedAt = tx.now }, "rotation.free-slot", r.FreeKeyID, r.FreeKeyID+" was already removed")
	}
	note := k.DeployedTo
	detail, err := tx.removeRetired(k, confirmedTwice)
	if err != nil {
		return err
	}
	if u, err = tx.user(o.ID, user); err != nil { // the removal moved the user's keys
		return err
	}
	return tx.advance(o, u, StepNewKey, func(r *Rotation) { r.FreedAt, r.FreedDeployedTo = tx.now, note }, "rotation.free-slot", r.FreeKeyID, detail)
}

// removeRetired removes an INACTIVE key once m3ter rejected it since it was made INACTIVE, or
// when the user confirmed twice to remove it anyway; it returns the history detail.
func (tx *Tx) removeRetired(k *AccessKey, confirmedTwice bool) (string, error) {
	if k.Status != Inactive {
		return "", fmt.Errorf("%w: make %s INACTIVE first", ErrRotationStep, k.AccessKeyID)
	}
	detail := "removed: m3ter rejects it"
	if !k.Retired() {
		if !confirmedTwice {
			why := "not tested since it was made INACTIVE"
			if k.StillAccepted() {
				why = "m3ter still accepts it"
			}
			return "", fmt.Errorf("%w: %s: %s", ErrNotRetired, k.AccessKeyID, why)
		}
		detail = "removed without proof that m3ter rejects it (confirmed twice)"
	}
	return detail, tx.RemoveKey(k.AccessKeyID)
}

// RotationDropWrongKey removes the new key when users/me named another m3ter service user for it
// (step 3), and goes back to step 2 with the slot free: the wrong key is not stored, and the key
// in use stays where it is.
func (tx *Tx) RotationDropWrongKey(orgID, user string) error {
	o, _, r, k, err := tx.rotationKeyAt(orgID, user, StepProve, newKey)
	if err != nil {
		return err
	}
	if c := k.LastCheck; c == nil || c.WrongServiceUser == "" || c.At.Before(r.AddedAt) {
		return fmt.Errorf("%w: %s", ErrNotWrongUser, k.AccessKeyID)
	}
	wrong := k.LastCheck.WrongServiceUser
	if err := tx.SetStatus(k.AccessKeyID, Inactive, true); err != nil {
		return err
	}
	if err := tx.RemoveKey(k.AccessKeyID); err != nil {
		return err
	}
	u, err := tx.user(o.ID, user)
	if err != nil {
		return err
	}
	return tx.advance(o, u, StepNewKey, func(r *Rotation) { r.NewKeyID, r.AddedAt = "", time.Time{} }, "rotation.wrong-key",
		k.AccessKeyID, "removed: users/me named m3ter service user "+wrong)
}

// RotationAddNewKey stores the key generated in the Console (step 2). popupOrgID, the Organization
// ID the Console's popup shows, is optional; when given it must be this organization's.
func (tx *Tx) RotationAddNewKey(orgID, user, keyID string, secret Secret, popupOrgID string) error {
	o, u, r, err := tx.rotationAt(orgID, user, StepNewKey)
	if err != nil {
		return err
	}
	if popupOrgID != "" {
		if err := validate.OrgID(popupOrgID); err != nil {
			return err
		}
		if CanonicalOrgID(popupOrgID) != o.ID {
			return fmt.Errorf("%w: the popup shows %s, the key is being added to %s", ErrPopupOrgMismatch, CanonicalOrgID(popupOrgID), o.ID)
		}
	}
	if _, err := rotationKey(u, r.OldKeyID, "the key to replace"); err != nil {
		return err
	}
	if err := tx.AddKey(o.ID, u.Name, NewKey{AccessKeyID: keyID, Secret: secret}); err != nil {
		return err
	}
	return tx.advance(o, u, StepProve, func(r *Rotation) { r.NewKeyID, r.AddedAt = keyID, tx.now }, "rotation.new-key", keyID, "added "+keyID)
}

// RotationProved accepts the new key's last check as proof (step 3): a full valid (users/me
// asked) made since it was added, naming the m3ter service user learned for this user.
func (tx *Tx) RotationProved(orgID, user string) error {
	o, u, r, k, err := tx.rotationKeyAt(orgID, user, StepProve, newKey)
	if err != nil {
		return err
	}
	c := k.LastCheck
	switch {
	case c == nil || c.At.Before(r.AddedAt):
		return fmt.Errorf("%w: %s has not been tested", ErrNotProved, k.AccessKeyID)
	case c.WrongServiceUser != "":
		return fmt.Errorf("%w: users/me named m3ter service user %s for %s, but %s is %s", ErrWrongServiceUser, c.WrongServiceUser, k.AccessKeyID, u.Name, u.ID)
	case c.Result != "valid":
		return fmt.Errorf("%w: %s was %s on its last test", ErrNotProved, k.AccessKeyID, c.Result)
	case !c.Verified:
		return fmt.Errorf("%w: %s got a token, but users/me was not asked (a token-only test)", ErrNotProved, k.AccessKeyID)
	}
	return tx.advance(o, u, StepDeploy, func(r *Rotation) { r.ProvedAt = tx.now }, "rotation.proved", k.AccessKeyID, "valid on "+c.At.Format(time.RFC3339))
}

// RotationDeployed records that the integration runs on the new key (step 4). The new key
// takes RotationNote when it has no note of its own.
func (tx *Tx) RotationDeployed(orgID, user string) error {
	o, u, _, k, err := tx.rotationKeyAt(orgID, user, StepDeploy, newKey)
	if err != nil {
		return err
	}
	if k.Status != Active {
		return fmt.Errorf("%w: the new key %s was made INACTIVE", ErrRotationStale, k.AccessKeyID)
	}
	if note := u.RotationNote(); k.DeployedTo == "" && note != "" {
		if err := tx.SetDeployedTo(k.AccessKeyID, note); err != nil {
			return err
		}
	}
	return tx.advance(o, u, StepRetire, func(r *Rotation) { r.DeployedAt = tx.now }, "rotation.deployed", k.AccessKeyID, "the integration runs on "+k.AccessKeyID)
}

// RotationNote is the deployed-to note a rotation offers the new key: where the old key is
// deployed, else where the freed key was.
func (u *ServiceUser) RotationNote() string {
	r := u.Rotation
	if r == nil {
		return ""
	}
	if old, ok := userKey(u, r.OldKeyID); ok && old.DeployedTo != "" {
		return old.DeployedTo
	}
	return r.FreedDeployedTo
}

// RotationRetireOld makes the old key INACTIVE (step 5, first half); it may be called again.
func (tx *Tx) RotationRetireOld(orgID, user string) error {
	o, u, r, k, err := tx.rotationKeyAt(orgID, user, StepRetire, oldKey)
	if err != nil {
		return err
	}
	if nk, ok := userKey(u, r.NewKeyID); !ok || nk.Status != Active {
		return fmt.Errorf("%w: the new key %s is not stored as ACTIVE any more", ErrRotationStale, r.NewKeyID)
	}
	if err := tx.SetStatus(k.AccessKeyID, Inactive, false); err != nil {
		return err
	}
	return tx.advance(o, u, StepRetire, func(r *Rotation) { r.RetiredAt = tx.now }, "rotation.retire", r.OldKeyID, "made INACTIVE here")
}

// RotationRemoveOld removes the INACTIVE old key (step 5, second half): only once m3ter rejected
// it on a check since it was made INACTIVE, or when the user confirmed twice to remove it anyway.
func (tx *Tx) RotationRemoveOld(orgID, user string, confirmedTwice bool) error {
	o, _, r, k, err := tx.rotationKeyAt(orgID, user, StepRetire, oldKey)
	if err != nil {
		return err
	}
	retiredAt := k.InactivatedAt
	detail, err := tx.removeRetired(k, confirmedTwice)
	if err != nil {
		return err
	}
	u, err := tx.user(o.ID, user) // the removal changed the user's keys
	if err != nil {
		return err
	}
	return tx.advance(o, u, StepDone, func(r *Rotation) {
		if r.RetiredAt.IsZero() {
			r.RetiredAt = retiredAt
		}
		r.RemovedAt = tx.now
	}, "rotation.remove-old", r.OldKeyID, detail)
}

// FinishRotation records the rotation in history (both key IDs, when each step finished)
// and clears its progress (step 6).
func (tx *Tx) FinishRotation(orgID, user string) error {
	o, u, r, err := tx.rotationAt(orgID, user, StepDone)
	if err != nil {
		return err
	}
	parts := []string{fmt.Sprintf("replaced %s with %s", r.OldKeyID, r.NewKeyID)}
	if r.FreeKeyID != "" {
		parts = append(parts, "removed "+r.FreeKeyID+" for room")
	}
	for _, s := range []struct {
		what string
		at   time.Time
	}{{"started", r.StartedAt}, {"slot freed", r.FreedAt}, {"added", r.AddedAt}, {"proved", r.ProvedAt},
		{"deployed", r.DeployedAt}, {"retired", r.RetiredAt}, {"removed", r.RemovedAt}, {"done", tx.now}} {
		if !s.at.IsZero() {
			parts = append(parts, s.what+" "+s.at.UTC().Format(time.RFC3339))
		}
	}
	u.Rotation = nil
	tx.record("rotation.done", o.ID, u.Name, r.NewKeyID, strings.Join(parts, "; "))
	return nil
}

// CancelRotation leaves a rotation at any step: what was done stays done, the progress is cleared.
func (tx *Tx) CancelRotation(orgID, user string) error {
	o, u, err := tx.rotationUser(orgID, user)
	if err != nil {
		return err
	}
	if u.Rotation == nil {
		return fmt.Errorf("%w: %s", ErrNoRotation, u.Name)
	}
	r := u.Rotation
	u.Rotation = nil
	tx.record("rotation.cancel", o.ID, u.Name, r.NewKeyID, fmt.Sprintf("cancelled at step %d (%s); what was done stays", r.Step, r.Step))
	return nil
}

func (tx *Tx) rotationUser(orgID, user string) (*Organization, *ServiceUser, error) {
	oi, ui, err := tx.userPos(orgID, user)
	if err != nil {
		return nil, nil, err
	}
	o := &tx.doc.Organizations[oi]
	return o, &o.ServiceUsers[ui], nil
}

// rotationAt finds the user's rotation and refuses unless it is at step.
func (tx *Tx) rotationAt(orgID, user string, step RotationStep) (*Organization, *ServiceUser, Rotation, error) {
	o, u, err := tx.rotationUser(orgID, user)
	if err != nil {
		return nil, nil, Rotation{}, err
	}
	if u.Rotation == nil {
		return nil, nil, Rotation{}, fmt.Errorf("%w: %s (cancelled or finished from another terminal?)", ErrNoRotation, u.Name)
	}
	if u.Rotation.Step != step {
		return nil, nil, Rotation{}, fmt.Errorf("%w: %s is at step %d (%s), not %d (%s)", ErrRotationStep, u.Name, u.Rotation.Step, u.Rotation.Step, step, step)
	}
	return o, u, *u.Rotation, nil
}

// advance stores the rotation's next step with set applied, and records it.
func (tx *Tx) advance(o *Organization, u *ServiceUser, next RotationStep, set func(*Rotation), action, keyID, detail string) error {
	if u.Rotation == nil {
		return fmt.Errorf("%w: %s", ErrNoRotation, u.Name)
	}
	r := *u.Rotation
	set(&r)
	r.Step = next
	u.Rotation = &r
	tx.record(action, o.ID, u.Name, keyID, detail)
	return nil
}

// userKey finds one of the user's keys.
func userKey(u *ServiceUser, id string) (*AccessKey, bool) {
	for i := range u.Keys {
		if u.Keys[i].AccessKeyID == id {
			return &u.Keys[i], true
		}
	}
	return nil, false
}

// Which key of a rotation a step works on.
const (
	oldKey = "the old key"
	newKey = "the new key"
)

// rotationKeyAt is rotationAt plus the rotation's old or new key, which must still be stored.
func (tx *Tx) rotationKeyAt(orgID, user string, step RotationStep, which string) (*Organization, *ServiceUser, Rotation, *AccessKey, error) {
	o, u, r, err := tx.rotationAt(orgID, user, step)
	if err != nil {
		return nil, nil, Rotation{}, nil, err
	}
	id := r.NewKeyID
	if which == oldKey {
		id = r.OldKeyID
	}
	k, err := rotationKey(u, id, which)
	if err != nil {
		return nil, nil, Rotation{}, nil, err
	}
	return o, u, r, k, nil
}

// rotationKey is userKey that refuses, naming the key's part in the rotation, when it is gone.
func rotationKey(u *ServiceUser, id, role string) (*AccessKey, error) {
	if k, ok := userKey(u, id); ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w: %s %s is no longer stored under %s (removed from another terminal?)", ErrRotationStale, role, id, u.Name)
}
