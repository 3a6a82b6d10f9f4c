package cli

import (
	"errors"
	"fmt"

	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/internal/storehint"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// hint says what to do about err on the command line (commands and flags), or "": the keystore's
// errors carry facts only, and this is where they are worded for the CLI.
func hint(err error) string {
	if h := storeHint(err); h != "" {
		return h
	}
	if h := rotationHint(err); h != "" {
		return h
	}
	if h := teamHint(err); h != "" {
		return h
	}
	if h := storehint.Common(err); h != "" {
		return h
	}
	switch {
	case errors.Is(err, keystore.ErrKeyLimit):
		return "to rotate: make one key INACTIVE (m3keys inactivate KEY_ID), remove it here (m3keys remove KEY_ID) and in the m3ter Console, then add the new one"
	case errors.Is(err, keystore.ErrKeyActive):
		return "make it INACTIVE first (m3keys inactivate KEY_ID), then remove it"
	case errors.Is(err, keystore.ErrLastActiveKey):
		return "the integration would be locked out; add and deploy a new key first, or confirm with --force"
	case errors.Is(err, keystore.ErrDuplicateKey):
		return "an Access Key ID can be stored only once; remove the old entry first"
	case errors.Is(err, keystore.ErrOrgMismatch):
		return "leave out the name and API URL to use the stored ones, or edit the organization in the TUI (run m3keys)"
	case errors.Is(err, keystore.ErrNotFound):
		return "check the ID; m3keys list shows what is stored"
	case errors.Is(err, keystore.ErrDuplicateOrg):
		return "it is stored already; m3keys list shows it"
	case errors.Is(err, keystore.ErrDuplicateUser):
		return "it is stored already; choose another name or add the key to it"
	case errors.Is(err, keystore.ErrOrgNotEmpty):
		return "remove its access keys first (m3keys remove KEY_ID)"
	case errors.Is(err, keystore.ErrTeamIdentity):
		return "join again into a new directory (m3keys --home DIR team join URL), have a member add that recipient and remove the old one, " +
			"then run m3keys sync; plain m3keys passwd changes the passphrase"
	case errors.Is(err, keystore.ErrNoSecretKey):
		return "run m3keys lock, then try again: it asks for the passphrase"
	case errors.Is(err, keystore.ErrNotCommitted):
		return "m3keys sync commits it"
	case errors.Is(err, importer.ErrTooLarge):
		return "split it into several imports"
	case errors.Is(err, importer.ErrUnknownColumn):
		return "the first line must be a header naming columns from " + importer.Columns
	case errors.Is(err, importer.ErrMissingColumn):
		return "the header must start " + importer.Header
	case errors.Is(err, importer.ErrFieldTwice):
		return "give each field once"
	}
	return ""
}

// teamHint is hint for the errors of a team store: its setup, members and sync.
func teamHint(err error) string {
	var refused *team.RefusedError
	var self *team.SelfRemovalError
	var noBranch *team.NoBranchError
	var noRemote *team.NoRemoteError
	switch {
	case errors.Is(err, team.ErrInitNotPushed):
		return "fix the remote, then run m3keys sync"
	case errors.Is(err, team.ErrGitStopped):
		return "the store keeps what it had; m3keys sync finishes the job"
	case errors.As(err, &refused):
		return "no m3keys writes such a commit, so someone who can push to the remote did: have its " + refused.Branch() +
			" branch reset to the last good commit, then run m3keys sync"
	case errors.As(err, &noRemote):
		return "add one: git --git-dir " + noRemote.GitDir + " remote add origin URL, then m3keys sync"
	case errors.Is(err, team.ErrPushRace):
		return "run m3keys sync again"
	case errors.Is(err, team.ErrUntrusted):
		return "run m3keys team trust to review it, then m3keys sync"
	case errors.Is(err, team.ErrNoSuchConflict):
		return "run m3keys sync without it to see the conflicts"
	case errors.Is(err, team.ErrAlreadyMember), errors.Is(err, team.ErrNoMember):
		return "m3keys team list shows the members"
	case errors.Is(err, team.ErrJoinNameTaken):
		return "choose another name with --name"
	case errors.Is(err, team.ErrNameTaken):
		return "choose another name"
	case errors.As(err, &self):
		return "ask another member to run " + self.RemoveLine()
	case errors.As(err, &noBranch):
		return "a member runs m3keys team init --remote " + noBranch.URL + " first; then remove " + noBranch.Dir + " and join again"
	case errors.Is(err, team.ErrNotTeam):
		return "make it one with m3keys team init, or join one with m3keys team join URL"
	case errors.Is(err, team.ErrAlreadyTeam):
		return "m3keys team list shows its members"
	case errors.Is(err, team.ErrRepoInStore):
		return "move " + team.GitDir + " (or .git) out of the store first"
	case errors.Is(err, team.ErrJoinNotEmpty):
		return "join into a new directory with --home DIR"
	}
	return memberHint(err)
}

// memberHint is hint for the keystore's errors of a team store: this member's recipient list.
func memberHint(err error) string {
	var unlisted *keystore.UnlistedError
	switch {
	case errors.Is(err, keystore.ErrUntrustedRecipients):
		return "run m3keys team trust to review who was added or removed, then try again"
	case errors.Is(err, keystore.ErrTrustDamaged):
		return "run m3keys team trust to confirm the list again"
	case errors.As(err, &unlisted):
		return "to be added, send this to a member: m3keys team add NAME " + unlisted.Recipient + "; then run m3keys sync"
	case errors.Is(err, keystore.ErrWrittenBeforeAdded):
		return "run m3keys sync"
	}
	return ""
}

// storeHint is hint for the errors that open or lock the store.
func storeHint(err error) string {
	var lt *keystore.LockTimeoutError
	var owner *keystore.OwnerError
	switch {
	case errors.As(err, &owner) && owner.Dir:
		return "run m3keys as that user, or use a store of your own (--home DIR)"
	case errors.Is(err, keystore.ErrNotDirectory):
		return "pass a directory with --home"
	case errors.Is(err, keystore.ErrIdentityUnavailable):
		return "run m3keys unlock, or run the command again to type the passphrase"
	case errors.As(err, &lt):
		return fmt.Sprintf("try again when the other m3keys has finished, or wait longer with --lock-timeout 1m; "+
			"if no m3keys runs, fuser %s names what holds the lock", lt.Path)
	case errors.Is(err, keystore.ErrLockTimeout):
		return "try again when the other m3keys has finished, or wait longer with --lock-timeout 1m"
	case errors.Is(err, keystore.ErrWrongPassphrase):
		return "check $M3KEYS_PASSPHRASE or type it again"
	case errors.Is(err, keystore.ErrNoStore):
		return "add a key first (m3keys add …) or run m3keys to create the store"
	}
	return ""
}

// rotationHint is hint for the rotation errors: the rotation wizard is in the TUI (run m3keys).
func rotationHint(err error) string {
	switch {
	case errors.Is(err, keystore.ErrOverLimit):
		return "inactivate and remove keys until two remain (m3keys inactivate KEY_ID, m3keys remove KEY_ID)"
	case errors.Is(err, keystore.ErrRotationInProgress), errors.Is(err, keystore.ErrRotationStep):
		return "a rotation runs in the TUI: run m3keys and resume it, or cancel it there; nothing done so far is lost"
	case errors.Is(err, keystore.ErrNoRotation):
		return "run m3keys and start a rotation on the service user"
	case errors.Is(err, keystore.ErrRotationStale):
		return "the store was changed meanwhile (another terminal?); run m3keys, cancel the rotation (what was done stays), check the keys, and start again"
	case errors.Is(err, keystore.ErrNothingToRotate):
		return "add the key m3ter's Console generated instead (m3keys add …)"
	case errors.Is(err, keystore.ErrNotProved):
		return "test the new key (m3keys check KEY_ID) until it is valid; if m3ter rejects it, check the pasted ID and secret"
	case errors.Is(err, keystore.ErrNotRetired):
		return "inactivate it in the m3ter Console and test it again (m3keys check KEY_ID) until m3ter rejects it"
	case errors.Is(err, keystore.ErrFreesDeployed), errors.Is(err, keystore.ErrMustFree), errors.Is(err, keystore.ErrNotWrongUser):
		return "run m3keys and follow its rotation wizard: it chooses which key to free"
	}
	return ""
}
