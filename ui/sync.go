package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// Team is a team store's git side (internal/team): the badge, sync, and trust of a member
// list that a sync brought. Every method runs git, so the TUI calls them in a tea.Cmd only.
type Team interface {
	Status() (team.Status, error)
	// Sync syncs and, when it saved something, reloads s.
	Sync(s Store, c SyncChoices) (team.Result, error)
	Trust(c *team.RecipientChange) error
}

// SyncChoices settle a sync's conflicts: by short ID (team.Conflict.ID), then All for the rest.
type SyncChoices struct {
	Choose map[string]merge.Side
	All    merge.Side
}

// NewTeam is the team store in dir; opts (the lock timeout) bound a sync's wait for the store.
// A store that is not a team store reports so in its Status, and the TUI shows nothing of it.
func NewTeam(dir string, opts ...keystore.Option) Team { return teamDir{dir: dir, opts: opts} }

type teamDir struct {
	dir  string
	opts []keystore.Option
}

// memberStore is the unlocked store as a sync needs it: its member identity, to decrypt the
// versions it merges (no second passphrase), and a reload to show what the sync brought.
type memberStore interface {
	Member() *keystore.Member
	Reload() error
}

func (t teamDir) Status() (team.Status, error) { return team.StatusOf(t.dir) }

func (t teamDir) Trust(c *team.RecipientChange) error { return team.Trust(t.dir, c) }

func (t teamDir) Sync(s Store, c SyncChoices) (team.Result, error) {
	ms, ok := s.(memberStore)
	if !ok {
		return team.Result{}, team.ErrNotTeam
	}
	r, err := team.Sync(t.dir, team.SyncOptions{
		Unlock: func() (*keystore.Member, error) { return ms.Member(), nil },
		Known:  ms.Member(),
		Choose: c.Choose, All: c.All, Lock: t.opts,
	})
	if err == nil {
		err = ms.Reload()
	}
	return r, err
}

var _ memberStore = (*keystore.Store)(nil)

var _ handOutTeam = teamDir{}

// HandOut keeps c once team-wide: it syncs first and pushes after (team.HandOut).
func (t teamDir) HandOut(s Store, offline bool) handout.Team {
	ms, ok := s.(memberStore)
	if !ok {
		return nil
	}
	return team.HandOut{Dir: t.dir, Offline: offline, Sync: team.SyncOptions{
		Unlock: func() (*keystore.Member, error) { return ms.Member(), nil }, Known: ms.Member(), Lock: t.opts}}
}

// teamState is what the root knows of the team store: the badge and the sync in flight.
type teamState struct {
	on       bool   // a team store: the badge shows and S works
	badge    string // team.Status.String(): in sync, 2 ahead, trust needed…
	conflict bool   // the last sync stopped on conflicts
	syncing  bool
	since    time.Time // when the sync in flight started
	asked    int       // status requests so far: an older answer is dropped
}

type (
	// syncMsg asks the root for a sync (S, or a screen that settled what stopped the last one).
	syncMsg struct{ choices SyncChoices }
	// teamStatusMsg is the badge read in a command; then a sync, the one when the store opens.
	teamStatusMsg struct {
		asked    int
		status   team.Status
		err      error
		thenSync bool
	}
	// syncedMsg brings what a sync did and the document as it left it.
	syncedMsg struct {
		res team.Result
		err error
		doc *keystore.Document
	}
	syncSpinMsg struct{}
)

// syncKey is S where the screen offers it: on a team store only.
func (c *common) syncKey(k *KeyMap) []*key.Binding {
	if !c.team.on {
		return nil
	}
	return []*key.Binding{&k.Sync}
}

// status reads the badge of tm in a command (it runs git), and syncs afterwards when asked to.
func (t *teamState) status(tm Team, thenSync bool) tea.Cmd {
	if tm == nil || (!thenSync && !t.on) {
		return nil
	}
	t.asked++
	asked := t.asked
	return func() tea.Msg {
		st, err := tm.Status()
		return teamStatusMsg{asked: asked, status: st, err: err, thenSync: thenSync}
	}
}

// read takes the badge in: say is the error to show, sync is whether a sync is due now.
func (t *teamState) read(msg teamStatusMsg) (say string, sync bool) {
	if msg.asked != t.asked {
		return "", false
	}
	t.on, t.badge = msg.status.Team, msg.status.String()
	if msg.err != nil {
		return "team store: " + plain(msg.err), false
	}
	return "", msg.thenSync && t.on && msg.status.HasRemote
}

// sync runs a sync of store through tm in a command, with its spinner; the store's lock
// keeps saves waiting meanwhile. say is why it did not start, "" when it did or had nothing to do.
func (t *teamState) sync(tm Team, store Store, c SyncChoices, now time.Time, after afterFunc) (cmd tea.Cmd, say string) {
	switch {
	case tm == nil || store == nil || !t.on:
		return nil, ""
	case t.syncing:
		return nil, "a sync is running already"
	}
	t.syncing, t.since = true, now
	sync := func() tea.Msg {
		res, err := tm.Sync(store, c)
		return syncedMsg{res: res, err: err, doc: store.Document()}
	}
	return tea.Batch(sync, after(spinInterval, syncSpinMsg{})), ""
}

// teamStatusRead shows the badge read, and starts the sync it calls for.
func (c *common) teamStatusRead(msg teamStatusMsg) tea.Cmd {
	say, sync := c.team.read(msg)
	if say != "" {
		return c.say(say, true)
	}
	if sync {
		return c.startSync(SyncChoices{})
	}
	return nil
}

// startSync runs a sync in a command, or says why not.
func (c *common) startSync(choices SyncChoices) tea.Cmd {
	cmd, say := c.team.sync(c.deps.Team, c.store, choices, c.now(), c.after)
	if say != "" {
		return c.say(say, false)
	}
	return cmd
}

// synced takes the end of a sync in: what to say, and the screen the member needs now, nil
// when none — a choice per conflict, or the trust of a changed member list.
func (t *teamState) synced(c *common, msg syncedMsg) (need screen, say statusMsg) {
	t.syncing = false
	t.conflict = errors.Is(msg.err, team.ErrConflicts)
	res := msg.res
	switch {
	case t.conflict && len(res.Conflicts) > 0:
		return newConflictsScreen(c, res.Conflicts), statusMsg{isErr: true, text: fmt.Sprintf(
			"sync stopped on %s: nothing was saved — keep yours (o) or theirs (t) for each, then enter syncs again", count(len(res.Conflicts), "conflict"))}
	case errors.Is(msg.err, team.ErrRemoved): // nothing to trust: say so, whole
		return nil, statusMsg{text: "sync: " + plain(msg.err), isErr: true}
	case res.Pending != nil:
		return newTrustScreen(c, res.Pending), statusMsg{text: "the team's member list changed: saves are refused until you trust it — review it, then y", isErr: true}
	case msg.err != nil:
		return nil, statusMsg{text: "sync: " + plain(msg.err), isErr: true}
	}
	return nil, statusMsg{text: syncSentence(res), isErr: len(res.OverLimit) > 0}
}

// synced shows what a sync brought, and opens the screen it needs in the place of one a
// sync opened before.
func (a *App) synced(msg syncedMsg) tea.Cmd {
	need, say := a.c.team.synced(a.c, msg)
	if msg.err == nil && msg.doc != nil {
		a.adopt(msg.doc)
	}
	badge := a.c.team.status(a.c.deps.Team, false)
	if need != nil {
		a.stack.over = nil
		switch a.stack.top().(type) {
		case *conflictsScreen, *trustScreen:
			a.replace(need)
		default:
			a.push(need)
		}
	}
	return tea.Batch(badge, a.c.say(say.text, say.isErr))
}

// syncSentence is the status line after a sync that went through.
func syncSentence(r team.Result) string {
	s := "synced: " + r.Summary()
	for _, o := range r.OverLimit {
		s += fmt.Sprintf(" · %s holds %d keys: over the limit after merge — inactivate and remove one", sanitize.Text(o.User, maxNameRunes), len(o.Keys))
	}
	return s
}

// teamBadge is the header's team state; "" on a single-person store.
func (c *common) teamBadge() string {
	t, st := c.team, c.styles
	switch {
	case !t.on:
		return ""
	case t.syncing:
		return c.spinner() + " " + syncProgress(c.now().Sub(t.since))
	case t.conflict:
		return st.Bad.Render("⇅ conflict")
	case t.badge == "in sync":
		return st.Good.Render("⇅ in sync")
	case t.badge == "trust needed":
		return st.Bad.Render("⇅ trust needed")
	}
	return st.Warn.Render("⇅ " + t.badge)
}

// syncProgress is the badge of a sync in flight: after a while, how long the remote has been
// waited for, so a stalled remote is not a spinner for two minutes.
func syncProgress(waited time.Duration) string {
	if waited < syncPatience {
		return "syncing…"
	}
	return fmt.Sprintf("syncing… waiting for the remote, %d s", int(waited.Seconds()))
}

// syncPatience is how long a sync spins before it says how long it has waited.
const syncPatience = 5 * time.Second

// joinRight puts the team badge after the checks' progress at the header's right.
func joinRight(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "  ")
}
