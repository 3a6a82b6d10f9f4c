package ui

import (
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// common is what every screen shares: dependencies, keys, styles, the unlocked
// store and its document, and the live checks in progress. The root owns it, and
// starts its services from it (the status line, checks, syncs).
type common struct {
	deps   Deps
	keys   *KeyMap
	styles Styles
	// after schedules msg after d: tea.Tick in the program, replaceable in tests.
	after afterFunc
	// status is the status line: the root and its services set it (c.say); a screen asks
	// for it with the say and fail intents.
	status status

	store Store
	doc   *keystore.Document
	docTx *keystore.Tx // edits doc in memory (results not saved yet); its index is built once per doc

	checks  checkRun
	results map[string]authclient.Result // the last live result of this session, by Access Key ID
	tokens  *authclient.TokenCache       // Bearer tokens of this session, by Access Key ID, for y
	frame   int                          // spinner frame
	team    teamState                    // a team store's badge and sync (sync.go)
	agent   agentState                   // the unlock agent that opened the store, if one did
}

const spinInterval = 100 * time.Millisecond

func (c *common) now() time.Time { return c.deps.Clock() }

// status is the message above the help line; it clears itself after a while.
type status struct {
	id    int
	text  string
	isErr bool
}

// say shows text in the status line until its time is up; "" leaves the line as it is.
func (c *common) say(text string, isErr bool) tea.Cmd {
	if text == "" {
		return nil
	}
	st := &c.status
	st.id++
	st.text, st.isErr = text, isErr
	ttl := infoTTL
	if isErr {
		ttl = errorTTL
	}
	return c.after(ttl, clearStatusMsg{id: st.id})
}

// clear ends a message whose time is up, unless a newer one took its place.
func (st *status) clear(msg clearStatusMsg) {
	if msg.id == st.id {
		st.text = ""
	}
}

func (c *common) spinner() string {
	frames := spinner.MiniDot.Frames
	return frames[c.frame%len(frames)]
}

// spin turns the spinner and schedules the next frame, while on (a test run, a sync) goes on.
func (c *common) spin(on bool, next tea.Msg) tea.Cmd {
	if !on {
		return nil
	}
	c.frame++
	return c.after(spinInterval, next)
}

// setDoc replaces the document on screen.
func (c *common) setDoc(d *keystore.Document) { c.doc, c.docTx = d, nil }

// show records a live result in the document on screen, as livecheck does in the store.
func (c *common) show(r livecheck.Result) {
	if c.docTx == nil {
		c.docTx = c.doc.Edit(c.now())
	}
	_ = livecheck.Record(c.docTx, r) // the save says what went wrong
}

// keysToTest are the keys t and T test: livecheck's choice for sel, which names no key.
func (c *common) keysToTest(sel livecheck.Selection) []string {
	refs, _ := livecheck.Select(c.doc, sel) // it names no key: nothing to refuse
	ids := make([]string, len(refs))
	for i, ref := range refs {
		ids[i] = ref.Key.AccessKeyID
	}
	return ids
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

// effect is what a screen's update asks for besides its place on the stack: io, its own
// I/O, which the program runs, and intents for the root, carried out in order before the
// next message (see App.tag). Their results come back to that screen. nil asks for nothing.
type effect struct {
	io      tea.Cmd
	intents []tea.Msg
}

// do asks the root for msgs (intents), in order, on behalf of the screen that returns it.
func do(msgs ...tea.Msg) *effect { return &effect{intents: msgs} }

// run is the screen's own I/O; its messages come back to the screen.
func run(cmd tea.Cmd) *effect {
	if cmd == nil {
		return nil
	}
	return &effect{io: cmd}
}

// both is all of effects as one: their I/O together, their intents in order.
func both(effects ...*effect) *effect {
	var io []tea.Cmd
	var intents []tea.Msg
	for _, e := range effects {
		if e != nil {
			io = append(io, e.io)
			intents = append(intents, e.intents...)
		}
	}
	if cmd := tea.Batch(io...); cmd != nil || len(intents) > 0 {
		return &effect{io: cmd, intents: intents}
	}
	return nil
}

// fail says err in the status bar.
func fail(err error) *effect { return do(failure(err)) }

func failure(err error) statusMsg { return statusMsg{text: plain(err), isErr: true} }

// say puts text in the status bar.
func say(text string) *effect { return do(statusMsg{text: text}) }

// push opens s over the screen that returns it.
func push(s screen) *effect { return do(pushMsg{s: s}) }

// pop closes the screen that returns it.
func pop() *effect { return do(popMsg{}) }

// report says in the status bar what became of a change this screen asked for.
func report(msg savedMsg) *effect {
	if msg.err != nil {
		return fail(msg.err)
	}
	return say(msg.change.done)
}
