package ui

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/hinttest"
	"github.com/m3keys/m3keys/keystore"
)

// cliWords is how a hint names the command line: an m3keys command, a flag, an environment variable.
var cliWords = regexp.MustCompile(`m3keys (add|list|check|inactivate|activate|remove|import|sync|unlock|lock|copy|secret|token|team|passwd|demo|man|help|version|completion)\b|--[a-z]|\$M3KEYS`)

func TestHintForNamesKeysNeverCommands(t *testing.T) {
	errs := hinttest.KeystoreErrors(t)
	for name, err := range errs {
		if h := hintFor(err); cliWords.MatchString(h) {
			t.Errorf("%s: the TUI's hint names the command line: %q", name, h)
		}
	}
	for name, want := range map[string]string{
		"ErrKeyLimit": "press r", "ErrKeyActive": "press s", "ErrLastActiveKey": "press y", "ErrNotProved": "(t)",
		"ErrRotationInProgress": "(r)", "ErrOverLimit": "(d)", "ErrNoStore": "(a)", "ErrNotFound": "esc",
		"LockTimeoutError": "pid 4242", "ErrOrgMismatch": "press e", "IdentityDamageError": "restore identity.age",
	} {
		if h := hintFor(errs[name]); !strings.Contains(h, want) {
			t.Errorf("%s: the TUI's hint %q does not name %q", name, h, want)
		}
	}
	own := &keystore.LockTimeoutError{Path: "/s/.lock", PID: os.Getpid()}
	if h := hintFor(own); !strings.Contains(h, "sync") || strings.Contains(h, "another m3keys") {
		t.Errorf("the wait for this process's own sync reads %q", h)
	}
	if h := hintFor(keystore.ErrWrongIdentity); strings.Contains(h, "restore keystore.age from") {
		t.Errorf("the hint for a wrong identity could lose a key: %q", h)
	}
}

// TestNoAdviceSplitOut: the TUI words hints from errors; it never cuts a " — advice" out of a message.
func TestNoAdviceSplitOut(t *testing.T) { hinttest.NoAdviceSplitOut(t, ".") }
