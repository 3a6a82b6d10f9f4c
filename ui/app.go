// Package ui is the m3keys terminal UI: unlock, organizations, one organization's
// service users and keys, forms, live checks, history, help and confirmations.
// All I/O runs inside tea.Cmds; screens talk to the root through intent messages.
package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/textcut"
)

// App is the root model: it routes messages to the stack of screens, carries out what
// they ask, and draws them with the header and footer. It owns the size, the saves, the
// clipboard and what every screen shares (common: the document, the status line, checks).
type App struct {
	c     *common
	stack stack

	table  KeyMap // the key table as DESIGN.md words it; each screen gets a copy (syncKeys)
	help   help.Model
	saves  saves
	clip   clipState
	reload reloads

	width, height int
	pending       []pendingIntents // what the screens asked for in this Update, carried out after it
}

// New builds the TUI. Run it with tea.NewProgram(ui.New(deps), tea.WithAltScreen()).
func New(deps Deps) *App {
	a := &App{width: 80, height: 24}
	a.table = *DefaultKeyMap()
	a.c = &common{
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
		deps:    deps.withDefaults(),
		keys:    DefaultKeyMap(),
		styles:  newStyles(),
		results: map[string]authclient.Result{},
	}
	a.c.tokens = authclient.NewTokenCache(a.c.now)
	a.help = help.New()
	a.help.ShortSeparator = " · "
	a.help.Styles.ShortKey = a.c.styles.HelpKey
	a.help.Styles.ShortDesc = a.c.styles.HelpDesc
	a.help.Styles.ShortSeparator = a.c.styles.HelpDesc
	a.reset(newUnlockScreen(a.c, deps.Vault != nil && deps.Vault.Exists()))
	a.settle()
	return a
}

// Init lets the first screen start: unlock tries $M3KEYS_PASSPHRASE right away.
func (a *App) Init() tea.Cmd {
	cmd := a.deliver(a.stack.last(), startMsg{})
	a.settle()
	return cmd
}

// startMsg is the first message the first screen gets, from Init.
type startMsg struct{}

// Update dispatches each message to the method that handles it.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && !a.c.keys.text {
		return a, a.keystrokes(k)
	}
	return a, a.step(msg)
}

// step handles one message and the intents the screens returned while handling it
// (see App.tag), then settles the keys.
func (a *App) step(msg tea.Msg) tea.Cmd {
	cmds := []tea.Cmd{a.handle(msg)}
	for len(a.pending) > 0 {
		next := a.pending[0]
		a.pending = a.pending[1:]
		cmds = append(cmds, a.intents(next.from, next.msgs))
	}
	a.settle()
	return tea.Batch(cmds...)
}

// keystrokes handles a key outside a text input. A paste does nothing there. Letters that
// arrived in one read ("jjj") are each one keystroke, in order; an alt modifier went with
// the first (the terminal sent ESC before it). Once one of them opens a text input, the
// rest go to it as typed.
func (a *App) keystrokes(msg tea.KeyMsg) tea.Cmd {
	if msg.Paste {
		return nil
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 {
		return a.step(msg)
	}
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		if a.saves.quitting {
			break
		}
		if a.c.keys.text {
			rest := tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]}
			cmds = append(cmds, a.step(rest))
			break
		}
		cmds = append(cmds, a.step(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt && i == 0}))
	}
	return tea.Batch(cmds...)
}

// settle enables the keys that work now and gives the screens their room.
func (a *App) settle() {
	a.syncKeys()
	a.layout()
	a.syncKeys() // a new size can change what is selected
}

func (a *App) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		return nil
	case tea.KeyMsg:
		return a.key(msg)
	case routedMsg:
		return a.route(msg.to, msg.msg)
	case savedMsg:
		return tea.Batch(a.saved(msg), a.c.team.status(a.c.deps.Team, false))
	case checksSavedMsg:
		return tea.Batch(a.checksSaved(msg), a.c.team.status(a.c.deps.Team, false))
	case teamStatusMsg:
		return a.c.teamStatusRead(msg)
	case syncedMsg:
		return a.synced(msg)
	case syncSpinMsg:
		return a.c.spin(a.c.team.syncing, msg)
	case saveSlowMsg:
		a.saves.slow(msg)
		return nil
	case flushChecksMsg:
		return a.saves.due(a.c.store, a.c.after)
	case checkDoneMsg:
		return a.checkDone(msg)
	case spinFrameMsg:
		return a.c.spin(a.c.checks.spins(msg), msg)
	case clearStatusMsg:
		a.c.status.clear(msg)
		return nil
	case clipCopiedMsg:
		return a.copied(msg)
	case clipTickMsg:
		return a.clip.tick(msg, a.c.now(), a.c.after)
	case clipClearedMsg:
		return a.clip.cleared(a.c, &a.saves, msg)
	case reloadTickMsg:
		return a.reload.tick(a.c.store)
	case reloadedMsg:
		return a.reloaded(msg)
	case Hangup:
		return a.saves.hungUp(a.c, &a.clip)
	case agentTickMsg:
		return readUntil(a.c.deps.Agent)
	case agentUntilMsg:
		return a.c.agentUntilRead(msg)
	}
	return nil
}

// intents carries out, in order, what the screen with ticket from asked for. A screen
// already left asks for nothing any more.
func (a *App) intents(from ticket, in []tea.Msg) tea.Cmd {
	if a.stack.find(from.screen) == nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, msg := range in {
		cmds = append(cmds, a.intent(from, msg))
	}
	return tea.Batch(cmds...)
}

// intent carries out one thing a screen asked for.
func (a *App) intent(from ticket, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pushMsg:
		a.push(msg.s)
	case popMsg:
		return a.pop(msg)
	case openedMsg:
		return a.opened(msg)
	case askMsg:
		a.ask(msg)
	case changeMsg:
		return a.saves.save(a.c.store, msg, from, a.c.after)
	case testKeysMsg:
		return a.c.startChecks(msg, from)
	case statusMsg:
		return a.c.say(msg.text, msg.isErr)
	case copySecretMsg:
		return a.clip.copySecret(a.c, &a.saves, msg, from)
	case copyTokenMsg:
		return a.clip.copyToken(a.c, &a.saves, msg, from)
	case syncMsg:
		return a.c.startSync(msg.choices)
	}
	return nil
}

// key handles the global keys, then hands the key to the overlay or the top screen.
func (a *App) key(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	switch {
	case keyIs(msg, k.ForceQuit):
		return a.saves.quit(a.c, &a.clip, true)
	case keyIs(msg, k.Help):
		a.stack.cover(newHelpScreen(a.c, a.stack.top()))
		return nil
	case keyIs(msg, k.Quit):
		return a.saves.quit(a.c, &a.clip, false)
	case keyIs(msg, k.Sync):
		return a.c.startSync(SyncChoices{})
	}
	return a.deliver(a.stack.focused(), msg)
}

// syncKeys enables exactly the keys that work right now, so help never lists a dead one.
// The focused screen words a fresh copy of the key table: what one screen says a key
// does never shows on the next.
func (a *App) syncKeys() {
	k := a.table
	a.stack.focused().s.enableKeys(&k)
	*a.c.keys = k
}

// opened takes the unlocked store: the organizations screen replaces the unlock screen,
// and with it the typed passphrase.
func (a *App) opened(msg openedMsg) tea.Cmd {
	a.c.store = msg.store
	a.c.setDoc(msg.doc)
	a.reset(newOrgsScreen(a.c))
	return tea.Batch(a.c.team.status(a.c.deps.Team, true), a.reload.start(a.c.store, a.c.after), a.c.agent.ticks(a.c.deps.Agent, a.c.after)) // a team store syncs as it opens
}

// ask opens a confirmation over the screen that asked.
func (a *App) ask(msg askMsg) {
	a.stack.cover(newConfirmScreen(a.c, msg))
}

// setStatusAbout shows a message about these organizations only where it belongs:
// on a screen about no one organization (the organizations screen), or on a screen of one of them.
func (a *App) setStatusAbout(orgIDs []string, text string, isErr bool) tea.Cmd {
	if s, ok := a.stack.top().(aboutOrg); ok {
		if here := s.about(); here != "" && !slices.Contains(orgIDs, here) {
			return nil
		}
	}
	return a.c.say(text, isErr)
}

// View draws header, body (or an overlay over it), status and help lines, in exactly the terminal's size.
func (a *App) View() string {
	if a.saves.quitting {
		return ""
	}
	w, h := a.width, a.height
	footer := a.footer(w)
	bodyH := max(0, h-1-len(footer))
	body := a.stack.focused().s.view()
	lines := append([]string{a.header(w), fitLines(body, w, bodyH)}, footer...)
	return fitLines(strings.Join(lines, "\n"), w, h)
}

// bodyHeight is the room between the header and the footer.
func (a *App) bodyHeight() int { return max(0, a.height-1-len(a.footer(a.width))) }

func (a *App) header(w int) string {
	st := a.c.styles
	left := st.Title.Render("m3keys")
	if a.c.deps.Demo {
		left += " " + st.Badge.Render(" DEMO ")
	}
	for _, c := range a.stack.top().crumbs() {
		left += st.Crumb.Render(" › " + c)
	}
	right := ""
	if p := a.c.checks.progress(a.c.now()); p != "" {
		right = a.c.spinner() + " " + p
	}
	right = joinRight(right, a.c.teamBadge())
	right = joinRight(right, a.c.agent.badge())
	// the progress stays; long crumbs give way to it
	room := w - lipgloss.Width(right) - 1
	if right == "" || room < len("m3keys") {
		return textcut.End(left, w)
	}
	left = textcut.End(left, room)
	return left + strings.Repeat(" ", w-lipgloss.Width(left)-lipgloss.Width(right)) + st.Right.Render(right)
}

// maxStatusLines is room for a refusal with its advice, even at 60 columns.
const maxStatusLines = 4

// footer is the status message (wrapped to at most maxStatusLines) and the key help line.
func (a *App) footer(w int) []string {
	st := a.c.styles
	var lines []string
	if a.saves.waiting() {
		holder := "another m3keys"
		if a.c.team.syncing {
			holder = "the team sync"
		}
		lines = append(lines, st.Warn.Render(textcut.End("waiting for "+holder+"… (it holds the store's lock)", w)))
	}
	if c := a.clip.line(a.c.deps.ClipTimeout); c != "" {
		lines = append(lines, st.Warn.Render(textcut.End(c, w)))
	}
	if a.c.status.text != "" {
		style := st.Info
		if a.c.status.isErr {
			style = st.Error
		}
		wrapped := lipgloss.NewStyle().Width(w).Render(a.c.status.text)
		for i, l := range strings.Split(wrapped, "\n") {
			if i == maxStatusLines {
				break
			}
			lines = append(lines, style.Render(strings.TrimRight(l, " ")))
		}
	} else if !a.clip.pending.Held() { // the countdown takes the empty status line
		lines = append(lines, "")
	}
	return append(lines, a.c.keys.helpLine(a.help, w))
}
