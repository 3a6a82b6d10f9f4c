package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// reloadEvery is how often the TUI looks for a change by another m3keys (the CLI, a sync,
// another TUI): a stat of keystore.age, and a decrypt only when it changed.
const reloadEvery = time.Second

// refresher is a store that can show what another process saved (keystore.Store.Refresh).
type refresher interface {
	Refresh() (changed bool, err error)
}

type (
	reloadTickMsg struct{}
	// reloadedMsg is what a look found: the document when it changed, and the adoptions
	// counted when the look started, so a document older than one adopted since is dropped.
	reloadedMsg struct {
		adopted int
		doc     *keystore.Document
		err     error
	}
)

// reloads is the polling state: one chain of looks, from the unlock to the quit.
type reloads struct {
	on      bool
	adopted int    // documents adopted so far (saves, syncs, looks)
	missed  bool   // a change was dropped for a newer document: the next look brings it anyway
	lastErr string // said once, not every second
}

// afterFunc schedules msg after d: the App's after (tea.Tick, replaceable in tests).
type afterFunc func(d time.Duration, msg tea.Msg) tea.Cmd

// start schedules the first look, once the store is open.
func (r *reloads) start(store Store, after afterFunc) tea.Cmd {
	if _, ok := store.(refresher); !ok || r.on {
		return nil
	}
	r.on = true
	return after(reloadEvery, reloadTickMsg{})
}

// tick looks at the store in a command.
func (r *reloads) tick(store Store) tea.Cmd {
	ref, ok := store.(refresher)
	if !ok {
		return nil
	}
	adopted, force := r.adopted, r.missed
	return func() tea.Msg {
		changed, err := ref.Refresh()
		msg := reloadedMsg{adopted: adopted, err: err}
		if err == nil && (changed || force) {
			msg.doc = store.Document()
		}
		return msg
	}
}

// take is what a look found: the error to say (once, not every second), and the document
// to show, unless a save or a sync of ours is in flight (busy) or done since the look
// began: those bring the newest document themselves.
func (r *reloads) take(msg reloadedMsg, busy bool) (say string, doc *keystore.Document) {
	if msg.err != nil {
		if text := plain(msg.err); text != r.lastErr {
			r.lastErr = text
			return "could not re-read the store: " + text, nil
		}
		return "", nil
	}
	r.lastErr = ""
	if msg.doc == nil {
		return "", nil
	}
	if msg.adopted != r.adopted || busy {
		r.missed = true
		return "", nil
	}
	r.missed = false
	return "", msg.doc
}

// reloaded shows what another m3keys saved, and schedules the next look.
func (a *App) reloaded(msg reloadedMsg) tea.Cmd {
	next := a.c.after(reloadEvery, reloadTickMsg{})
	say, doc := a.reload.take(msg, len(a.saves.inFlight) > 0 || a.c.team.syncing)
	if say != "" {
		return tea.Batch(next, a.c.say(say, true))
	}
	if doc != nil {
		a.adopt(doc)
	}
	return next
}

// adopt puts a document from the store on screen, with the results not saved yet, and lets
// every screen re-derive its rows (a form keeps what is typed; a list keeps its key by ID).
func (a *App) adopt(doc *keystore.Document) {
	a.reload.adopted++
	a.c.setDoc(doc)
	a.saves.showOn(a.c)
	a.rebuild()
}
