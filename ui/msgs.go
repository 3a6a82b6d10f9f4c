package ui

import (
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

// Intents: a screen asks the root to do something that is not its own business.
type (
	openOrgMsg      struct{ orgID string }
	openHistoryMsg  struct{ orgID string }
	openAddKeyMsg   struct{ orgID, user string }
	openUserFormMsg struct{ orgID string }
	// openOrgFormMsg opens the organization form; an empty orgID means a new one.
	openOrgFormMsg struct{ orgID string }
	goBackMsg      struct{}
	unlockMsg      struct {
		passphrase string
		create     bool
	}
	// testKeysMsg asks for live checks of these keys.
	testKeysMsg struct {
		keyIDs []string
	}
	// askMsg opens a confirmation; yes is handled as if a screen had sent it.
	askMsg struct {
		question, detail string
		yes              any
	}
	statusMsg struct {
		text  string
		isErr bool
	}
)

// changeMsg asks the root to apply a change to the store.
type changeMsg struct {
	apply func(*keystore.Tx) error
	what  string // the change, for a message that it was not saved: "add key AK-1 to ops"
	done  string // what the status bar says when it worked
	// forced is the same change with the explicit confirmation that
	// keystore.ErrLastActiveKey asks for, and the question to ask first.
	forced         *changeMsg
	forcedQuestion string
	// selectKey or selectUser is the row the organization screen moves to afterwards,
	// selectOrg the organizations screen's.
	selectKey, selectUser, selectOrg string
}

// Results: they carry the screen generation that asked, so a result for a
// screen already left is dropped.
type (
	unlockedMsg struct {
		gen   int
		store Store
		doc   *keystore.Document
	}
	unlockFailedMsg struct {
		gen     int
		err     error
		fromEnv bool
	}
	// savedMsg and checksSavedMsg bring the document as saved, read in the command,
	// so Update never waits for the store.
	savedMsg struct {
		id, gen int
		change  changeMsg
		err     error
		doc     *keystore.Document
	}
	checksSavedMsg struct {
		id  int
		err error
		doc *keystore.Document
	}
	saveSlowMsg    struct{ id int }
	flushChecksMsg struct{}
	checkDoneMsg   struct {
		run       int
		orgID     string
		keyID     string
		result    authclient.Result
		cancelled bool // on quit: not worth recording
	}
	clearStatusMsg struct{ id int }
	spinFrameMsg   struct{ run int }
)

// statusTTL is how long a transient message stays.
const (
	infoTTL  = 4 * time.Second
	errorTTL = 12 * time.Second
)
