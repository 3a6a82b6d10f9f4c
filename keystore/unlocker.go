package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"filippo.io/age"
)

// ErrIdentityUnavailable is an identity held elsewhere (the unlock agent) that could not be
// asked: the agent went away, or timed out. A caller falls back to the passphrase.
var ErrIdentityUnavailable = errors.New("the store was locked meanwhile (m3keys lock, passwd, or its idle time)")

// ErrNoSecretKey refuses what needs the identity's secret key itself (a new passphrase
// wraps it) when the store was opened through the unlock agent.
var ErrNoSecretKey = errors.New("the store was opened through the unlock agent, which never gives out the identity")

// unlocked is the store's identity: what decrypts (the X25519 identity itself, or the agent
// that holds it), the public recipient saves encrypt to, and the secret when this process
// has it (nil through the agent).
type unlocked struct {
	id        age.Identity
	recipient *age.X25519Recipient
	secret    *age.X25519Identity
}

func fromSecret(id *age.X25519Identity) unlocked {
	return unlocked{id: id, recipient: id.Recipient(), secret: id}
}

// UnlockIdentity checks dir is a store of ours and decrypts its identity.age with
// passphrase: the one scrypt. It is for the unlock agent, which keeps the identity for a
// work session; everything else uses Open.
func UnlockIdentity(dir, passphrase string, opts ...Option) (*age.X25519Identity, error) {
	id, _, err := unlockIdentity(dir, passphrase, newOptions(opts))
	return id, err
}

// ReadIdentityFile is identity.age's bytes as the store's checks allow reading it, so the
// agent notices a passwd.
func ReadIdentityFile(dir string, opts ...Option) ([]byte, error) {
	o := newOptions(opts)
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, err
	}
	return readStoreFile(filepath.Join(dir, IdentityFile), own)
}

// OpenWith opens the store in dir with an identity unlocked elsewhere — the unlock agent's,
// which unwraps file keys and never gives out the secret key — and its public recipient,
// which saves encrypt to. No scrypt: that was paid when the agent was unlocked.
func OpenWith(dir string, id age.Identity, recipient *age.X25519Recipient, opts ...Option) (*Store, error) {
	if id == nil || recipient == nil {
		return nil, errors.New("keystore: OpenWith needs an identity and its recipient")
	}
	o := newOptions(opts)
	if !Exists(dir) {
		return nil, fmt.Errorf("%w: %s", ErrNoStore, dir)
	}
	own, err := checkStore(dir, o)
	if err != nil {
		return nil, err
	}
	if _, err := readStoreFile(filepath.Join(dir, IdentityFile), own); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoStore, dir)
	} else if err != nil {
		return nil, err
	}
	return open(dir, unlocked{id: id, recipient: recipient}, own, o)
}

// UnlockMemberWith is UnlockMember with an identity unlocked elsewhere (the agent).
func UnlockMemberWith(dir string, id age.Identity, recipient *age.X25519Recipient, opts ...Option) (*Member, error) {
	if _, err := checkStore(dir, newOptions(opts)); err != nil {
		return nil, err
	}
	return &Member{id: unlocked{id: id, recipient: recipient}}, nil
}
