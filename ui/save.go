package ui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// Every write to the store runs in a tea.Cmd and brings the saved document back with
// its result, so Update never reads or waits on the disk. Check results are shown at
// once and saved together: at most one save per flushEvery during a run, one at its
// end, and one on quit.
const (
	flushEvery = 250 * time.Millisecond
	// slowSave is how long a save may take before the status bar says it waits for the lock.
	slowSave = time.Second
)

// saves is what the root knows about writes in flight and check results not yet saved,
// and the quit that waits for them.
type saves struct {
	next     int
	inFlight map[int]bool // by save id: true once it has taken longer than slowSave
	unsaved  []livecheck.Result
	flushing []livecheck.Result // the results of the save in flight, if any
	flushDue bool               // a flush is scheduled
	closing  bool               // quit asked for: quit once everything is saved
	// quitFailed says a quit gave up on a failed save: ctrl+c now quits without it.
	quitFailed bool
	hangup     bool // the terminal is gone: quit even when a save fails
	quitting   bool // tea.Quit is sent: the view is empty, keys left in a read are dropped
}

// waiting reports a save that has been in flight for more than slowSave:
// another m3keys holds the store's lock.
func (s *saves) waiting() bool {
	for _, slow := range s.inFlight {
		if slow {
			return true
		}
	}
	return false
}

func (s *saves) busy() bool { return len(s.inFlight) > 0 || len(s.unsaved) > 0 }

// track runs write in a tea.Cmd, and tells the root (after slowSave) when it is slow.
func (s *saves) track(write func() tea.Msg, after afterFunc) (id int, cmd tea.Cmd) {
	if s.inFlight == nil {
		s.inFlight = map[int]bool{}
	}
	s.next++
	id = s.next
	s.inFlight[id] = false
	return id, tea.Batch(write, after(slowSave, saveSlowMsg{id: id}))
}

func (s *saves) slow(msg saveSlowMsg) {
	if _, ok := s.inFlight[msg.id]; ok {
		s.inFlight[msg.id] = true
	}
}

// finished takes a save out of flight and adopts the document it saved.
func (a *App) finished(id int, doc *keystore.Document) {
	delete(a.saves.inFlight, id)
	if doc != nil {
		a.adopt(doc)
	}
}

// showOn applies the results not saved yet to the document on screen.
func (s *saves) showOn(c *common) {
	for _, list := range [][]livecheck.Result{s.flushing, s.unsaved} {
		for _, r := range list {
			c.show(r)
		}
	}
}

// save applies a change to store in a tea.Cmd.
func (s *saves) save(store Store, change changeMsg, from ticket, after afterFunc) tea.Cmd {
	var id int
	id, cmd := s.track(func() tea.Msg {
		err := store.Update(change.apply)
		return savedMsg{id: id, to: from, change: change, err: err, doc: store.Document()}
	}, after)
	return cmd
}

// saved adopts the document saved and tells the screen that asked, while it is the one
// on top: a form shows a refusal or closes, a list selects what changed. The last ACTIVE
// key gets its second, explicit confirmation first.
func (a *App) saved(msg savedMsg) tea.Cmd {
	a.finished(msg.id, msg.doc)
	if cmd, closing := a.saves.closed(a.c, &a.clip, msg.err, "the change to "+msg.change.what); closing {
		return cmd
	}
	if msg.to.screen != a.stack.last().id {
		// The screen that asked is gone or covered; the user still has to know what happened to the change.
		if msg.err != nil {
			return a.c.say("not saved: "+msg.change.what+": "+plain(msg.err), true)
		}
		return a.c.say("saved: "+msg.change.done, false)
	}
	if errors.Is(msg.err, keystore.ErrLastActiveKey) && msg.change.forced != nil {
		a.ask(askMsg{question: msg.change.forcedQuestion, detail: plain(msg.err), yes: *msg.change.forced})
		return nil
	}
	return a.route(msg.to, msg)
}

// take shows a live result at once (on c's document) and queues it for the next save
// to c's store.
func (s *saves) take(c *common, keyID string, res authclient.Result, after afterFunc) tea.Cmd {
	r := livecheck.Result{KeyID: keyID, Live: res, At: c.now()}
	s.unsaved = append(s.unsaved, r)
	c.show(r)
	if !c.checks.running() {
		return s.flush(c.store, after)
	}
	if s.flushDue || len(s.flushing) > 0 {
		return nil
	}
	s.flushDue = true
	return after(flushEvery, flushChecksMsg{})
}

// due is the scheduled flush.
func (s *saves) due(store Store, after afterFunc) tea.Cmd {
	s.flushDue = false
	return s.flush(store, after)
}

// flush saves every result not saved yet, in one save.
func (s *saves) flush(store Store, after afterFunc) tea.Cmd {
	if len(s.unsaved) == 0 || len(s.flushing) > 0 {
		return nil
	}
	s.flushing, s.unsaved = s.unsaved, nil
	recs := s.flushing
	var id int
	id, cmd := s.track(func() tea.Msg {
		err := store.Update(func(tx *keystore.Tx) error { return livecheck.Record(tx, recs...) })
		return checksSavedMsg{id: id, err: err, doc: store.Document()}
	}, after)
	return cmd
}

// checksSaved takes the end of a save of check results in: the results come back to be
// saved again when it failed; those that came in meanwhile go next.
func (a *App) checksSaved(msg checksSavedMsg) tea.Cmd {
	s := &a.saves
	recs := s.flushing
	s.flushing = nil
	if msg.err != nil {
		s.unsaved = append(recs, s.unsaved...) // kept, shown, and saved again with the next result or on quit
	}
	a.finished(msg.id, msg.doc)
	what := fmt.Sprintf("%s of this session", count(len(recs), "check result"))
	if cmd, closing := s.closed(a.c, &a.clip, msg.err, what); closing {
		return cmd
	}
	if msg.err != nil {
		return a.c.say(fmt.Sprintf("could not save %s: %s — they stay on screen and are saved again with the next result or when you quit",
			count(len(s.unsaved), "check result"), fact(msg.err)), true)
	}
	if !a.c.checks.running() {
		return s.flush(a.c.store, a.c.after) // results that came in while this save was in flight
	}
	return nil
}

// Hangup ends the TUI as q does, clearing the clipboard and saving what is in hand, but for
// good: a save that fails does not keep it open. main sends it on SIGHUP, SIGTERM and SIGINT.
type Hangup struct{}

// hungUp is the quit of a Hangup.
func (s *saves) hungUp(c *common, clip *clipState) tea.Cmd {
	s.hangup = true
	return s.quit(c, clip, false)
}

// quit clears the clipboard and saves what is in hand first: a change in flight, results
// not saved yet. ctrl+c while that waits, or after a save failed, quits at once.
func (s *saves) quit(c *common, clip *clipState, force bool) tea.Cmd {
	c.checks.stop()
	if force && (s.closing || s.quitFailed) {
		s.quitting = true
		return tea.Quit
	}
	clear := clip.clear(false)
	if !s.busy() && !clip.busy() {
		s.quitting = true
		return tea.Quit
	}
	s.closing = true
	say := "saving before quitting…"
	if !s.busy() {
		say = "clearing the clipboard before quitting…"
	}
	return tea.Batch(clear, s.flush(c.store, c.after), c.say(say, false))
}

// closed finishes a quit that waited: it quits once nothing is left to do, and gives up
// quitting, saying what was not saved, when a save failed (unless the terminal is gone).
func (s *saves) closed(c *common, clip *clipState, err error, what string) (tea.Cmd, bool) {
	if !s.closing {
		return nil, false
	}
	if err != nil && !s.hangup {
		s.closing, s.quitFailed = false, true
		return c.say("not saved: "+what+" — press q to try again, or ctrl+c to quit without it: "+plain(err), true), true
	}
	if len(s.inFlight) > 0 || clip.busy() {
		return nil, true
	}
	if len(s.unsaved) > 0 && err == nil {
		return s.flush(c.store, c.after), true
	}
	s.quitting = true
	return tea.Quit, true
}
