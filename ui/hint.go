package ui

import (
	"errors"
	"fmt"

	"github.com/m3keys/m3keys/keystore"
)

// hintFor says what to do about err in the TUI (keys to press), or "": the keystore's errors
// carry facts only, and this is where they are worded for the screens.
func hintFor(err error) string {
	if h := storeHintFor(err); h != "" {
		return h
	}
	if h := rotationHintFor(err); h != "" {
		return h
	}
	var v *keystore.ValidationError
	switch {
	case errors.As(err, &v):
		return "correct the " + v.Field + " and try again"
	case errors.Is(err, keystore.ErrKeyLimit):
		return "press r to rotate: the wizard frees a slot without locking the integration out"
	case errors.Is(err, keystore.ErrKeyActive):
		return "press s to make it INACTIVE first, then d to remove it"
	case errors.Is(err, keystore.ErrLastActiveKey):
		return "the integration would be locked out; add and deploy a new key first, or press y to go ahead"
	case errors.Is(err, keystore.ErrDuplicateKey):
		return "an Access Key ID can be stored only once; remove the old entry first"
	case errors.Is(err, keystore.ErrOrgMismatch):
		return "press esc, select the stored organization and press e to edit it"
	case errors.Is(err, keystore.ErrNotFound):
		return "it was removed meanwhile (another terminal?); press esc to see what is stored"
	case errors.Is(err, keystore.ErrDuplicateOrg):
		return "press esc, select it and press e to edit it"
	case errors.Is(err, keystore.ErrDuplicateUser):
		return "choose another name, or press esc to find it in the list"
	case errors.Is(err, keystore.ErrOrgNotEmpty):
		return "remove its access keys first"
	case errors.Is(err, keystore.ErrSecretAlreadyCopied):
		return "a secret is handed out once; to get a new one, rotate the key"
	}
	return ""
}

// storeHintFor is hintFor for the errors that open or lock the store.
func storeHintFor(err error) string {
	var lt *keystore.LockTimeoutError
	switch {
	case errors.As(err, &lt) && lt.Own():
		return "wait for the sync to finish (the header shows it), then try again"
	case errors.As(err, &lt):
		holder := "another m3keys"
		if lt.PID > 0 {
			holder = fmt.Sprintf("another m3keys (pid %d)", lt.PID)
		}
		return holder + " is using the store — finish or quit it, then try again; if no m3keys runs, " +
			"another program holds the lock: find it with fuser " + lt.Path + " (or lsof), and stop it"
	case errors.Is(err, keystore.ErrLockTimeout):
		return "another m3keys is using the store — finish or quit it, then try again"
	case errors.Is(err, keystore.ErrWrongPassphrase):
		return "type it again"
	case errors.Is(err, keystore.ErrWrongIdentity):
		return "nothing was changed; put back the identity.age that belongs to this store (or the keystore.age that belongs to this identity) — " +
			"do not restore keystore.age.bak over keystore.age, it is encrypted to the same identity"
	case errors.Is(err, keystore.ErrOwner), errors.Is(err, keystore.ErrNotRegular), errors.Is(err, keystore.ErrPermissions):
		return "nothing was changed"
	case errors.As(err, new(*keystore.IdentityDamageError)):
		return "restore identity.age from a backup of your own; nothing was changed; keystore.age.bak cannot replace identity.age: it is a copy of keystore.age"
	case errors.Is(err, keystore.ErrCaseConflict):
		return "nothing was changed; keystore.age.bak holds the same organizations, so restoring it does not help: follow the steps above"
	case errors.Is(err, keystore.ErrCorrupt):
		return "nothing was changed; restore keystore.age from keystore.age.bak or a backup"
	case errors.Is(err, keystore.ErrFutureVersion):
		return "upgrade m3keys to open it"
	case errors.Is(err, keystore.ErrNoStore):
		return "add a key first (a)"
	}
	return ""
}

// rotationHintFor is hintFor for the rotation errors, in the wizard's keys.
func rotationHintFor(err error) string {
	switch {
	case errors.Is(err, keystore.ErrOverLimit):
		return "make keys INACTIVE (s) and remove them (d) until two remain"
	case errors.Is(err, keystore.ErrRotationInProgress):
		return "resume it (r), or cancel it first; nothing done so far is lost"
	case errors.Is(err, keystore.ErrNoRotation):
		return "start one with r on the service user"
	case errors.Is(err, keystore.ErrRotationStep):
		return "resume the rotation (r): it continues at its stored step"
	case errors.Is(err, keystore.ErrRotationStale):
		return "the store was changed meanwhile (another terminal?); cancel the rotation — what was done stays — check the keys, and start again"
	case errors.Is(err, keystore.ErrNothingToRotate):
		return "add the key m3ter's Console generated instead (a)"
	case errors.Is(err, keystore.ErrNotProved):
		return "test the new key (t) until it is valid; if m3ter rejects it, check the pasted ID and secret"
	case errors.Is(err, keystore.ErrWrongServiceUser):
		return "the key was generated for another service user: inactivate and delete it in the Console, then generate one under this service user"
	case errors.Is(err, keystore.ErrNotRetired):
		return "inactivate it in the m3ter Console and test it again (t) until m3ter rejects it, or confirm twice to remove it anyway"
	case errors.Is(err, keystore.ErrPopupOrgMismatch):
		return "the key was generated in another organization: generate it in this one, or add it there"
	case errors.Is(err, keystore.ErrFreesDeployed):
		return "press s to replace it instead, or enter to confirm that nothing runs on it any more"
	case errors.Is(err, keystore.ErrMustFree):
		return "select the other key and press r: this one is removed first to make room"
	case errors.Is(err, keystore.ErrNotWrongUser):
		return "test the new key (t): only a key users/me names another service user for is removed here"
	}
	return ""
}
