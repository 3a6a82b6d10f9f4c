package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/hinttest"
	"github.com/m3keys/m3keys/keystore"
)

// tuiKey is how a hint names a key to press: "(r)", "press s", "esc", "enter".
var tuiKey = regexp.MustCompile(`\([a-zA-Z]\)|\bpress\b|\besc\b|\benter\b`)

func TestHintNamesCommandsNeverKeys(t *testing.T) {
	errs := hinttest.KeystoreErrors(t)
	for name, err := range errs {
		if h := hint(err); tuiKey.MatchString(h) {
			t.Errorf("%s: the CLI's hint names a TUI key: %q", name, h)
		}
	}
	for name, want := range map[string]string{
		"LockTimeoutError": "--lock-timeout", "ErrLastActiveKey": "--force", "ErrKeyActive": "m3keys inactivate",
		"ErrKeyLimit": "m3keys inactivate", "ErrOverLimit": "m3keys remove", "ErrNotProved": "m3keys check",
		"ErrNotFound": "m3keys list", "ErrNoStore": "m3keys add", "ErrRotationInProgress": "run m3keys",
		"ErrWrongPassphrase": "$M3KEYS_PASSPHRASE", "ErrOrgMismatch": "run m3keys",
		"IdentityDamageError": "restore identity.age", "ErrTeamIdentity": "team join", "ErrNoSecretKey": "m3keys lock",
		"OwnerError": "run: chown 1000 /s/keystore.age", "OwnerError of the directory": "use a store of your own (--home DIR)",
		"ModeError": "run: chmod 700 /s", "ErrNotDirectory": "--home", "ErrNotRegular": "only regular files",
		"NoIdentityError":       "if you have a backup of identity.age, put it back",
		"ForeignDocumentError":  "mv /s/keystore.age /s/keystore.age.foreign && cp /s/keystore.age.bak /s/keystore.age",
		"UnreadableBackupError": "move /s/keystore.age.bak away", "ErrCaseConflict": "remove one organization",
		"ErrUnsupportedPlatform": "WSL", "ErrIdentityUnavailable": "m3keys unlock",
		"ErrUntrustedRecipients": "m3keys team trust", "ErrTrustDamaged": "m3keys team trust",
		"UnlistedError": "m3keys team add NAME age1bob; then run m3keys sync", "ErrWrittenBeforeAdded": "m3keys sync",
		"ErrLeftOut": "ask another member to remove you",
	} {
		if h := hint(errs[name]); !strings.Contains(h, want) {
			t.Errorf("%s: the CLI's hint %q does not name %q", name, h, want)
		}
	}
	if h := hint(keystore.ErrWrongIdentity); strings.Contains(h, "restore keystore.age from") {
		t.Errorf("the hint for a wrong identity could lose a key: %q", h)
	}
}
