package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/keystore"
)

// common is what every screen shares: dependencies, keys, styles, the unlocked
// store and its document, and the live checks in progress. The root owns it.
type common struct {
	deps   Deps
	keys   *KeyMap
	styles Styles

	store Store
	doc   *keystore.Document
	docTx *keystore.Tx // edits doc in memory (results not saved yet); its index is built once per doc

	checks  checkRun
	results map[string]authclient.Result // the last live result of this session, by Access Key ID
	tokens  *authclient.TokenCache       // Bearer tokens of this session, by Access Key ID, for y
	// agentUntil is when the unlock agent that opened the store locks; zero when it did not.
	agentUntil time.Time
	frame      int       // spinner frame
	team       teamState // a team store's badge and sync (sync.go)

	// send queues an intent for the root, right after the current Update, and returns
	// the ticket its result comes back with.
	send func(tea.Msg) ticket
}

const spinInterval = 100 * time.Millisecond

func (c *common) now() time.Time { return c.deps.Clock() }

func (c *common) spinner() string {
	frames := spinner.MiniDot.Frames
	return frames[c.frame%len(frames)]
}

// setDoc replaces the document on screen.
func (c *common) setDoc(d *keystore.Document) { c.doc, c.docTx = d, nil }

// show records a live result in the document on screen, as lastcheck would in the store.
func (c *common) show(r checkRecord) {
	if c.docTx == nil {
		c.docTx = c.doc.Edit(c.now())
	}
	_ = lastcheck.Record(c.docTx, r.keyID, r.result, r.at) // the save says what went wrong
}

func (c *common) org(id string) *keystore.Organization {
	if c.doc == nil {
		return nil
	}
	o, _ := c.doc.Org(id)
	return o
}

// dryRun applies change to a throwaway copy of the document, so a refusal from
// the keystore's rules can be shown on the spot, before any form or confirmation.
func (c *common) dryRun(change func(*keystore.Tx) error) error {
	return change(c.doc.Clone().Edit(c.now()))
}

func (c *common) stale(k *keystore.AccessKey) bool { return k.Stale(c.now(), c.deps.MaxAge) }

func (c *common) fail(err error) { c.send(statusMsg{text: plain(err), isErr: true}) }

// push opens s over the screen that sends it.
func (c *common) push(s screen) { c.send(pushMsg{s: s}) }

func (c *common) pop() { c.send(popMsg{}) }

// report says in the status bar what became of a change this screen asked for.
func (c *common) report(msg savedMsg) {
	if msg.err != nil {
		c.fail(msg.err)
		return
	}
	c.send(statusMsg{text: msg.change.done})
}
