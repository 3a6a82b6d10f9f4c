package ui

import (
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/keystore"
)

// Agent is the store's unlock agent (m3keys unlock): while it holds the identity the TUI
// opens without the unlock screen; the unlock screen can start it. Nil: no agent here.
type Agent interface {
	// Open opens the store through the agent; ok is false when it is locked (or gone).
	Open() (s Store, until time.Time, ok bool)
	// Keep unlocks with passphrase and starts the agent for KeepFor.
	Keep(passphrase string) error
	// Until is when the agent locks unless used; ok is false when it is locked.
	Until() (until time.Time, ok bool)
	// Tokens holds y's tokens in local and, while unlocked, in the agent.
	Tokens(local *authclient.TokenCache) authclient.TokenHolder
}

// KeepFor is how long "keep unlocked" keeps the store unlocked unless used.
const KeepFor = agent.DefaultIdle

// agentTick re-reads the agent's lock time for the header.
const agentTick = 20 * time.Second

type (
	agentLockedMsg struct{}
	agentUntilMsg  struct {
		until time.Time
		ok    bool
	}
	agentTickMsg struct{}
)

// openThroughAgent opens the store through the agent, or says it is locked.
func (s *unlockScreen) openThroughAgent() tea.Cmd {
	s.busy = true
	ag := s.c.deps.Agent
	return func() tea.Msg {
		store, until, ok := ag.Open()
		if !ok {
			return agentLockedMsg{}
		}
		return agentOpenedMsg{unlockedMsg: unlockedMsg{store: store, doc: store.Document()}, until: until}
	}
}

// agentOpenedMsg is a store opened through the agent (until: when it locks), or opened with
// the passphrase when keeping it unlocked failed (note says why).
type agentOpenedMsg struct {
	unlockedMsg
	until time.Time
	note  string
}

// agentOpened hands the store on as unlocking does, and shows the lock time in the header.
func (s *unlockScreen) agentOpened(msg agentOpenedMsg) *effect {
	s.c.agent.until = msg.until
	if msg.note != "" {
		return do(openedMsg(msg.unlockedMsg), statusMsg{text: msg.note, isErr: true})
	}
	return do(openedMsg(msg.unlockedMsg))
}

// keepOption is the unlock screen's "keep unlocked" line, "" without an agent.
func (s *unlockScreen) keepOption() string {
	if s.c.deps.Agent == nil || !s.exists {
		return ""
	}
	box := "[ ]"
	if s.keep {
		box = "[x]"
	}
	return fmt.Sprintf("%s keep unlocked for %d min (ctrl+t)", box, int(KeepFor.Minutes()))
}

// unlockKeeping starts the agent with pass, then opens through it: one scrypt. When the
// agent cannot start the store still opens with the passphrase, and says why.
func unlockKeeping(vault Vault, ag Agent, pass string) tea.Msg {
	err := ag.Keep(pass)
	if errors.Is(err, keystore.ErrWrongPassphrase) {
		return unlockFailedMsg{err: err}
	}
	if err == nil {
		if store, until, ok := ag.Open(); ok {
			return agentOpenedMsg{unlockedMsg: unlockedMsg{store: store, doc: store.Document()}, until: until}
		}
	}
	store, oerr := vault.Unlock(pass)
	if oerr != nil {
		return unlockFailedMsg{err: oerr}
	}
	return agentOpenedMsg{unlockedMsg: unlockedMsg{store: store, doc: store.Document()}, note: "opened, but not kept unlocked: " + plain(err)}
}

// agentState is what the root knows of the unlock agent that opened the store.
type agentState struct {
	until time.Time // when it locks; zero when it did not open the store
}

// badge is the header's "unlocked · locks in 14m" while the agent holds the store.
func (g agentState) badge() string {
	if g.until.IsZero() {
		return ""
	}
	left := time.Until(g.until)
	if left <= 0 {
		return "locked"
	}
	return "unlocked · locks in " + lockIn(left)
}

// lockIn is 14m, 1h5m, or <1m.
func lockIn(d time.Duration) string {
	if d < time.Minute {
		return "<1m"
	}
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60)
}

// ticks re-reads the lock time now and then, since every use moves it.
func (g agentState) ticks(ag Agent, after afterFunc) tea.Cmd {
	if ag == nil || g.until.IsZero() {
		return nil
	}
	return after(agentTick, agentTickMsg{})
}

// readUntil reads ag's lock time in a command.
func readUntil(ag Agent) tea.Cmd {
	if ag == nil {
		return nil
	}
	return func() tea.Msg {
		u, ok := ag.Until()
		return agentUntilMsg{until: u, ok: ok}
	}
}

// agentUntilRead takes the agent's lock time in, and says when the agent locked the store.
func (c *common) agentUntilRead(msg agentUntilMsg) tea.Cmd {
	if !msg.ok {
		// Locked (m3keys lock, a passwd, the timeout): the open store still works with what it
		// read; a save needs the identity again, and says so.
		c.agent.until = time.Time{}
		return c.say("the store was locked (m3keys unlock keeps it unlocked) — quit and open m3keys again to save changes", true)
	}
	c.agent.until = msg.until
	return c.agent.ticks(c.deps.Agent, c.after)
}

// NewAgent is the real agent of the store in dir; exe is the m3keys program that Keep starts.
func NewAgent(dir, exe string, opts ...keystore.Option) Agent {
	return dirAgent{dir: dir, exe: exe, opts: opts}
}

type dirAgent struct {
	dir, exe string
	opts     []keystore.Option
}

func (d dirAgent) client() *agent.Client {
	c, err := agent.ForStore(d.dir)
	if err != nil {
		return nil
	}
	return c
}

func (d dirAgent) Open() (Store, time.Time, bool) {
	c := d.client()
	if c == nil {
		return nil, time.Time{}, false
	}
	st, err := c.Status()
	if err != nil {
		return nil, time.Time{}, false
	}
	id, r, err := c.Identity()
	if err != nil {
		return nil, time.Time{}, false
	}
	s, err := keystore.OpenWith(d.dir, id, r, d.opts...)
	if err != nil {
		return nil, time.Time{}, false
	}
	return s, st.Until, true
}

func (d dirAgent) Keep(passphrase string) error {
	if !agent.Supported {
		return agent.ErrUnsupported
	}
	file, err := keystore.ReadIdentityFile(d.dir)
	if err != nil {
		return err
	}
	id, err := keystore.UnlockIdentity(d.dir, passphrase)
	if err != nil {
		return err
	}
	_, err = agent.Start(d.exe, d.dir, id, file, agent.Options{Idle: KeepFor})
	return err
}

func (d dirAgent) Until() (time.Time, bool) {
	c := d.client()
	if c == nil {
		return time.Time{}, false
	}
	st, err := c.Status()
	if err != nil {
		return time.Time{}, false
	}
	return st.Until, true
}

func (d dirAgent) Tokens(local *authclient.TokenCache) authclient.TokenHolder {
	c := d.client()
	if c == nil {
		return local
	}
	if _, err := c.Status(); err != nil {
		return local
	}
	return agent.NewTokens(c, local)
}

// tokens holds y's tokens in ag while it holds the store, so the next m3keys token (or
// another TUI) reuses them; nil otherwise. Its calls go in a tea.Cmd.
func (g agentState) tokens(ag Agent) authclient.TokenHolder {
	if ag == nil || g.until.IsZero() {
		return nil
	}
	return agentTokens{ag: ag}
}

// agentTokens asks the agent at each call (from a tea.Cmd, never from Update).
type agentTokens struct{ ag Agent }

func (t agentTokens) Get(k authclient.Key) (authclient.Result, bool) {
	return t.ag.Tokens(authclient.NewTokenCache(nil)).Get(k)
}

func (t agentTokens) Hold(k authclient.Key, r authclient.Result) {
	t.ag.Tokens(authclient.NewTokenCache(nil)).Hold(k, r)
}
