package team_test

import (
	"fmt"
	"testing"

	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// BenchmarkSyncUpToDate1000Keys is m3keys sync on an up-to-date 1,000-key team store against a
// bare remote on disk: the passphrase is never asked (nothing to merge), so this is all of it
// beyond the unlock.
func BenchmarkSyncUpToDate1000Keys(b *testing.B) {
	_, ms := newTeam(b, "bob")
	alice := ms[0]
	alice.update(func(tx *keystore.Tx) error {
		for i := range 500 {
			user := fmt.Sprintf("user-%03d", i)
			if err := tx.AddUser(org, user); err != nil {
				return err
			}
			for k := range 2 {
				id := fmt.Sprintf("AK-%03d-%d", i, k)
				if err := tx.AddKey(org, user, keystore.NewKey{AccessKeyID: id, Secret: secretFor(b, id)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	alice.mustSync()
	opts := team.SyncOptions{Unlock: func() (*keystore.Member, error) {
		b.Fatal("an up-to-date sync asked for the passphrase")
		return nil, nil
	}}
	for b.Loop() {
		r, err := team.Sync(alice.dir, opts)
		if err != nil || r.Pushed || r.Merged || r.Received != 0 {
			b.Fatalf("sync = %+v, %v; want nothing to do", r, err)
		}
	}
}
