package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"filippo.io/age"
)

// WorkFactor is the scrypt work factor (2^18) protecting the identity: about a second to unlock.
const WorkFactor = 18

// maxWorkFactor caps what a file may demand, so a tampered identity cannot ask for gigabytes.
const maxWorkFactor = 19

// testOnlyWorkFactor, when not zero, replaces WorkFactor. Only tests set it (as age's
// testOnlyConfigureScryptIdentity does); the m3keys binary never calls the setter.
var testOnlyWorkFactor atomic.Int32

// TestOnlySetWorkFactor makes new identities cheap to unlock (2^n), for tests of this and
// other packages; 0 restores WorkFactor. Never call it outside tests.
func TestOnlySetWorkFactor(n int) {
	if n < 0 || n > maxWorkFactor {
		panic("keystore: work factor out of range")
	}
	testOnlyWorkFactor.Store(int32(n))
}

func workFactor() int {
	if n := testOnlyWorkFactor.Load(); n != 0 {
		return int(n)
	}
	return WorkFactor
}

// newIdentity is a fresh identity and its identity.age bytes, encrypted with passphrase.
func newIdentity(passphrase string) (*age.X25519Identity, []byte, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, nil, err
	}
	enc, err := encryptIdentity(id, passphrase)
	if err != nil {
		return nil, nil, err
	}
	return id, enc, nil
}

func encryptIdentity(id *age.X25519Identity, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, errors.New("passphrase must not be empty")
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(workFactor())
	return encrypt([]byte(id.String()), r)
}

func decryptIdentity(data []byte, passphrase string) (*age.X25519Identity, error) {
	sid, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	sid.SetMaxWorkFactor(maxWorkFactor)
	plain, err := decrypt(data, sid, "identity.age")
	if err != nil {
		return nil, err
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(plain)))
	if err != nil {
		return nil, fmt.Errorf("%w: identity.age does not hold an age identity", ErrCorrupt)
	}
	return id, nil
}

func encrypt(plain []byte, r ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	// Room for age's header (a stanza per recipient) and a 16-byte tag per 64 KiB chunk, so a
	// large document is not copied as the buffer grows.
	buf.Grow(len(plain) + len(plain)/1024 + 512*(len(r)+1))
	w, err := age.Encrypt(&buf, r...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decrypt tells a wrong passphrase apart from a damaged file.
func decrypt(data []byte, id age.Identity, name string) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err == nil {
		var plain []byte
		if plain, err = io.ReadAll(r); err == nil {
			return plain, nil
		}
	}
	if errors.Is(err, ErrIdentityUnavailable) {
		return nil, err
	}
	_, isScrypt := id.(*age.ScryptIdentity)
	passphraseFile := hasScryptStanza(data)
	var noMatch *age.NoIdentityMatchError
	switch {
	case strings.Contains(err.Error(), "work factor"):
		return nil, identityDamage("%s asks for a larger scrypt work factor than m3keys accepts", name)
	case !errors.As(err, &noMatch) && isScrypt:
		return nil, identityDamage("%s cannot be decrypted (truncated or altered)", name)
	case !errors.As(err, &noMatch):
		return nil, fmt.Errorf("%w: %s is damaged: it cannot be decrypted (truncated or altered)", ErrCorrupt, name)
	case isScrypt && passphraseFile:
		return nil, ErrWrongPassphrase
	case isScrypt:
		return nil, identityDamage("%s is not protected by a passphrase: it looks like a keystore file copied over it", name)
	case passphraseFile:
		return nil, fmt.Errorf("%w: %s is protected by a passphrase, not encrypted to the store's identity: it looks like an identity file copied over it", ErrWrongIdentity, name)
	}
	return nil, fmt.Errorf("%w: %s is encrypted to a different identity: %s was replaced, or %s was copied from another store",
		ErrWrongIdentity, name, IdentityFile, name)
}

// IdentityDamageError is damage to identity.age, whose remedy is not keystore.age's backup.
// It matches ErrCorrupt.
type IdentityDamageError struct{ msg string }

func (e *IdentityDamageError) Error() string {
	return ErrCorrupt.Error() + ": " + e.msg
}
func (e *IdentityDamageError) Is(target error) bool { return target == ErrCorrupt }

func identityDamage(format string, args ...any) error {
	return &IdentityDamageError{msg: fmt.Sprintf(format, args...)}
}

// hasScryptStanza reports whether an age file's header is a passphrase (scrypt) recipient.
func hasScryptStanza(data []byte) bool {
	header, _, _ := bytes.Cut(data, []byte("\n---"))
	return bytes.Contains(header, []byte("\n-> scrypt "))
}
