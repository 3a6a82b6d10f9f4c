// Package storehint words what to do about the errors whose remedy reads the same on either face:
// it names files and the m3ter Console, never a key to press or an m3keys command. The CLI's hint
// and the TUI's hintFor fall back to it.
package storehint

import (
	"errors"

	"github.com/m3keys/m3keys/keystore"
)

// Common is what to do about err on either face, or "".
func Common(err error) string {
	var v *keystore.ValidationError
	switch {
	case errors.As(err, &v):
		return "correct the " + v.Field + " and try again"
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
	case errors.Is(err, keystore.ErrWrongServiceUser):
		return "the key was generated for another service user: inactivate and delete it in the Console, then generate one under this service user"
	case errors.Is(err, keystore.ErrPopupOrgMismatch):
		return "the key was generated in another organization: generate it in this one, or add it there"
	case errors.Is(err, keystore.ErrSecretAlreadyCopied):
		return "a secret is handed out once; to get a new one, rotate the key"
	}
	return ""
}
