package keystore

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// scrypt at 2^10 keeps the suite fast; the real factor is covered by TestRealWorkFactor.
	TestOnlySetWorkFactor(10)
	if role := os.Getenv("KEYSTORE_TEST_CHILD"); role != "" {
		if err := runChild(role, os.Getenv("KEYSTORE_TEST_DIR"), os.Getenv("KEYSTORE_TEST_PREFIX")); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild is the other process in the multi-process tests.
func runChild(role, dir, prefix string) error {
	if role == "hold" {
		return holdLock(dir)
	}
	s, err := Open(dir, testPass)
	if err != nil {
		return err
	}
	n := 40
	if role == "forever" {
		n = 1 << 30
	}
	for i := 0; i < n; i++ {
		user := fmt.Sprintf("%s-%d", prefix, i)
		err := s.Update(func(tx *Tx) error {
			if err := tx.AddUser(orgA, user); err != nil {
				return err
			}
			return tx.AddKey(orgA, user, NewKey{AccessKeyID: user, Secret: mustSecretNoT(secret)})
		})
		if err != nil {
			return err
		}
		if role == "forever" && i == 0 {
			fmt.Println("saving")
		}
	}
	return nil
}

func mustSecretNoT(s string) Secret {
	sec, err := NewSecret(s)
	if err != nil {
		panic(err)
	}
	return sec
}

// holdLock takes the store's lock as m3keys does (pid recorded) and keeps it until killed.
func holdLock(dir string) error {
	l, err := lockDir(dir, owner{uid: os.Geteuid()}, newOptions(nil))
	if err != nil {
		return err
	}
	defer l.Unlock()
	fmt.Println("locked")
	select {}
}
