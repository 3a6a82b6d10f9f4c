package keystore

import (
	"errors"
	"fmt"

	"github.com/m3keys/m3keys/internal/validate"
)

// Rule errors: the UI and CLI translate them, they never re-check the rules.
var (
	ErrKeyLimit      = errors.New("service user already has two access keys")
	ErrKeyActive     = errors.New("access key is ACTIVE")
	ErrLastActiveKey = errors.New("this is the service user's last ACTIVE key")
	ErrDuplicateKey  = errors.New("access key ID is already stored")
	ErrDuplicateOrg  = errors.New("organization already exists")
	ErrOrgMismatch   = errors.New("organization already exists with another name or API URL")
	ErrDuplicateUser = errors.New("service user already exists")
	ErrOrgNotEmpty   = errors.New("organization still holds access keys")
	ErrNotFound      = errors.New("not found")
	// ErrNotCommitted: a team store's save is on disk, but its commit failed (m3keys sync commits it).
	ErrNotCommitted        = errors.New("not committed to the team's git repository")
	ErrSecretAlreadyCopied = errors.New("secret was already copied")
)

// Store errors: all exit code 2, and nothing is written after any of them.
var (
	ErrWrongPassphrase = errors.New("incorrect passphrase")
	ErrCorrupt         = errors.New("store file is damaged")
	ErrFutureVersion   = errors.New("store was written by a newer m3keys")
	ErrNoStore         = errors.New("no store here yet")
	ErrStoreExists     = errors.New("a store already exists here")
	ErrPermissions     = errors.New("store is accessible by other users")
	ErrOwner           = errors.New("store belongs to another user")
	ErrNotRegular      = errors.New("store file is not a regular file")
	ErrLockTimeout     = errors.New("another m3keys is using the store")
	ErrWrongIdentity   = errors.New("this identity cannot open this keystore")
)

// ValidationError names the field that is wrong and why.
type ValidationError = validate.Error

func invalid(field, format string, args ...any) error {
	return validate.Invalid(field, format, args...)
}

// Advice says what a user can do about err, or "" when there is nothing to add.
func Advice(err error) string {
	if a := rotationAdvice(err); a != "" {
		return a
	}
	var v *ValidationError
	switch {
	case errors.As(err, &v):
		return "correct the " + v.Field + " and try again"
	case errors.Is(err, ErrKeyLimit):
		return "to rotate: make one key INACTIVE, remove it here and in the m3ter Console, then add the new one"
	case errors.Is(err, ErrKeyActive):
		return "make it INACTIVE first (m3keys inactivate KEY_ID), then remove it"
	case errors.Is(err, ErrLastActiveKey):
		return "the integration would be locked out; add and deploy a new key first, or confirm with --force"
	case errors.Is(err, ErrDuplicateKey):
		return "an Access Key ID can be stored only once; remove the old entry first"
	case errors.Is(err, ErrOrgMismatch):
		return "leave out the name and API URL to use the stored ones, or edit the organization in the TUI (e)"
	case errors.Is(err, ErrNotFound):
		return "check the ID; m3keys list shows what is stored"
	case errors.Is(err, ErrDuplicateOrg):
		return "it is stored already; m3keys list shows it"
	case errors.Is(err, ErrDuplicateUser):
		return "it is stored already; choose another name or add the key to it"
	case errors.Is(err, ErrOrgNotEmpty):
		return "remove its access keys first"
	case errors.Is(err, ErrSecretAlreadyCopied):
		return "a secret is handed out once; to get a new one, rotate the key"
	case errors.Is(err, ErrWrongPassphrase):
		return "check $M3KEYS_PASSPHRASE or type it again"
	case errors.Is(err, ErrLockTimeout):
		var lt *LockTimeoutError
		holder, path := "another m3keys", LockFile
		if errors.As(err, &lt) {
			path = lt.Path
			if lt.Own() {
				return "wait for the sync to finish (the header shows it), then try again"
			}
			if lt.PID > 0 {
				holder = fmt.Sprintf("another m3keys (pid %d)", lt.PID)
			}
		}
		return holder + " is using the store — finish or quit it, then try again; if no m3keys runs, " +
			"another program holds the lock: find it with fuser " + path + " (or lsof), and stop it"
	case errors.Is(err, ErrWrongIdentity):
		return "nothing was changed; put back the identity.age that belongs to this store (or the keystore.age that belongs to this identity) — " +
			"do not restore keystore.age.bak over keystore.age, it is encrypted to the same identity"
	case errors.Is(err, ErrOwner), errors.Is(err, ErrNotRegular), errors.Is(err, ErrPermissions):
		return "nothing was changed"
	case errors.As(err, new(*identityError)):
		return "nothing was changed; keystore.age.bak cannot replace identity.age: it is a copy of keystore.age"
	case errors.Is(err, errCaseConflict):
		return "nothing was changed; keystore.age.bak holds the same organizations, so restoring it does not help: follow the steps above"
	case errors.Is(err, ErrCorrupt):
		return "nothing was changed; restore keystore.age from keystore.age.bak or a backup"
	case errors.Is(err, ErrFutureVersion):
		return "upgrade m3keys to open it"
	case errors.Is(err, ErrNoStore):
		return "add a key first (m3keys add …) or run m3keys to create the store"
	}
	return ""
}
