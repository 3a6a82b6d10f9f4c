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
	"github.com/gofrs/flock"
	"github.com/google/renameio/v2"
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
	dir      string
	identity *age.X25519Identity
	now      func() time.Time

	mu        sync.Mutex
	doc       *Document
	lastRead  []byte // ciphertext the cached doc came from, to notice other writers
	lastPlain []byte // its plaintext, so a change that changes nothing is not written
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

// Exists reports whether dir holds a store (its identity file).
func Exists(dir string) bool { return fileExists(filepath.Join(dir, IdentityFile)) }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Create makes a new, empty store in dir protected by passphrase.
func Create(dir, passphrase string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := checkPermissions(dir); err != nil {
		return nil, err
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if Exists(dir) {
		return nil, fmt.Errorf("%w: %s", ErrStoreExists, dir)
	}
	// keystore.age without identity.age: a creation that was interrupted, or a lost identity.
	// Either way refuse to overwrite it; without its identity it cannot be read.
	if doc := filepath.Join(dir, DocumentFile); fileExists(doc) {
		return nil, fmt.Errorf("%w: %s is there but %s is not — if you have a backup of %s, put it back; "+
			"otherwise the file cannot be read: move it away and run again", ErrStoreExists, doc, IdentityFile, IdentityFile)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	encID, err := encryptIdentity(id, passphrase)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, identity: id, now: time.Now, doc: &Document{Version: CurrentVersion}}
	plain, err := encodeDocument(s.doc)
	if err != nil {
		return nil, err
	}
	if err := s.write(plain); err != nil {
		return nil, err
	}
	// The identity goes last: a store without it does not exist yet.
	if err := writeFile(filepath.Join(dir, IdentityFile), encID); err != nil {
		return nil, err
	}
	return s, nil
}

// Open unlocks the store in dir. It pays the one scrypt of the session.
func Open(dir, passphrase string) (*Store, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %s", ErrNoStore, dir)
	}
	if err := checkPermissions(dir); err != nil {
		return nil, err
	}
	encID, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if err != nil {
		return nil, err
	}
	id, err := decryptIdentity(encID, passphrase)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, identity: id, now: time.Now}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if err := s.refresh(); err != nil {
		return nil, err
	}
	return s, nil
}

// SetClock replaces the clock used for timestamps (tests and demo).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Document returns a copy of the document as last read or written.
func (s *Store) Document() *Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doc.Clone()
}

// Update applies change under the directory lock to the newest document on disk,
// so changes made meanwhile by another process are kept, then saves atomically.
// When change fails nothing is written.
func (s *Store) Update(change func(*Tx) error) error {
	lock, err := lockDir(s.dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refresh(); err != nil {
		return err
	}
	next := s.doc.Clone()
	if err := change(next.Edit(s.now())); err != nil {
		return err
	}
	plain, err := encodeDocument(next)
	if err != nil {
		return err
	}
	// Writing an unchanged document would also overwrite the backup with the current version.
	if !bytes.Equal(plain, s.lastPlain) {
		if err := s.write(plain); err != nil {
			return err
		}
	}
	s.doc = next
	return nil
}

// ChangePassphrase re-encrypts the identity only; the document is untouched.
func (s *Store) ChangePassphrase(passphrase string) error {
	enc, err := encryptIdentity(s.identity, passphrase)
	if err != nil {
		return err
	}
	lock, err := lockDir(s.dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	return writeFile(filepath.Join(s.dir, IdentityFile), enc)
}

// refresh reads keystore.age and decodes it when it differs from what we hold.
// Callers hold the directory lock and s.mu (or own s exclusively).
func (s *Store) refresh() error {
	path := filepath.Join(s.dir, DocumentFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if bak := filepath.Join(s.dir, BackupFile); fileExists(bak) {
			return fmt.Errorf("%w: %s is missing — nothing was changed; restore the previous version: cp %s %s", ErrCorrupt, path, bak, path)
		}
		return fmt.Errorf("%w: %s is missing and so is its backup — nothing was changed; restore %s from a backup of your own", ErrCorrupt, path, DocumentFile)
	}
	if err != nil {
		return err
	}
	if s.doc != nil && bytes.Equal(data, s.lastRead) {
		return nil
	}
	if err := checkFileMode(path); err != nil {
		return err
	}
	plain, err := decrypt(data, s.identity, DocumentFile)
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			err = fmt.Errorf("%w: %s is not encrypted to this store's identity", ErrCorrupt, DocumentFile)
		}
		return err
	}
	doc, err := DecodeDocument(plain)
	if err != nil {
		return err
	}
	s.doc, s.lastRead, s.lastPlain = doc, data, plain
	return nil
}

// write encrypts and atomically replaces keystore.age, keeping the previous file as the backup.
func (s *Store) write(plain []byte) error {
	enc, err := encrypt(plain, s.identity.Recipient())
	if err != nil {
		return err
	}
	path := filepath.Join(s.dir, DocumentFile)
	if prev, err := os.ReadFile(path); err == nil {
		if err := writeFile(filepath.Join(s.dir, BackupFile), prev); err != nil {
			return err
		}
	}
	if err := writeFile(path, enc); err != nil {
		return err
	}
	s.lastRead, s.lastPlain = enc, plain
	return nil
}

// writeFile is a crash-safe replace: temp file in the same directory, fsync, rename, fsync dir.
func writeFile(path string, data []byte) error {
	if err := renameio.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("cannot save %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func lockDir(dir string) (*flock.Flock, error) {
	path := filepath.Join(dir, LockFile)
	// Create it 0600 ourselves: flock would use 0600 too, but say so.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
		f.Close()
	}
	l := flock.New(path)
	if err := l.Lock(); err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	return l, nil
}

// checkPermissions refuses a store that other users could read or change, as OpenSSH does.
func checkPermissions(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o — run: chmod 700 %s", ErrPermissions, dir, fi.Mode().Perm(), dir)
	}
	for _, name := range []string{IdentityFile, DocumentFile, BackupFile, LockFile} {
		if err := checkFileMode(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func checkFileMode(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o — run: chmod 600 %s", ErrPermissions, path, fi.Mode().Perm(), path)
	}
	return nil
}
