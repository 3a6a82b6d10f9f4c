package keystore

import (
	"errors"
	"io/fs"
	"path/filepath"

	"filippo.io/age"
)

// ErrTeamIdentity refuses a new identity in a team store, where a member's identity is a
// recipient the other members chose.
var ErrTeamIdentity = errors.New("a team store cannot change to a new identity in place: the others encrypt to the one in recipients.txt")

// UnreadableBackupError refuses a new identity while the backup at Path does not open (Err):
// it could not be re-encrypted, and would open nothing afterwards. Nothing was changed.
type UnreadableBackupError struct {
	Path string
	Err  error
}

func (e *UnreadableBackupError) Error() string { return e.Err.Error() + "; nothing was changed" }
func (e *UnreadableBackupError) Unwrap() error { return e.Err }

// ChangeIdentity replaces the store's identity with a fresh one under passphrase and
// re-encrypts keystore.age and its backup to it, so an old copy of identity.age (and its
// passphrase) opens nothing written from now on. Every instant is crash-safe: the files
// are first encrypted to both identities, then the new identity is saved, then the old
// one is dropped from the files. A team store refuses it: keystore.age is encrypted to every
// member in recipients.txt, and re-encrypting it to one new identity would lock the others out.
func (s *Store) ChangeIdentity(passphrase string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if IsTeam(s.dir) {
		return ErrTeamIdentity
	}
	next, encID, err := newIdentity(passphrase)
	if err != nil {
		return err
	}
	unlock, err := s.lockFresh()
	if err != nil {
		return err
	}
	defer unlock()
	docPath, bakPath := filepath.Join(s.dir, DocumentFile), filepath.Join(s.dir, BackupFile)
	var bakPlain []byte
	if data, err := readStoreFile(bakPath, s.own); err == nil {
		if bakPlain, err = decrypt(data, s.identity.id, BackupFile); err != nil {
			return &UnreadableBackupError{Path: bakPath, Err: err}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	reencrypt := func(recipients ...age.Recipient) error {
		if bakPlain != nil {
			enc, err := encrypt(bakPlain, recipients...)
			if err != nil {
				return err
			}
			if err := writeFile(bakPath, enc, s.own); err != nil {
				return err
			}
		}
		enc, err := encrypt(s.lastPlain, recipients...)
		if err != nil {
			return err
		}
		if err := writeFile(docPath, enc, s.own); err != nil {
			return err
		}
		s.lastRead = enc
		return nil
	}
	if err := reencrypt(s.identity.recipient, next.Recipient()); err != nil {
		return err
	}
	if s.beforeIO != nil {
		s.beforeIO()
	}
	if err := writeFile(filepath.Join(s.dir, IdentityFile), encID, s.own); err != nil {
		return err
	}
	s.identity = fromSecret(next)
	return reencrypt(next.Recipient())
}
