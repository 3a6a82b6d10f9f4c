package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/keystore"
)

// bigUnlockedStore is 10,000 keys under an identity at the real scrypt work factor (2^18),
// unlocked by m3keys unlock; the agent is locked when the benchmark ends.
func bigUnlockedStore(b *testing.B) string {
	b.Helper()
	rt, err := os.MkdirTemp("", "m3k")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(rt) })
	b.Setenv("XDG_RUNTIME_DIR", rt)
	dir := filepath.Join(b.TempDir(), "big")
	keystore.TestOnlySetWorkFactor(0)
	s, err := keystore.Create(dir, pass)
	keystore.TestOnlySetWorkFactor(10)
	if err != nil {
		b.Fatal(err)
	}
	err = s.Update(func(tx *keystore.Tx) error {
		for o := 0; o < 100; o++ {
			org := fmt.Sprintf("00000000-0000-4000-8000-%012d", o)
			if err := tx.AddOrg(keystore.NewOrg{ID: org, Name: fmt.Sprintf("Org %d", o), APIURL: "https://api.m3ter.com"}); err != nil {
				return err
			}
			for u := 0; u < 50; u++ {
				user := fmt.Sprintf("svc-%d", u)
				if err := tx.AddUser(org, user); err != nil {
					return err
				}
				for k := 0; k < 2; k++ {
					sec, _ := keystore.NewSecret("s3cr3t-0123456789abcdef0123456789abcdef")
					if err := tx.AddKey(org, user, keystore.NewKey{AccessKeyID: fmt.Sprintf("AK%03d%03d%d-xxxxxxxxxxxxxxxx", o, u, k), Secret: sec}); err != nil {
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

// BenchmarkList10kUnlocked and BenchmarkScryptUnlock are a pair on the same store: m3keys
// list of 10,000 keys through the agent, and the bare scrypt unlock it saves.
func BenchmarkList10kUnlocked(b *testing.B) {
	dir := bigUnlockedStore(b)
	env := func(vars map[string]string) Env {
		return Env{Stdout: io.Discard, Stderr: io.Discard, Stdin: strings.NewReader(""), Now: time.Now, Version: "bench",
			Getenv: func(k string) string { return vars[k] }}
	}
	if code := Run([]string{"unlock"}, env(map[string]string{"M3KEYS_HOME": dir, "M3KEYS_PASSPHRASE": pass})); code != 0 {
		b.Fatalf("unlock: %d", code)
	}
	b.Cleanup(func() {
		if c, err := agent.ForStore(dir); err == nil {
			_, _ = c.Lock()
		}
	})
	locked := env(map[string]string{"M3KEYS_HOME": dir}) // no passphrase: only the agent opens it
	b.ResetTimer()
	for b.Loop() {
		if code := Run([]string{"list"}, locked); code != 0 {
			b.Fatalf("list: %d", code)
		}
	}
}

func BenchmarkScryptUnlock(b *testing.B) {
	dir := bigUnlockedStore(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := keystore.UnlockIdentity(dir, pass); err != nil {
			b.Fatal(err)
		}
	}
}
