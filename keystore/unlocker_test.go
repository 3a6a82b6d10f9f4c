package keystore

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"filippo.io/age"
)

// countingIdentity is an identity held elsewhere: it sees only stanzas and answers file keys.
type countingIdentity struct {
	id    *age.X25519Identity
	calls int
	fail  error
}

func (c *countingIdentity) Unwrap(st []*age.Stanza) ([]byte, error) {
	c.calls++
	if c.fail != nil {
		return nil, c.fail
	}
	return c.id.Unwrap(st)
}

func TestOpenWithAnIdentityHeldElsewhere(t *testing.T) {
	s, dir := newStore(t)
	_ = s
	secret, err := UnlockIdentity(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	held := &countingIdentity{id: secret}
	s2, err := OpenWith(dir, held, secret.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if held.calls != 1 || !reflect.DeepEqual(s2.Document(), s.Document()) {
		t.Fatalf("unwraps %d; want 1 and the same document", held.calls)
	}
	// Saves encrypt to the recipient; the passphrase's open reads them.
	if err := s2.Update(func(tx *Tx) error { return tx.AddUser(orgA, "deploy") }); err != nil {
		t.Fatal(err)
	}
	s3, err := Open(dir, testPass)
	if err != nil || !reflect.DeepEqual(s3.Document(), s2.Document()) {
		t.Fatalf("reopen: %v", err)
	}
	if err := s2.ChangePassphrase("another long passphrase"); !errors.Is(err, ErrNoSecretKey) {
		t.Fatalf("ChangePassphrase through the agent: %v, want ErrNoSecretKey", err)
	}
	// An agent that went away is told apart from a damaged file, so callers fall back.
	gone := &countingIdentity{id: secret, fail: fmt.Errorf("%w: connection refused", ErrIdentityUnavailable)}
	if _, err := OpenWith(dir, gone, secret.Recipient()); !errors.Is(err, ErrIdentityUnavailable) {
		t.Fatalf("OpenWith a gone agent: %v, want ErrIdentityUnavailable", err)
	}
	// Another identity: the usual wrong-identity error.
	other, _ := age.GenerateX25519Identity()
	if _, err := OpenWith(dir, other, other.Recipient()); !errors.Is(err, ErrWrongIdentity) {
		t.Fatalf("OpenWith another identity: %v", err)
	}
}
