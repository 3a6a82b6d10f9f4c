package merge_test

import (
	"fmt"
	"testing"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// BenchmarkMerge1000Keys merges three 1,000-key documents (50 organizations of 10 service
// users with two keys each, a full history) where each side made a few changes.
func BenchmarkMerge1000Keys(b *testing.B) {
	base := &keystore.Document{Version: keystore.CurrentVersion}
	tx := base.Edit(t0)
	for o := range 50 {
		org := fmt.Sprintf("%08x-1e2f-4a5b-8c9d-0e1f2a3b4c5d", o)
		must(b, tx.AddOrg(keystore.NewOrg{ID: org, Name: fmt.Sprint("org ", o), APIURL: validate.DefaultAPIURL}))
		for u := range 10 {
			user := fmt.Sprint("svc", u)
			must(b, tx.AddUser(org, user))
			for k := range 2 {
				must(b, tx.AddKey(org, user, keystore.NewKey{AccessKeyID: fmt.Sprintf("k-%d-%d-%d", o, u, k), Secret: secret(b, fmt.Sprintf("%d-%d-%d", o, u, k))}))
			}
		}
	}
	ours := edit(b, base, t1, func(tx *keystore.Tx) error {
		for i := range 3 {
			if err := tx.SetStatus(fmt.Sprintf("k-%d-1-0", i), keystore.Inactive, false); err != nil {
				return err
			}
			if err := tx.RecordCheck(fmt.Sprintf("k-%d-2-1", i), keystore.Check{At: t1, Result: "valid", Verified: true}); err != nil {
				return err
			}
		}
		return tx.AddUser("00000007-1e2f-4a5b-8c9d-0e1f2a3b4c5d", "new")
	})
	theirs := edit(b, base, t2, func(tx *keystore.Tx) error {
		for i := range 3 {
			if err := tx.MarkSecretCopied(fmt.Sprintf("k-%d-3-0", i+10)); err != nil {
				return err
			}
		}
		if err := tx.RecordCheck("k-0-2-1", keystore.Check{At: t2, Result: "rejected", Verified: true}); err != nil {
			return err
		}
		return tx.EditOrg(keystore.NewOrg{ID: "00000009-1e2f-4a5b-8c9d-0e1f2a3b4c5d", Name: "renamed", APIURL: validate.DefaultAPIURL})
	})
	b.ReportAllocs()
	for b.Loop() {
		r, err := merge.Documents(base, ours, theirs, now)
		if err != nil || !r.Resolved() {
			b.Fatalf("err %v, conflicts %v", err, r.Conflicts)
		}
	}
}
