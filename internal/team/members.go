package team

import (
	"errors"
	"fmt"
	"slices"

	"github.com/m3keys/m3keys/keystore"
)

// Add makes key a recipient as name: keystore.age is re-encrypted to the new list and
// committed (s must be opened with AfterSave(s.Dir())). Push with Sync.
func Add(s *keystore.Store, name, key string) error {
	dir := s.Dir()
	if !keystore.IsTeam(dir) {
		return notTeam(dir)
	}
	r, err := keystore.NewRecipient(key, name)
	if err != nil {
		return err
	}
	rs, err := keystore.ReadRecipients(dir)
	if err != nil {
		return err
	}
	if rs.Has(key) {
		return ErrAlreadyMember
	}
	if _, taken := rs.Named(name); taken {
		return fmt.Errorf("%w: %q", ErrNameTaken, name)
	}
	next := append(slices.Clone(rs), r)
	return s.SetRecipients(next, func(tx *keystore.Tx) error {
		return tx.Record("member.add", "", "", "", name)
	})
}

// Removed is what removing a member did.
type Removed struct {
	Member  keystore.Recipient
	Exposed []string // Access Key IDs now flagged exposed — rotate
}

// Remove takes name off the recipient list: keystore.age is re-encrypted without them, and
// every key is flagged exposed, since they could read every secret until now.
func Remove(s *keystore.Store, name string) (Removed, error) {
	dir := s.Dir()
	if !keystore.IsTeam(dir) {
		return Removed{}, notTeam(dir)
	}
	rs, err := keystore.ReadRecipients(dir)
	if err != nil {
		return Removed{}, err
	}
	gone, ok := rs.Named(name)
	if !ok {
		return Removed{}, fmt.Errorf("%w: %q", ErrNoMember, name)
	}
	if gone.Key == s.Member().Recipient() {
		return Removed{}, &SelfRemovalError{Name: name}
	}
	next := slices.DeleteFunc(slices.Clone(rs), func(r keystore.Recipient) bool { return r.Key == gone.Key })
	var exposed []string
	err = s.SetRecipients(next, func(tx *keystore.Tx) error {
		if err := tx.Record("member.remove", "", "", "", name); err != nil {
			return err
		}
		exposed = allKeys(tx.Doc())
		return tx.MarkExposed(exposed, "readable by removed member "+name)
	})
	return Removed{Member: gone, Exposed: exposed}, err
}

func allKeys(d *keystore.Document) []string {
	var ids []string
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				ids = append(ids, k.AccessKeyID)
			}
		}
	}
	return ids
}

func notTeam(dir string) error {
	return fmt.Errorf("%w: %s has no %s", ErrNotTeam, dir, keystore.RecipientsFile)
}

// Member list errors: facts only; each front end says what to do about them.
var (
	ErrAlreadyMember = errors.New("that recipient is a member already")
	ErrNameTaken     = errors.New("the team has a member of that name already")
	// ErrJoinNameTaken is ErrNameTaken for the name to join as.
	ErrJoinNameTaken = fmt.Errorf("%w", ErrNameTaken)
	ErrNoMember      = errors.New("no member of that name")
)

// SelfRemovalError refuses a member's removing themselves: another member does it.
type SelfRemovalError struct{ Name string }

func (e *SelfRemovalError) Error() string { return "you cannot remove yourself" }

// RemoveLine is the command line another member runs to remove this one.
func (e *SelfRemovalError) RemoveLine() string { return "m3keys team remove " + shellWord(e.Name) }
