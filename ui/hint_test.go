package ui

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/hinttest"
	"github.com/m3keys/m3keys/internal/team"
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
		"OwnerError": "run: chown 1000 /s/keystore.age", "OwnerError of the directory": "a store of your own",
		"ModeError": "run: chmod 700 /s", "ErrNotDirectory": "a directory", "ErrNotRegular": "only regular files",
		"NoIdentityError":       "if you have a backup of identity.age, put it back",
		"ForeignDocumentError":  "mv /s/keystore.age /s/keystore.age.foreign && cp /s/keystore.age.bak /s/keystore.age",
		"UnreadableBackupError": "move /s/keystore.age.bak away", "ErrCaseConflict": "remove one organization",
		"ErrUnsupportedPlatform": "WSL", "ErrIdentityUnavailable": "(q)",
		"ErrUntrustedRecipients": "(S)", "ErrTrustDamaged": "(y)", "UnlistedError": "age1bob",
		"ErrWrittenBeforeAdded": "a sync", "ErrLeftOut": "ask another member to remove you",
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

// TestHintForTeamAndTools: the errors of a sync and of the clipboard the TUI shows are worded
// here, in its keys, once.
func TestHintForTeamAndTools(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("the change is saved, but %w: %w", keystore.ErrNotCommitted, errors.New("index.lock")),
		fmt.Errorf("git fetch %w: %w", team.ErrGitStopped, errors.New("context canceled")),
		&team.RefusedError{Commit: "abc1234", Author: "eve", Reason: "an unknown file"},
		&team.NoRemoteError{GitDir: "/s/team.git"},
		fmt.Errorf("%w: 5 tries", team.ErrPushRace),
		team.ErrUntrusted,
	} {
		if h := hintFor(err); !strings.Contains(h, "(S)") || strings.Contains(h, "m3keys sync") || strings.Contains(h, "m3keys team") {
			t.Errorf("hintFor(%q) = %q: want the sync key, no m3keys command", err, h)
		}
	}
	for _, written := range []bool{false, true} {
		s := copyFailure(clipCopiedMsg{keyID: "AK-1", secret: true, err: clipboard.ErrNoTool, written: written}, &keystore.Document{}, time.Now())
		if strings.Count(s, "install xclip") != 1 || strings.Count(s, " — ") != 1 {
			t.Errorf("written %v: the copy failure reads %q: want the advice once", written, s)
		}
	}
}
