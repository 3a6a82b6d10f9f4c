package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"
)

// File names inside the store directory.
const (
	IdentityFile = "identity.age"
	DocumentFile = "keystore.age"
	BackupFile   = "keystore.age.bak"
	LockFile     = "lock"
)

// Store is an unlocked keystore directory. It is safe for concurrent use, and
// several processes may use the same directory: every change re-reads under a lock.
type Store struct {
	dir  string
	opts options
	own  owner
	now  func() time.Time

	// writeMu serializes changes in this process and is held through disk I/O;
	// it guards identity, lastRead, lastPlain, encoded, stamp and decrypts.
	writeMu   sync.Mutex
	identity  unlocked
	lastRead  []byte     // ciphertext the cached doc came from, to notice other writers
	lastPlain []byte     // its plaintext, so a change that changes nothing is not written
	encoded   *encoded   // the last document this store encoded, for the next encoding to reuse
	beforeIO  func()     // a test hook, run before a save touches the disk
	stamp     *fileStamp // keystore.age as Refresh last saw it
	decrypts  int        // documents decrypted so far, for tests

	// mu guards doc only and is never held across I/O, so Document never waits on a save.
	mu  sync.Mutex
	doc *Document
}

// DefaultDir is $M3KEYS_HOME, else the user config directory's m3keys folder.
func DefaultDir() (string, error) {
	if d := os.Getenv("M3KEYS_HOME"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a config directory: %w; set M3KEYS_HOME or pass --home", err)
	}
	return filepath.Join(base, "m3keys"), nil
}

// Exists reports whether dir holds a store (its identity file). A file that cannot be
// looked at (another user's directory, say) counts as there, so Open says why.
func Exists(dir string) bool { return fileExists(filepath.Join(dir, IdentityFile)) }

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// Create makes a new, empty store in dir protected by passphrase.
func Create(dir, passphrase string, opts ...Option) (*Store, error) {
	o := newOptions(opts)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, err
	}
	lock, err := lockNew(dir, own, o)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	// keystore.age without identity.age: a creation that was interrupted, or a lost identity.
	// Either way refuse to overwrite it; without its identity it cannot be read.
	if doc := filepath.Join(dir, DocumentFile); fileExists(doc) {
		return nil, &NoIdentityError{Document: doc}
	}
	id, encID, err := newIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, opts: o, own: own, identity: fromSecret(id), now: time.Now, doc: &Document{Version: CurrentVersion}}
	plain, err := encodeDocument(s.doc)
	if err != nil {
		return nil, err
	}
	if err := s.write(plain); err != nil {
		return nil, err
	}
	// The identity goes last: a store without it does not exist yet.
	if err := writeFile(filepath.Join(dir, IdentityFile), encID, own); err != nil {
		return nil, err
	}
	return s, nil
}

// Open unlocks the store in dir. It pays the one scrypt of the session.
func Open(dir, passphrase string, opts ...Option) (*Store, error) {
	o := newOptions(opts)
	id, own, err := unlockIdentity(dir, passphrase, o)
	if err != nil {
		return nil, err
	}
	return open(dir, fromSecret(id), own, o)
}

// open reads the store with an unlocked identity: Open's and OpenWith's common part.
func open(dir string, id unlocked, own owner, o options) (*Store, error) {
	s := &Store{dir: dir, opts: o, own: own, identity: id, now: time.Now}
	lock, err := lockDir(dir, own, o)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// unlockIdentity checks dir is a store of ours and decrypts its identity.age with passphrase:
// the session's one scrypt.
func unlockIdentity(dir, passphrase string, o options) (*age.X25519Identity, owner, error) {
	if !Exists(dir) {
		return nil, owner{}, fmt.Errorf("%w: %s", ErrNoStore, dir)
	}
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, owner{}, err
	}
	encID, err := readStoreFile(filepath.Join(dir, IdentityFile), own)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, owner{}, fmt.Errorf("%w: %s", ErrNoStore, dir)
	}
	if err != nil {
		return nil, owner{}, err
	}
	id, err := decryptIdentity(encID, passphrase)
	if err != nil {
		return nil, owner{}, err
	}
	return id, own, nil
}

// SetClock replaces the clock used for timestamps (tests and demo).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Dir is the store's directory: a team store's git side (internal/team) works there too.
func (s *Store) Dir() string { return s.dir }

// Document returns a copy of the document as last read or written. It never waits
// for a save in progress: it returns the last committed document.
func (s *Store) Document() *Document {
	s.mu.Lock()
	d := s.doc
	s.mu.Unlock()
	return d.Clone() // committed documents are never changed in place
}

func (s *Store) current() *Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doc
}

func (s *Store) commit(d *Document) {
	s.mu.Lock()
	s.doc = d
	s.mu.Unlock()
}

// lock takes the directory lock with the store's options; the caller holds writeMu.
func (s *Store) lock() (*dirLock, error) { return lockDir(s.dir, s.own, s.opts) }

// lockNew takes the lock of a directory a store is to be created in, refusing one that
// holds a store already.
func lockNew(dir string, own owner, o options) (*dirLock, error) {
	lock, err := lockDir(dir, own, o)
	if err != nil {
		return nil, err
	}
	if Exists(dir) {
		lock.Unlock()
		return nil, fmt.Errorf("%w: %s", ErrStoreExists, dir)
	}
	return lock, nil
}

// lockFresh takes the directory's lock and reads what another process saved meanwhile;
// the caller releases the lock with unlock.
func (s *Store) lockFresh() (unlock func(), err error) {
	lock, err := s.lock()
	if err != nil {
		return nil, err
	}
	if err := s.refresh(); err != nil {
		lock.Unlock()
		return nil, err
	}
	return lock.Unlock, nil
}

// Update applies change under the directory lock to the newest document on disk,
// so changes made meanwhile by another process are kept, then saves atomically.
// When change fails nothing is written.
func (s *Store) Update(change func(*Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	unlock, err := s.lockFresh()
	if err != nil {
		return err
	}
	defer unlock()
	next := s.current().Clone()
	if err := change(s.edit(next)); err != nil {
		return err
	}
	plain, err := s.encode(next)
	if err != nil {
		return err
	}
	// Writing an unchanged document would also overwrite the backup with the current version.
	if bytes.Equal(plain, s.lastPlain) {
		s.commit(next)
		return nil
	}
	prev := s.current()
	if err := s.write(plain); err != nil {
		return err
	}
	s.commit(next)
	return s.afterSave(prev, next)
}

// encode is encodeDocument reusing what has not changed since the last document s encoded;
// d must not change afterwards. The caller holds writeMu.
func (s *Store) encode(d *Document) ([]byte, error) {
	e, err := encodeReusing(d, s.encoded)
	if err != nil {
		return nil, err
	}
	s.encoded = e
	return e.plain, nil
}

// ChangePassphrase re-encrypts the identity only; the document is untouched.
func (s *Store) ChangePassphrase(passphrase string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.identity.secret == nil {
		return ErrNoSecretKey
	}
	enc, err := encryptIdentity(s.identity.secret, passphrase)
	if err != nil {
		return err
	}
	lock, err := s.lock()
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return writeFile(filepath.Join(s.dir, IdentityFile), enc, s.own)
}

// MissingError is a keystore.age that is gone; Backup is keystore.age.bak's path while that is
// there, else "". Nothing was changed. It matches ErrCorrupt.
type MissingError struct{ Path, Backup string }

func (e *MissingError) Error() string {
	if e.Backup == "" {
		return fmt.Sprintf("%s: %s is missing and so is its backup; nothing was changed", ErrCorrupt, e.Path)
	}
	return fmt.Sprintf("%s: %s is missing; nothing was changed", ErrCorrupt, e.Path)
}
func (e *MissingError) Unwrap() error { return ErrCorrupt }

// refresh reads keystore.age and decodes it when it differs from what we hold.
// Callers hold the directory lock and writeMu (or own s exclusively).
func (s *Store) refresh() error {
	path := filepath.Join(s.dir, DocumentFile)
	data, err := readStoreFile(path, s.own)
	if errors.Is(err, fs.ErrNotExist) {
		missing := &MissingError{Path: path}
		if bak := filepath.Join(s.dir, BackupFile); fileExists(bak) {
			missing.Backup = bak
		}
		return missing
	}
	if err != nil {
		return err
	}
	if s.lastRead != nil && bytes.Equal(data, s.lastRead) {
		return nil
	}
	s.decrypts++
	plain, err := decrypt(data, s.identity.id, DocumentFile)
	if errors.Is(err, ErrWrongIdentity) && IsTeam(s.dir) {
		return s.notMember()
	}
	if errors.Is(err, ErrWrongIdentity) && !hasScryptStanza(data) && s.backupIsOurs() {
		// The identity is the right one: keystore.age itself is foreign or damaged.
		return &ForeignDocumentError{Path: path, Backup: filepath.Join(s.dir, BackupFile)}
	}
	if err != nil {
		return err
	}
	doc, err := DecodeDocument(plain)
	if err != nil {
		return err
	}
	s.lastRead, s.lastPlain = data, plain
	s.commit(doc)
	return nil
}

// backupIsOurs reports whether keystore.age.bak opens with the store's identity.
func (s *Store) backupIsOurs() bool {
	data, err := readStoreFile(filepath.Join(s.dir, BackupFile), s.own)
	if err != nil {
		return false
	}
	_, err = age.Decrypt(bytes.NewReader(data), s.identity.id)
	return err == nil
}

// write encrypts and atomically replaces keystore.age, keeping the previous file as the backup.
// A team store's document is encrypted to its trusted recipients. The caller holds the lock.
func (s *Store) write(plain []byte) error {
	recipients, err := s.recipients()
	if err != nil {
		return err
	}
	return s.writeTo(plain, recipients)
}

// writeTo is write to the given recipients.
func (s *Store) writeTo(plain []byte, recipients []age.Recipient) error {
	enc, err := encrypt(plain, recipients...)
	if err != nil {
		return err
	}
	if s.beforeIO != nil {
		s.beforeIO()
	}
	if err := replaceDocument(s.dir, enc, s.own); err != nil {
		return err
	}
	s.lastRead, s.lastPlain = enc, plain
	return nil
}

// edit starts changes to d by this store's member: in a team store, the history names them
// as recipients.txt does.
func (s *Store) edit(d *Document) *Tx {
	tx := d.Edit(s.now())
	if rs, err := readRecipients(s.dir, s.own); err == nil {
		for _, r := range rs {
			if r.Key == s.identity.recipient.String() {
				tx.By(r.Name)
			}
		}
	}
	return tx
}

// recipients is who a save encrypts to: the identity alone, or a team's trusted members.
func (s *Store) recipients() ([]age.Recipient, error) {
	if !IsTeam(s.dir) {
		return []age.Recipient{s.identity.recipient}, nil
	}
	return teamRecipients(s.dir, s.own, s.identity.recipient.String())
}
