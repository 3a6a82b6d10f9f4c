package ui

import (
	"errors"
	"fmt"

	"github.com/m3keys/m3keys/internal/storehint"
	"github.com/m3keys/m3keys/internal/team"
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
	if h := teamHintFor(err); h != "" {
		return h
	}
	if h := storehint.Common(err); h != "" {
		return h
	}
	switch {
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
	}
	return ""
}

// teamHintFor is hintFor for the errors of a team store's sync (S).
func teamHintFor(err error) string {
	var refused *team.RefusedError
	var noRemote *team.NoRemoteError
	switch {
	case errors.Is(err, keystore.ErrNotCommitted):
		return "the next sync (S) commits it"
	case errors.Is(err, team.ErrGitStopped):
		return "the store keeps what it had; the next sync (S) finishes the job"
	case errors.As(err, &refused):
		return "no m3keys writes such a commit, so someone who can push to the remote did: have its " + refused.Branch() +
			" branch reset to the last good commit, then sync again (S)"
	case errors.As(err, &noRemote):
		return "add one: git --git-dir " + noRemote.GitDir + " remote add origin URL, then sync again (S)"
	case errors.Is(err, team.ErrPushRace):
		return "sync again (S)"
	case errors.Is(err, team.ErrUntrusted), errors.Is(err, keystore.ErrUntrustedRecipients):
		return "sync (S) to review who was added or removed, and trust the list (y)"
	}
	return memberHintFor(err)
}

// memberHintFor is hintFor for the keystore's errors of a team store that does not open or
// save for this member; the unlock screen shows the first two, where no sync key works yet.
func memberHintFor(err error) string {
	var unlisted *keystore.UnlistedError
	switch {
	case errors.As(err, &unlisted):
		return "to be added, send a member your recipient: " + unlisted.Recipient + "; once you are added, a sync brings a version encrypted to you"
	case errors.Is(err, keystore.ErrWrittenBeforeAdded):
		return "a sync brings the version encrypted to you"
	case errors.Is(err, keystore.ErrTrustDamaged):
		return "sync (S) to review the list and trust it again (y)"
	}
	return ""
}

// storeHintFor is hintFor for the errors that open or lock the store.
func storeHintFor(err error) string {
	var lt *keystore.LockTimeoutError
	var owner *keystore.OwnerError
	switch {
	case errors.As(err, &owner) && owner.Dir:
		return "run m3keys as that user, or start it on a store of your own"
	case errors.Is(err, keystore.ErrNotDirectory):
		return "start m3keys again with a directory as its store"
	case errors.Is(err, keystore.ErrIdentityUnavailable):
		return "quit (q) and start m3keys again to type the passphrase"
	case errors.As(err, &lt) && lt.Own():
		return "wait for the sync to finish (the header shows it), then try again"
	case errors.As(err, &lt):
		holder := "another m3keys"
		if lt.PID > 0 {
			holder = fmt.Sprintf("another m3keys (pid %d)", lt.PID)
		}
		return holder + " is using the store: finish or quit it, then try again; if no m3keys runs, " +
			"another program holds the lock: find it with fuser " + lt.Path + " (or lsof), and stop it"
	case errors.Is(err, keystore.ErrLockTimeout):
		return "another m3keys is using the store: finish or quit it, then try again"
	case errors.Is(err, keystore.ErrWrongPassphrase):
		return "type it again"
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
	case errors.Is(err, keystore.ErrNotRetired):
		return "inactivate it in the m3ter Console and test it again (t) until m3ter rejects it, or confirm twice to remove it anyway"
	case errors.Is(err, keystore.ErrFreesDeployed):
		return "press s to replace it instead, or enter to confirm that nothing runs on it any more"
	case errors.Is(err, keystore.ErrMustFree):
		return "select the other key and press r: this one is removed first to make room"
	case errors.Is(err, keystore.ErrNotWrongUser):
		return "test the new key (t): only a key users/me names another service user for is removed here"
	}
	return ""
}
