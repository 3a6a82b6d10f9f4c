package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/keystore"
)

// hookTerminal answers like fakeTerminal and runs before (once) when it is first asked for
// a new passphrase: between opening the store and changing it.
type hookTerminal struct {
	fakeTerminal
	before func()
}

func (h *hookTerminal) ReadHidden(prompt string) (string, error) {
	if h.before != nil && strings.HasPrefix(prompt, "New passphrase") {
		h.before()
		h.before = nil
	}
	return h.fakeTerminal.ReadHidden(prompt)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPasswdNewIdentityShutsOutAnOldCopyOfTheIdentity(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	oldID := filepath.Join(t.TempDir(), "identity.age.old")
	copyFile(t, filepath.Join(h.home, keystore.IdentityFile), oldID)
	const newPass = "a new passphrase"

	// Another m3keys takes the lock while the new passphrase is typed: bounded wait, nothing changed.
	var release func()
	h.term = &hookTerminal{fakeTerminal{answers: []string{newPass, newPass}}, func() { release = holdLock(t, h.home) }}
	before, _ := os.ReadFile(filepath.Join(h.home, keystore.DocumentFile))
	o := h.run("", "passwd", "--new-identity", "--lock-timeout", "300ms")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "--lock-timeout") || strings.Contains(o.stderr, newPass) {
		t.Fatalf("lock held: exit %d %q", o.code, o.stderr)
	}
	release()
	if after, _ := os.ReadFile(filepath.Join(h.home, keystore.DocumentFile)); string(after) != string(before) {
		t.Fatal("keystore.age changed by a refused passwd --new-identity")
	}
	h.store() // still the old passphrase

	h.term = &fakeTerminal{answers: []string{newPass, newPass}}
	o = h.mustRun("", "passwd", "--new-identity")
	if !strings.Contains(o.stderr, "new identity") {
		t.Errorf("stderr: %q", o.stderr)
	}
	s, err := keystore.Open(h.home, newPass)
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	if _, ok := s.Document().Key("AK-1"); !ok {
		t.Fatal("key lost by passwd --new-identity")
	}
	// An attacker's old copy of identity.age, with the old passphrase, beside the new keystore.age.
	stolen := filepath.Join(t.TempDir(), "stolen")
	if err := os.Mkdir(stolen, 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, oldID, filepath.Join(stolen, keystore.IdentityFile))
	copyFile(t, filepath.Join(h.home, keystore.DocumentFile), filepath.Join(stolen, keystore.DocumentFile))
	if _, err := keystore.Open(stolen, pass); !errors.Is(err, keystore.ErrWrongIdentity) {
		t.Fatalf("the old identity opens the re-encrypted store: %v", err)
	}
}

func TestPlainPasswdSaysWhatItDoesNotProtect(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.term = &fakeTerminal{answers: []string{"a new passphrase", "a new passphrase"}}
	if o := h.mustRun("", "passwd"); !strings.Contains(o.stderr, "--new-identity") {
		t.Errorf("passwd does not point at --new-identity: %q", o.stderr)
	}
}
