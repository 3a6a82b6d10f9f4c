package keystore

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// bigStore holds 10,000 keys: 100 organizations × 50 service users × 2 keys.
func bigStore(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "big")
	s, err := Create(dir, testPass)
	if err != nil {
		b.Fatal(err)
	}
	err = s.Update(func(tx *Tx) error {
		for o := 0; o < 100; o++ {
			org := fmt.Sprintf("00000000-0000-4000-8000-%012d", o)
			if err := tx.AddOrg(NewOrg{ID: org, Name: fmt.Sprintf("Org %d", o), APIURL: "https://api.m3ter.com"}); err != nil {
				return err
			}
			for u := 0; u < 50; u++ {
				user := fmt.Sprintf("svc-%d", u)
				if err := tx.AddUser(org, user); err != nil {
					return err
				}
				for k := 0; k < 2; k++ {
					id := fmt.Sprintf("AK%03d%03d%d-xxxxxxxxxxxxxxxx", o, u, k)
					if err := tx.AddKey(org, user, NewKey{AccessKeyID: id, Secret: mustSecretNoT("s3cr3t-0123456789abcdef0123456789abcdef")}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkUnlock10kKeys uses the real work factor: unlock should be dominated by the one scrypt.
func BenchmarkUnlock10kKeys(b *testing.B) {
	dir := bigStore(b)
	TestOnlySetWorkFactor(0)
	b.Cleanup(func() { TestOnlySetWorkFactor(10) })
	s, err := Open(dir, testPass)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.ChangePassphrase(testPass); err != nil { // re-encrypt at 2^18
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(dir, testPass); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSave10kKeys is one change (a recorded check) saved to a store of 10,000 keys.
func BenchmarkSave10kKeys(b *testing.B) {
	s, err := Open(bigStore(b), testPass)
	if err != nil {
		b.Fatal(err)
	}
	i, at := 0, time.Now().UTC()
	for b.Loop() {
		i++
		err := s.Update(func(tx *Tx) error {
			return tx.RecordCheck("AK0000000-xxxxxxxxxxxxxxxx", Check{At: at, Result: "valid", LatencyMs: int64(i)})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode10kKeys is decoding alone (no scrypt, no age), the document part of the unlock figure.
func BenchmarkDecode10kKeys(b *testing.B) {
	s, err := Open(bigStore(b), testPass)
	if err != nil {
		b.Fatal(err)
	}
	plain, err := encodeDocument(s.Document())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecodeDocument(plain); err != nil {
			b.Fatal(err)
		}
	}
}
