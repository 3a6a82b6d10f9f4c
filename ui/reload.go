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

// startReloads schedules the first look, once the store is open.
func (a *App) startReloads() tea.Cmd {
	if _, ok := a.c.store.(refresher); !ok || a.reload.on {
		return nil
	}
	a.reload.on = true
	return a.after(reloadEvery, reloadTickMsg{})
}

// reloadTick looks at the store in a command.
func (a *App) reloadTick() tea.Cmd {
	store := a.c.store
	r, ok := store.(refresher)
	if !ok {
		return nil
	}
	adopted, force := a.reload.adopted, a.reload.missed
	return func() tea.Msg {
		changed, err := r.Refresh()
		msg := reloadedMsg{adopted: adopted, err: err}
		if err == nil && (changed || force) {
			msg.doc = store.Document()
		}
		return msg
	}
}

// reloaded shows what another m3keys saved, unless a save or a sync of ours is in flight
// or done since the look began: those bring the newest document themselves.
func (a *App) reloaded(msg reloadedMsg) tea.Cmd {
	next := a.after(reloadEvery, reloadTickMsg{})
	if msg.err != nil {
		if text := plain(msg.err); text != a.reload.lastErr {
			a.reload.lastErr = text
			return tea.Batch(next, a.setStatus("could not re-read the store: "+text, true))
		}
		return next
	}
	a.reload.lastErr = ""
	if msg.doc == nil {
		return next
	}
	if msg.adopted != a.reload.adopted || len(a.saves.inFlight) > 0 || a.c.team.syncing {
		a.reload.missed = true
		return next
	}
	a.reload.missed = false
	a.adopt(msg.doc)
	return next
}

// adopt puts a document from the store on screen, with the results not saved yet, and lets
// every screen re-derive its rows (a form keeps what is typed; a list keeps its key by ID).
func (a *App) adopt(doc *keystore.Document) {
	a.reload.adopted++
	a.c.setDoc(doc)
	a.showUnsaved()
	a.rebuild()
}
