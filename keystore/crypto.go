package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
)

// WorkFactor is the scrypt work factor (2^18) protecting the identity: about a second to unlock.
const WorkFactor = 18

// maxWorkFactor caps what a file may demand, so a tampered identity cannot ask for gigabytes.
const maxWorkFactor = 19

// workFactor lets tests (and only tests) make scrypt cheap through M3KEYS_TEST_WORK_FACTOR.
func workFactor() int {
	if testing.Testing() {
		if n, err := strconv.Atoi(os.Getenv("M3KEYS_TEST_WORK_FACTOR")); err == nil && n >= 1 && n <= maxWorkFactor {
			return n
		}
	}
	return WorkFactor
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

func encrypt(plain []byte, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
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
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		if _, scrypt := id.(*age.ScryptIdentity); scrypt && !strings.Contains(err.Error(), "work factor") {
			return nil, ErrWrongPassphrase
		}
	}
	if strings.Contains(err.Error(), "work factor") {
		return nil, fmt.Errorf("%w: %s asks for a larger scrypt work factor than m3keys accepts", ErrCorrupt, name)
	}
	if name == IdentityFile {
		// The generic advice (restore keystore.age from its backup) would not help here.
		return nil, fmt.Errorf("%w: %s cannot be decrypted (truncated or altered) — restore %s from a backup; nothing was changed", ErrCorrupt, name, name)
	}
	return nil, fmt.Errorf("%w: %s cannot be decrypted (truncated or altered)", ErrCorrupt, name)
}
