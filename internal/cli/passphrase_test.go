package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/keystore"
)

func TestNewPassphraseShorterThanEightIsRefused(t *testing.T) {
	t.Run("create from the environment", func(t *testing.T) {
		h := newHarness(t)
		h.vars["M3KEYS_PASSPHRASE"] = "short-7"
		o := h.add("AK-1", "u")
		if o.code != ExitUsage || !strings.Contains(o.stderr, "at least 8 characters") || strings.Contains(o.stderr, "short-7") {
			t.Fatalf("exit %d %q", o.code, o.stderr)
		}
		if _, err := os.Stat(h.home); err == nil {
			t.Error("a store was created with a short passphrase")
		}
	})
	t.Run("create on the terminal", func(t *testing.T) {
		h := newHarness(t)
		delete(h.vars, "M3KEYS_PASSPHRASE")
		h.term = &fakeTerminal{answers: []string{"ab€defg", "ab€defg"}} // 7 characters, 9 bytes
		if o := h.add("AK-1", "u"); o.code != ExitUsage || !strings.Contains(o.stderr, "at least 8 characters") {
			t.Fatalf("exit %d %q", o.code, o.stderr)
		}
		if keystore.Exists(h.home) {
			t.Error("a store was created with a short passphrase")
		}
		h.term = &fakeTerminal{answers: []string{"abc€defg", "abc€defg"}}
		if o := h.add("AK-1", "u"); o.code != 0 {
			t.Fatalf("8 characters: exit %d %q", o.code, o.stderr)
		}
	})
	t.Run("passwd", func(t *testing.T) {
		h := newHarness(t)
		h.add("AK-1", "u")
		h.term = &fakeTerminal{answers: []string{"1234567", "1234567"}}
		if o := h.run("", "passwd"); o.code != ExitUsage || !strings.Contains(o.stderr, "at least 8 characters") || !strings.Contains(o.stderr, "not changed") {
			t.Fatalf("exit %d %q", o.code, o.stderr)
		}
		h.store() // still opens with the old one
	})
	t.Run("an existing store with a short one keeps opening", func(t *testing.T) {
		h := newHarness(t)
		s, err := keystore.Create(h.home, "short")
		if err != nil {
			t.Fatal(err)
		}
		_ = s
		h.vars["M3KEYS_PASSPHRASE"] = "short"
		if o := h.add("AK-1", "u"); o.code != 0 {
			t.Fatalf("exit %d %q", o.code, o.stderr)
		}
		h.mustRun("", "list")
	})
}

func TestTokenOnAnInactiveKeyWarnsAndStillPrints(t *testing.T) {
	h, _ := checkFixture(t)
	o := h.mustRun("", "token", "AK-GOOD")
	if o.stderr != "" {
		t.Errorf("warning for an ACTIVE key: %q", o.stderr)
	}
	h.add("AK-GOOD2", "good")
	h.mustRun("", "inactivate", "AK-GOOD")
	o = h.mustRun("", "token", "AK-GOOD")
	if strings.Count(strings.TrimSpace(o.stdout), ".") != 2 {
		t.Errorf("no token on stdout: %q", o.stdout)
	}
	if !strings.HasPrefix(o.stderr, "m3keys: ") || !strings.Contains(o.stderr, "AK-GOOD is INACTIVE") || strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("no one-line warning on stderr: %q", o.stderr)
	}
}
