package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/keystore"
)

// A secret leaves the store once, as m3ter's Console shows it once: c asks first, then
// internal/handout marks it in the store, writes the clipboard, and takes the mark back when
// the write fails. y copies a Bearer token, any number of times. Either way only a hash of
// what was copied is kept (a clipboard.Pending), and the clipboard is cleared after the
// timeout, when the next copy replaces it, and on quit — if it still holds what m3keys put
// there. A detached clearer, started before the write, does the same if the TUI cannot: it
// clears as soon as the TUI ends however it ends (killed, or quit at once by a second ctrl+c).

// installAdvice is what to do when no clipboard works here.
const installAdvice = "install xclip or wl-clipboard, or run with --clipboard osc52"

// clearerGrace: the detached clearer waits this much longer than the TUI, which clears on time
// itself while it runs (and says so); the clearer is for when it cannot.
const clearerGrace = 5 * time.Second

// clipState is what the root knows about the clipboard.
type clipState struct {
	pending clipboard.Pending
	what    string // "secret of AK-1", for the countdown
	left    time.Duration
	seq     int  // bumped by every copy: ticks of an older one are dropped
	copying bool // a copy is in flight: one at a time, so two never clear each other's
	// clearing counts clears in flight; quitting waits for them.
	clearing int
}

type (
	// copySecretMsg hands a secret out; offline is the second, explicit yes to a hand-out the
	// team's remote could not be asked about.
	copySecretMsg struct {
		keyID   string
		offline bool
	}
	copyTokenMsg struct{ keyID string }
	// clipCopiedMsg is the end of a copy: what went to the clipboard (a hash), or why nothing did.
	clipCopiedMsg struct {
		id          int // the save's, for a secret; 0 for a token
		to          ticket
		keyID       string
		secret      bool
		hash        clipboard.Hash
		err         error             // nothing was copied
		written     bool              // the write was tried: err is the clipboard's
		rollbackErr error             // the mark could not be taken back
		prevCleared bool              // the previous copy was cleared first
		clearer     clipboard.Stopper // the detached clearer of this copy, nil when none
		clearerErr  error             // why no detached clearer waits
		doc         *keystore.Document
		fetched     *authclient.Result // a token fetched for this copy
		granted     handout.Granted    // a secret's hand-out: offline, not pushed
	}
	clipTickMsg    struct{ seq int }
	clipClearedMsg struct {
		cleared bool
		err     error
		onTime  bool // the timeout ran out (rather than a quit)
	}
)

// askHandOut is c's question, naming the key and where it is deployed: nothing is marked or
// written before y.
func askHandOut(k *keystore.AccessKey) askMsg {
	where := "No note says where it is deployed (e adds one)."
	if k.DeployedTo != "" {
		where = "Deployed to: " + clean(k.DeployedTo) + "."
	}
	return askMsg{
		question: "Hand out the secret of " + shortID(k.AccessKeyID) + " once?",
		detail:   where + " It goes to the clipboard; after this, m3keys refuses to hand it out again.",
		yes:      copySecretMsg{keyID: k.AccessKeyID},
	}
}

// copySecret hands the secret out to the clipboard (handout.Desk), in one command: a save
// that s tracks, as any other.
func (cs *clipState) copySecret(c *common, s *saves, msg copySecretMsg, from ticket) tea.Cmd {
	if cmd, ok := cs.ready(c, s.closing); !ok {
		return cmd
	}
	store, keyID, sink := c.store, msg.keyID, cs.sink(c.deps)
	desk := handout.Desk{Store: store}
	if t, ok := c.deps.Team.(handOutTeam); ok && c.team.on {
		desk.Team = t.HandOut(store, msg.offline)
	}
	cs.copying = true
	var id int
	id, cmd := s.track(func() tea.Msg {
		out := clipCopiedMsg{id: id, to: from, keyID: keyID, secret: true}
		out.granted, out.err = desk.HandOut(keyID, sink) // refuses a key that is gone, or handed out already
		var lost *handout.Undelivered
		if errors.As(out.err, &lost) {
			out.written, out.err, out.rollbackErr = true, lost.Err, lost.RollbackErr
		}
		out.prevCleared, out.hash, out.clearer, out.clearerErr = sink.Replaced, sink.Hash, sink.Clearer, sink.ClearerErr
		out.doc = store.Document()
		return out
	}, c.after)
	return cmd
}

// sink is where c and y write: it replaces the pending copy, and starts the detached
// clearer before the write.
func (cs *clipState) sink(deps Deps) *handout.Clipboard {
	cb, timeout := deps.Clipboard, deps.ClipTimeout
	s := &handout.Clipboard{CB: cb, Replace: cs.pending}
	if start := deps.WatchClearer; start != nil {
		if timeout > 0 {
			timeout += clearerGrace
		}
		s.StartClearer = func(h clipboard.Hash) (clipboard.Stopper, error) { return start(cb, h, timeout) }
	}
	return s
}

// copyToken copies the Bearer token of this session's last successful test of the key,
// or a fresh one when there is none or it expires within authclient.TokenMargin.
func (cs *clipState) copyToken(c *common, s *saves, msg copyTokenMsg, from ticket) tea.Cmd {
	if cmd, ok := cs.ready(c, s.closing); !ok {
		return cmd
	}
	ref, ok := c.doc.Key(msg.keyID)
	if !ok || c.deps.Checker == nil {
		return nil
	}
	checker, sink, keyID := c.deps.Checker, cs.sink(c.deps), msg.keyID
	key := livecheck.Key(ref)
	held, fresh := c.tokens.Get(key)
	shared := c.agent.tokens(c.deps.Agent) // the unlock agent's, nil when it did not open the store
	cs.copying = true
	cmds := []tea.Cmd{func() tea.Msg {
		out := clipCopiedMsg{to: from, keyID: keyID}
		res := held
		if !fresh && shared != nil {
			res, fresh = shared.Get(key) // one another m3keys fetched while unlocked
		}
		if !fresh {
			res = checker.Check(context.Background(), key, false)
			if shared != nil {
				shared.Hold(key, res)
			}
			out.fetched = &res
			if res.BearerToken() == "" {
				out.err = noTokenError{res}
				return out
			}
		}
		out.written, out.err = true, sink.Deliver(res.BearerToken())
		out.prevCleared, out.hash, out.clearer, out.clearerErr = sink.Replaced, sink.Hash, sink.Clearer, sink.ClearerErr
		return out
	}}
	if !fresh {
		cmds = append(cmds, c.say("getting a Bearer token for "+shortID(keyID)+"…", false))
	}
	return tea.Batch(cmds...)
}

// ready says whether a copy may start now, and why not; none starts once quitting (closing).
func (cs *clipState) ready(c *common, closing bool) (tea.Cmd, bool) {
	switch {
	case c.deps.Clipboard == nil || c.store == nil:
		return nil, false
	case cs.copying:
		return c.say("still copying — try again in a moment", false), false
	case closing:
		return nil, false
	}
	return nil, true
}

// busy says a quit has to wait for the clipboard: a copy or a clear is in flight.
func (cs *clipState) busy() bool { return cs.copying || cs.clearing > 0 }

// noTokenError is a fresh token m3ter did not issue.
type noTokenError struct{ res authclient.Result }

func (e noTokenError) Error() string { return "no token: " + message(e.res.Message) }

// copied takes a copy's outcome in: the new pending copy and its countdown, or why nothing
// was copied; the screen that asked gets it too.
func (a *App) copied(msg clipCopiedMsg) tea.Cmd {
	a.clip.copying = false
	if msg.id != 0 {
		a.finished(msg.id, msg.doc)
	}
	var cmds []tea.Cmd
	if msg.fetched != nil && msg.fetched.BearerToken() != "" {
		a.c.holdToken(msg.keyID, *msg.fetched)
		cmds = append(cmds, a.saves.recordIfUntested(a.c, msg.keyID, *msg.fetched))
	}
	if msg.prevCleared {
		a.clip.pending, a.clip.what = clipboard.Pending{}, ""
	}
	var unreachable *team.UnreachableError
	switch {
	case msg.secret && errors.As(msg.err, &unreachable) && !a.saves.closing:
		a.ask(askOffline(msg.keyID))
	case msg.err != nil:
		cmds = append(cmds, a.c.say(copyFailure(msg, a.c.doc, a.c.now()), true))
	default:
		cmds = append(cmds, a.clip.hold(a.c, msg))
		if note := teamNote(msg); note != "" {
			cmds = append(cmds, a.c.say(note, true))
		}
	}
	if a.saves.closing { // quit was asked while copying: clear what was just copied, then go
		cmds = append(cmds, a.clip.clear(false))
		if cmd, closing := a.saves.closed(a.c, &a.clip, nil, ""); closing {
			return tea.Batch(append(cmds, cmd)...)
		}
	}
	return tea.Batch(append(cmds, a.route(msg.to, msg))...)
}

// hold keeps the hash of a copy that worked and starts its countdown (none without a
// timeout), which takes the status line unless there is more to say.
func (cs *clipState) hold(c *common, msg clipCopiedMsg) tea.Cmd {
	deps, now := c.deps, c.now()
	cs.seq++
	cs.pending = clipboard.NewPending(deps.Clipboard, msg.hash, now, deps.ClipTimeout).WithClearer(msg.clearer)
	cs.what = "Bearer token for " + shortID(msg.keyID)
	if msg.secret {
		cs.what = "secret of " + shortID(msg.keyID)
	}
	cs.left, _ = cs.pending.Remaining(now)
	var tick tea.Cmd
	if deps.ClipTimeout > 0 {
		tick = c.after(time.Second, clipTickMsg{seq: cs.seq})
	}
	switch {
	case msg.clearerErr != nil:
		return tea.Batch(tick, c.say("if m3keys is killed, the clipboard keeps it: "+fact(msg.clearerErr)+" — quit with q, which clears it", true))
	case deps.Clipboard.Mode() == clipboard.OSC52:
		// OSC 52 cannot be read back: only the user can tell whether the terminal took it.
		return tea.Batch(tick, c.say("copied through the terminal (OSC 52): if nothing pastes, the terminal does not allow it; in tmux, set -g set-clipboard on", false))
	}
	c.status.text = "" // the countdown says it
	return tick
}

// handOutTeam is a Team that keeps a hand-out once team-wide (teamDir is).
type handOutTeam interface {
	HandOut(s Store, offline bool) handout.Team
}

// askOffline is the second, explicit question when the remote cannot be reached.
func askOffline(keyID string) askMsg {
	return askMsg{
		question: "The remote cannot be reached: hand out the secret of " + shortID(keyID) + " offline?",
		detail: "m3keys cannot check that no other member handed it out. It is recorded as unconfirmed; " +
			"if another member handed it out too, the next sync flags the key handed out twice — rotate.",
		yes: copySecretMsg{keyID: keyID, offline: true},
	}
}

// teamNote is what a granted hand-out in a team store leaves to do, "" when nothing.
func teamNote(msg clipCopiedMsg) string {
	switch g := msg.granted; {
	case !msg.secret:
	case g.Unconfirmed:
		return "handed out offline, recorded as unconfirmed — sync when the remote can be reached"
	case g.TeamErr != nil:
		return "the hand-out of " + shortID(msg.keyID) + " is recorded here but not pushed: " + fact(g.TeamErr) + " — sync (S) to push it"
	}
	return ""
}

// copyFailure says why nothing was copied, and what to do.
func copyFailure(msg clipCopiedMsg, doc *keystore.Document, now time.Time) string {
	id := shortID(msg.keyID)
	what := "the Bearer token for " + id
	if msg.secret {
		what = "the secret of " + id
	}
	var nt noTokenError
	var again *handout.AlreadyHandedOut
	var uncommitted *handout.NotCommitted
	switch {
	case errors.As(msg.err, &again):
		return handedOut(msg.keyID, again.By, again.At)
	case errors.Is(msg.err, keystore.ErrSecretAlreadyCopied):
		at := now
		if ref, ok := doc.Key(msg.keyID); ok {
			at = ref.Key.SecretCopiedAt
		}
		return handedOut(msg.keyID, "", at)
	case errors.As(msg.err, &uncommitted) && uncommitted.RolledBack():
		return what + " was not copied: " + fact(msg.err) + "; nothing was handed out, and the mark was taken back — fix git, sync, then copy again"
	case errors.As(msg.err, &nt):
		return id + ": " + nt.Error() + " — press t to test the key"
	case msg.rollbackErr != nil:
		return fmt.Sprintf("%s was not copied (%s), and the store still says it was handed out: %s — the secret never left m3keys; "+
			"for one that can be handed out, add a new key in the m3ter Console, then retire this one", what, plain(msg.err), plain(msg.rollbackErr))
	case !msg.written:
		return what + " was not copied: " + plain(msg.err)
	}
	s := what + " was not copied: " + plain(msg.err)
	if hintFor(msg.err) == "" {
		s += " — " + installAdvice
	}
	if msg.secret {
		s += "; nothing was handed out"
	}
	return s
}

// handedOut refuses a second hand-out, with the date of the first and the way to a new secret.
func handedOut(keyID, by string, at time.Time) string {
	if by != "" {
		by = " by " + clean(by)
	}
	return "the secret of " + shortID(keyID) + " was handed out" + by + " on " + timefmt.Minute(at) +
		" — m3keys hands a secret out once, as the m3ter Console shows it once; for a new secret, " +
		"add a new key in the m3ter Console, then retire this one"
}

// recordIfUntested keeps the token y fetched for a key never checked as its last check, a
// token-only one: m3ter issued a token, which is more than "untested".
func (s *saves) recordIfUntested(c *common, keyID string, res authclient.Result) tea.Cmd {
	ref, ok := c.doc.Key(keyID)
	if _, tested := c.results[keyID]; !ok || tested || ref.Key.LastCheck != nil {
		return nil
	}
	c.results[keyID] = res
	return s.take(c, keyID, res, c.after)
}

// holdToken keeps a token of this session for y.
func (c *common) holdToken(keyID string, res authclient.Result) {
	ref, ok := c.doc.Key(keyID)
	if !ok {
		return
	}
	c.tokens.Hold(livecheck.Key(ref), res)
}

// tick counts down once a second, and clears the clipboard when the time is up.
func (cs *clipState) tick(msg clipTickMsg, now time.Time, after afterFunc) tea.Cmd {
	if msg.seq != cs.seq || !cs.pending.Held() {
		return nil
	}
	if cs.pending.Due(now) && !cs.copying {
		return cs.clear(true)
	}
	cs.left, _ = cs.pending.Remaining(now)
	return after(time.Second, msg)
}

// clear empties the clipboard in a command if it still holds our copy, and forgets the
// copy; nil when nothing is held.
func (cs *clipState) clear(onTime bool) tea.Cmd {
	p := cs.pending
	if !p.Held() {
		return nil
	}
	cs.pending, cs.what = clipboard.Pending{}, ""
	cs.clearing++
	return func() tea.Msg {
		cleared, err := p.ClearIfUnchanged()
		return clipClearedMsg{cleared: cleared, err: err, onTime: onTime}
	}
}

// cleared takes a clear's outcome in; a quit that waited for it (s) goes on.
func (cs *clipState) cleared(c *common, s *saves, msg clipClearedMsg) tea.Cmd {
	cs.clearing--
	if cmd, closing := s.closed(c, cs, nil, ""); closing {
		return cmd
	}
	switch {
	case msg.err != nil:
		return c.say("could not clear the clipboard: "+fact(msg.err)+" — clear it yourself", true)
	case !msg.onTime:
		return nil
	case msg.cleared:
		return c.say("clipboard cleared", false)
	}
	return c.say("clipboard left alone: it holds something else now", false)
}

// line is the countdown for the status bar, "" when nothing is held.
func (cs *clipState) line(timeout time.Duration) string {
	if !cs.pending.Held() {
		return ""
	}
	if timeout <= 0 {
		return cs.what + " copied — the clipboard is cleared when you quit (--clip-timeout 0)"
	}
	return cs.what + " copied — clipboard clears in " + duration(cs.left)
}
