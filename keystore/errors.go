package keystore

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/m3keys/m3keys/internal/validate"
)

// Rule errors: the UI and CLI translate them, they never re-check the rules. Errors carry the
// facts only; what to do about one is worded by each front end (cli hint, ui hintFor).
var (
	// ErrKeyLimit: a service user holds at most two access keys, as m3ter allows (MaxKeysPerUser).
	ErrKeyLimit = errors.New("service user already has two access keys")
	// ErrKeyActive: an ACTIVE key cannot be removed: it is made INACTIVE first.
	ErrKeyActive = errors.New("access key is ACTIVE")
	// ErrLastActiveKey: making the last ACTIVE key INACTIVE locks the integration out unless forced.
	ErrLastActiveKey = errors.New("this is the service user's last ACTIVE key")
	// ErrDuplicateKey: an Access Key ID is stored once, under one service user.
	ErrDuplicateKey = errors.New("access key ID is already stored")
	// ErrDuplicateOrg: an organization ID is stored once.
	ErrDuplicateOrg = errors.New("organization already exists")
	// ErrOrgMismatch: add or import named a stored organization with another name or API URL.
	ErrOrgMismatch = errors.New("organization already exists with another name or API URL")
	// ErrDuplicateUser: a service user name is stored once per organization.
	ErrDuplicateUser = errors.New("service user already exists")
	// ErrOrgNotEmpty: an organization is deleted only once it holds no access key.
	ErrOrgNotEmpty = errors.New("organization still holds access keys")
	// ErrNotFound: no organization, service user or key by that ID or name.
	ErrNotFound = errors.New("not found")
	// ErrNotCommitted: a team store's save is on disk, but its commit failed (m3keys sync commits it).
	ErrNotCommitted = errors.New("not committed to the team's git repository")
	// ErrSecretAlreadyCopied: a secret leaves the store once (internal/handout).
	ErrSecretAlreadyCopied = errors.New("secret was already copied")
)

// Store errors: all exit code 2, and nothing is written after any of them.
var (
	// ErrWrongPassphrase: the passphrase does not decrypt identity.age.
	ErrWrongPassphrase = errors.New("incorrect passphrase")
	// ErrCorrupt: a store file does not decrypt or decode: damaged, truncated or not m3keys'.
	ErrCorrupt = errors.New("store file is damaged")
	// ErrFutureVersion: the document's version is newer than this m3keys reads.
	ErrFutureVersion = errors.New("store was written by a newer m3keys")
	// ErrNoStore: the directory holds no keystore.age yet.
	ErrNoStore = errors.New("no store here yet")
	// ErrStoreExists: creating a store where one is (or where part of one is left).
	ErrStoreExists = errors.New("a store already exists here")
	// ErrPermissions: a store file or directory others could read or write (ModeError).
	ErrPermissions = errors.New("store is accessible by other users")
	// ErrOwner: a store file or directory owned by another user (OwnerError).
	ErrOwner = errors.New("store belongs to another user")
	// ErrNotRegular: a store file that is a symlink, a directory or a device.
	ErrNotRegular = errors.New("store file is not a regular file")
	// ErrLockTimeout: the store's lock was held past the lock timeout (LockTimeoutError).
	ErrLockTimeout = errors.New("another m3keys is using the store")
	// ErrWrongIdentity: the unlocked identity is not among keystore.age's recipients.
	ErrWrongIdentity = errors.New("this identity cannot open this keystore")
	// ErrNotDirectory: the store's path is a file, not a directory.
	ErrNotDirectory = errors.New("not a directory")
	// ErrUnsupportedPlatform: the store keeps secrets private with POSIX file owners and modes
	// (refusing a store others can read) and serializes saves with flock(2); Windows has ACLs and
	// LockFileEx instead, which m3keys does not check or use, so it refuses rather than keep a
	// store it cannot vouch for.
	ErrUnsupportedPlatform = errors.New("not supported on Windows: the keystore relies on POSIX file modes and flock(2) to keep secrets private")
)

// OwnerError is ErrOwner with its facts: Path belongs to UID and must belong to Want, the user
// running m3keys for the store's directory (Dir), the directory's owner for a file in it.
type OwnerError struct {
	Path      string
	UID, Want int
	Dir       bool
}

func (e *OwnerError) Error() string {
	if e.Dir {
		return fmt.Sprintf("%s: %s belongs to uid %d, you are uid %d", ErrOwner, e.Path, e.UID, e.Want)
	}
	return fmt.Sprintf("%s: %s belongs to uid %d, the store to uid %d", ErrOwner, e.Path, e.UID, e.Want)
}
func (e *OwnerError) Unwrap() error { return ErrOwner }

// ModeError is ErrPermissions with its facts: Path (the store's directory when Dir) has Mode,
// which lets other users in.
type ModeError struct {
	Path string
	Mode fs.FileMode
	Dir  bool
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("%s: %s has mode %04o", ErrPermissions, e.Path, e.Mode)
}
func (e *ModeError) Unwrap() error { return ErrPermissions }

// Private is the mode Path needs: 0700 for the store's directory, 0600 for a file.
func (e *ModeError) Private() fs.FileMode {
	if e.Dir {
		return 0o700
	}
	return 0o600
}

// NoIdentityError is ErrStoreExists for a Document (keystore.age) without identity.age beside
// it: a creation that was interrupted, or a lost identity. Without it the file cannot be read.
type NoIdentityError struct{ Document string }

func (e *NoIdentityError) Error() string {
	return fmt.Sprintf("%s: %s is there but %s is not", ErrStoreExists, e.Document, IdentityFile)
}
func (e *NoIdentityError) Unwrap() error { return ErrStoreExists }

// ForeignDocumentError is ErrCorrupt for a Path (keystore.age) this store's identity cannot
// open while its Backup (keystore.age.bak) opens: the file is another store's, or damaged.
type ForeignDocumentError struct{ Path, Backup string }

func (e *ForeignDocumentError) Error() string {
	return fmt.Sprintf("%s: %s is not encrypted to this store's identity but %s is; %s was copied from another store, or its header is damaged",
		ErrCorrupt, DocumentFile, BackupFile, DocumentFile)
}
func (e *ForeignDocumentError) Unwrap() error { return ErrCorrupt }

// Foreign is where Path is kept aside before the backup is restored.
func (e *ForeignDocumentError) Foreign() string { return e.Path + ".foreign" }

// ValidationError names the field that is wrong and why.
type ValidationError = validate.Error

func invalid(field, format string, args ...any) error {
	return validate.Invalid(field, format, args...)
}
