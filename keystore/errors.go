package keystore

import (
	"errors"

	"github.com/m3keys/m3keys/internal/validate"
)

// Rule errors: the UI and CLI translate them, they never re-check the rules. Errors carry the
// facts only; what to do about one is worded by each front end (cli hint, ui hintFor).
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
