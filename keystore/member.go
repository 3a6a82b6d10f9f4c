package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/m3keys/m3keys/internal/atomicfile"
)

// Member is a team member's unlocked identity: it reads the store's versions as git holds
// them (merge base, ours, theirs) without opening the store. It never prints its key.
type Member struct{ id unlocked }

var _ fmt.Formatter = (*Member)(nil)

// UnlockMember decrypts dir's identity.age with passphrase: the session's one scrypt.
func UnlockMember(dir, passphrase string, opts ...Option) (*Member, error) {
	id, _, err := unlockIdentity(dir, passphrase, newOptions(opts))
	if err != nil {
		return nil, err
	}
	return &Member{id: fromSecret(id)}, nil
}

// Member is the store's identity, for a sync.
func (s *Store) Member() *Member {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return &Member{id: s.identity}
}

// Recipient is the member's public age recipient, the line others add to recipients.txt.
func (m *Member) Recipient() string { return m.id.recipient.String() }

// Format shows the recipient only, whatever the verb.
func (m *Member) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("member " + m.Recipient())) }

// DecryptDocument decrypts and decodes one version of keystore.age; what names it in errors
// ("the merge base", say).
func (m *Member) DecryptDocument(data []byte, what string) (*Document, error) {
	plain, err := decrypt(data, m.id.id, what)
	if errors.Is(err, ErrWrongIdentity) {
		return nil, fmt.Errorf("%w: %s is not encrypted to you", ErrNotMember, what)
	}
	if err != nil {
		return nil, err
	}
	return DecodeDocument(plain)
}

// JoinTeam creates this member's identity in dir, a team store cloned from its remote:
// keystore.age is there already, encrypted to the members who added us (or not yet).
func JoinTeam(dir, passphrase string, opts ...Option) (*Member, error) {
	o := newOptions(opts)
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, err
	}
	if !IsTeam(dir) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNoStore, dir, RecipientsFile)
	}
	lock, err := lockNew(dir, own, o)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	id, enc, err := newIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, IdentityFile), enc, own); err != nil {
		return nil, err
	}
	return &Member{id: fromSecret(id)}, nil
}

// Held is the store's lock, held by a sync while git changes the files under it.
type Held struct {
	dir  string
	own  owner
	lock *dirLock
}

// LockStore takes dir's lock, as every save does, for a sync.
func LockStore(dir string, opts ...Option) (*Held, error) {
	o := newOptions(opts)
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, err
	}
	l, err := lockDir(dir, own, o)
	if err != nil {
		return nil, err
	}
	return &Held{dir: dir, own: own, lock: l}, nil
}

// Unlock releases the lock.
func (h *Held) Unlock() { h.lock.Unlock() }

// WriteTeamDocument saves doc, as a sync merged it, encrypted to rs, and rs as recipients.txt.
// rs must be the list m trusts and name m, as for every save. The previous keystore.age
// becomes the backup.
func (h *Held) WriteTeamDocument(m *Member, doc *Document, rs Recipients) error {
	trusted, ok, err := readTrusted(h.dir, h.own)
	if err != nil {
		return err
	}
	if !ok || !trusted.SameSet(rs) {
		return fmt.Errorf("%w; nothing was saved", ErrUntrustedRecipients)
	}
	if !rs.Has(m.Recipient()) {
		return fmt.Errorf("%w: you are not in the merged %s; nothing was saved", ErrNotMember, RecipientsFile)
	}
	recipients, err := rs.ageRecipients()
	if err != nil {
		return err
	}
	plain, err := encodeDocument(doc)
	if err != nil {
		return err
	}
	if _, err := DecodeDocument(plain); err != nil {
		return fmt.Errorf("the merged document would not open again: %w; nothing was saved", err)
	}
	enc, err := encrypt(plain, recipients...)
	if err != nil {
		return err
	}
	if err := replaceDocument(h.dir, enc, h.own); err != nil {
		return err
	}
	return writeFile(filepath.Join(h.dir, RecipientsFile), rs.Marshal(), h.own)
}

// replaceDocument writes enc as keystore.age, keeping the previous file as the backup.
// The caller holds the lock.
func replaceDocument(dir string, enc []byte, own owner) error {
	removeStaleTemps(dir)
	path := filepath.Join(dir, DocumentFile)
	prev, err := readStoreFile(path, own)
	switch {
	case err == nil:
		if err := keepBackup(dir, prev, own); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	return writeFile(path, enc, own)
}

// keepBackup makes keystore.age, which holds prev, the backup too: a hard link, renamed into
// place, names the file itself, so its bytes are not written and synced again (half of a
// save's disk time). Where a link cannot be made, prev is written. The caller holds the lock.
func keepBackup(dir string, prev []byte, own owner) error {
	bak := filepath.Join(dir, BackupFile)
	tmp := filepath.Join(dir, fmt.Sprintf(".%s%d", BackupFile, os.Getpid())) // removeStaleTemps' pattern
	_ = os.Remove(tmp)
	if err := os.Link(filepath.Join(dir, DocumentFile), tmp); err == nil {
		err = os.Rename(tmp, bak)
		_ = os.Remove(tmp) // left when bak was already this file: rename then does nothing
		if err == nil {
			return atomicfile.SyncDir(dir)
		}
	}
	return writeFile(bak, prev, own)
}

// ReadShared reads the files a team store shares, keystore.age and recipients.txt, as a
// commit takes them. The caller holds the store's lock.
func ReadShared(dir string) (doc, recipients []byte, err error) {
	own, err := checkStore(dir, newOptions(nil))
	if err != nil {
		return nil, nil, err
	}
	if doc, err = readStoreFile(filepath.Join(dir, DocumentFile), own); err != nil {
		return nil, nil, err
	}
	if recipients, err = readStoreFile(filepath.Join(dir, RecipientsFile), own); err != nil {
		return nil, nil, err
	}
	return doc, recipients, nil
}

// TakeIn writes the shared files as a sync took them from the remote: keystore.age (the
// previous one becomes the backup) and recipients.txt, each with the atomic writer. A new
// recipient list is not used for saves until the member trusts it.
func (h *Held) TakeIn(doc, recipients []byte) error {
	if _, err := ParseRecipients(recipients); err != nil {
		return err
	}
	if err := replaceDocument(h.dir, doc, h.own); err != nil {
		return err
	}
	return writeFile(filepath.Join(h.dir, RecipientsFile), recipients, h.own)
}

// LooksEncrypted reports whether data is an age file with recipient stanzas: what a member's
// keystore.age is, before anyone can tell whether it is encrypted to them.
func LooksEncrypted(data []byte) bool {
	probe, err := age.GenerateX25519Identity()
	if err != nil {
		return false
	}
	_, err = age.Decrypt(bytes.NewReader(data), probe)
	var none *age.NoIdentityMatchError
	return errors.As(err, &none)
}
