package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

// ticket addresses a result to the screen that asked: its place on the stack (an id
// never reused) and the number of the effect on that screen. The root drops a result
// whose screen has left the stack; a screen that numbers its requests (testKeysMsg.req)
// drops answers to older ones.
type ticket struct{ screen, gen int }

// Intents: a screen asks the root to do what is not its own business by returning
// them in its effect (do). The root carries them out with the ticket of the screen
// that returned them, so the result comes back there.
type (
	// pushMsg opens a screen over the current one; esc (popMsg) comes back.
	pushMsg struct{ s screen }
	// popMsg closes the screen on top (or the overlay over it). saved is the change the
	// closing screen saved, for the screen revealed to select and announce.
	popMsg struct{ saved *savedMsg }
	// openedMsg is an unlocked store: the organizations screen replaces everything.
	openedMsg struct {
		store Store
		doc   *keystore.Document
	}
	// testKeysMsg asks for live checks of these keys; req is the asking screen's own
	// number for the request, back in checkDoneMsg, so it can drop answers to older ones.
	testKeysMsg struct {
		keyIDs []string
		req    int
	}
	// askMsg opens a confirmation over the screen that sent it; yes is the intent to carry
	// out on its behalf: a changeMsg to save, or a copySecretMsg.
	askMsg struct {
		question, detail string
		yes              tea.Msg
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

// Broadcasts: the root sends them to every screen on the stack.
type (
	// docChangedMsg: the document on screen was replaced or changed; rebuild from it.
	docChangedMsg struct{}
	// checkedMsg: a live result of this organization was taken in; orgDone when it was
	// the organization's last key of the run.
	checkedMsg struct {
		orgID   string
		orgDone bool
	}
)

// Results. The ones the root runs carry the ticket of the screen that asked (to); a
// screen's own commands come back in a routedMsg the root wraps them in.
type (
	routedMsg struct {
		to  ticket
		msg tea.Msg
	}
	// savedMsg and checksSavedMsg bring the document as saved, read in the command,
	// so Update never waits for the store.
	savedMsg struct {
		id     int
		to     ticket
		change changeMsg
		err    error
		doc    *keystore.Document
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
		to        ticket
		req       int // testKeysMsg.req
		orgID     string
		keyID     string
		result    authclient.Result
		cancelled bool // on quit: not worth recording
	}
	clearStatusMsg struct{ id int }
	spinFrameMsg   struct{ run int }
)

// infoTTL and errorTTL are how long a status message stays: an error longer, to be read.
const (
	infoTTL  = 4 * time.Second
	errorTTL = 12 * time.Second
)
