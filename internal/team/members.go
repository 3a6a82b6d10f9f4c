package team

import (
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
		return fmt.Errorf("that recipient is a member already — m3keys team list shows the members")
	}
	if _, taken := rs.Named(name); taken {
		return fmt.Errorf("the team has a member called %q already — choose another name", name)
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
		return Removed{}, fmt.Errorf("no member is called %q — m3keys team list shows the members", name)
	}
	if gone.Key == s.Member().Recipient() {
		return Removed{}, fmt.Errorf("you cannot remove yourself — ask another member to run m3keys team remove %s", shellWord(name))
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
	return fmt.Errorf("%w: %s has no %s — make it one with m3keys team init, or join one with m3keys team join URL", ErrNotTeam, dir, keystore.RecipientsFile)
}
