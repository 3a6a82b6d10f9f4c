// Package ui is the m3keys terminal UI: unlock, organizations, one organization's
// service users and keys, forms, live checks, history, help and confirmations.
// All I/O runs inside tea.Cmds; screens talk to the root through intent messages.
package ui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

type screenID int

const (
	screenUnlock screenID = iota
	screenOrgs
	screenOrg
	screenAddKey
	screenOrgForm
	screenUserForm
	screenHistory
)

type overlayID int

const (
	overlayNone overlayID = iota
	overlayHelp
	overlayConfirm
)

// screen is what the root needs from every screen besides its typed update.
type screen interface {
	view(w, h int) string
	enableKeys(k *KeyMap)
	crumbs() []string
}

// App is the root model: it owns the screens, overlays, status bar and size.
type App struct {
	c       *common
	current screenID
	gen     int // bumped on every screen change; results for an older gen are dropped

	unlock   unlockScreen
	orgs     orgsScreen
	org      orgScreen
	addKey   addKeyScreen
	orgForm  orgFormScreen
	userForm userFormScreen
	history  historyScreen

	overlay overlayID
	confirm confirmOverlay
	help    help.Model
	status  status
	saves   saves
	clip    clipState

	width, height int
	pending       []tea.Msg
	quitting      bool

	// after schedules msg after d: tea.Tick in the program, replaceable in tests.
	after func(d time.Duration, msg tea.Msg) tea.Cmd
}

type status struct {
	id    int
	text  string
	isErr bool
}

// New builds the TUI. Run it with tea.NewProgram(ui.New(deps), tea.WithAltScreen()).
func New(deps Deps) *App {
	a := &App{
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
		width:  80,
		height: 24,
	}
	a.c = &common{
		deps:    deps.withDefaults(),
		keys:    DefaultKeyMap(),
		styles:  newStyles(),
		results: map[string]authclient.Result{},
		tokens:  map[string]heldToken{},
		send:    func(msg tea.Msg) { a.pending = append(a.pending, msg) },
	}
	a.help = help.New()
	a.help.ShortSeparator = " · "
	a.help.Styles.ShortKey = a.c.styles.HelpKey
	a.help.Styles.ShortDesc = a.c.styles.HelpDesc
	a.help.Styles.ShortSeparator = a.c.styles.HelpDesc
	a.unlock = newUnlockScreen(a.c, deps.Vault != nil && deps.Vault.Exists())
	a.syncKeys()
	return a
}

// Init unlocks with $M3KEYS_PASSPHRASE right away when it was given and a store exists.
func (a *App) Init() tea.Cmd {
	if a.c.deps.Passphrase != "" && a.unlock.exists {
		a.unlock.busy = true
		return a.unlockCmd(a.c.deps.Passphrase, false, true)
	}
	return nil
}

// Update dispatches each message to the method that handles it.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.handle(msg)
	cmds := []tea.Cmd{cmd}
	for len(a.pending) > 0 {
		next := a.pending[0]
		a.pending = a.pending[1:]
		cmds = append(cmds, a.handle(next))
	}
	a.syncKeys()
	return a, tea.Batch(cmds...)
}

func (a *App) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return nil
	case tea.KeyMsg:
		return a.key(msg)
	case unlockMsg:
		return a.unlockCmd(msg.passphrase, msg.create, false)
	case unlockedMsg:
		return a.unlocked(msg)
	case unlockFailedMsg:
		return a.unlockFailed(msg)
	case openOrgMsg, openHistoryMsg, openAddKeyMsg, openUserFormMsg, openOrgFormMsg, goBackMsg:
		a.navigate(msg)
		return nil
	case askMsg:
		a.ask(msg)
		return nil
	case changeMsg:
		return a.saveCmd(msg)
	case savedMsg:
		return a.saved(msg)
	case checksSavedMsg:
		return a.checksSaved(msg)
	case saveSlowMsg:
		a.saveSlow(msg)
		return nil
	case flushChecksMsg:
		return a.flushDue()
	case testKeysMsg:
		return a.startChecks(msg)
	case checkDoneMsg:
		return a.checkDone(msg)
	case spinFrameMsg:
		return a.spinFrame(msg)
	case statusMsg:
		return a.setStatus(msg.text, msg.isErr)
	case clearStatusMsg:
		a.clearStatus(msg)
		return nil
	case copySecretMsg:
		return a.copySecret(msg)
	case copyTokenMsg:
		return a.copyToken(msg)
	case clipCopiedMsg:
		return a.copied(msg)
	case clipTickMsg:
		return a.clipTick(msg)
	case clipClearedMsg:
		return a.clipCleared(msg)
	case Hangup:
		return a.hangup()
	}
	return nil
}

// key handles the global keys, then the overlay or the screen.
func (a *App) key(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	switch {
	case keyIs(msg, k.ForceQuit):
		return a.quit(true)
	case a.overlay == overlayHelp:
		a.overlay = overlayNone
		return nil
	case a.overlay == overlayConfirm:
		return a.answer(msg)
	case keyIs(msg, k.Help):
		a.overlay = overlayHelp
		return nil
	case keyIs(msg, k.Quit):
		return a.quit(false)
	}
	return a.delegate(msg)
}

// delegate hands a message to the current screen's own update.
func (a *App) delegate(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch a.current {
	case screenUnlock:
		a.unlock, cmd = a.unlock.update(msg)
	case screenOrgs:
		a.orgs, cmd = a.orgs.update(msg)
	case screenOrg:
		a.org, cmd = a.org.update(msg)
	case screenAddKey:
		a.addKey, cmd = a.addKey.update(msg)
	case screenOrgForm:
		a.orgForm, cmd = a.orgForm.update(msg)
	case screenUserForm:
		a.userForm, cmd = a.userForm.update(msg)
	case screenHistory:
		a.history, cmd = a.history.update(msg)
	}
	return cmd
}

func (a *App) screen() screen {
	switch a.current {
	case screenOrgs:
		return &a.orgs
	case screenOrg:
		return &a.org
	case screenAddKey:
		return &a.addKey
	case screenOrgForm:
		return &a.orgForm
	case screenUserForm:
		return &a.userForm
	case screenHistory:
		return &a.history
	}
	return &a.unlock
}

func (a *App) resize(w, h int) {
	a.width, a.height = w, h
}

// syncKeys enables exactly the keys that work right now, so help never lists a dead one.
func (a *App) syncKeys() {
	k := a.c.keys
	switch a.overlay {
	case overlayHelp:
		k.only(&k.Back)
		describe(&k.Back, "close help")
	case overlayConfirm:
		k.only(&k.Yes, &k.No)
	default:
		a.screen().enableKeys(k)
	}
}

// navigate switches screens; only the root does that.
func (a *App) navigate(msg tea.Msg) {
	switch msg := msg.(type) {
	case openOrgMsg:
		a.org = newOrgScreen(a.c, msg.orgID)
		a.show(screenOrg)
	case openHistoryMsg:
		a.history = newHistoryScreen(a.c, msg.orgID)
		a.show(screenHistory)
	case openAddKeyMsg:
		a.addKey = newAddKeyScreen(a.c, msg.orgID, msg.user)
		a.show(screenAddKey)
	case openUserFormMsg:
		a.userForm = newUserFormScreen(a.c, msg.orgID)
		a.show(screenUserForm)
	case openOrgFormMsg:
		a.orgForm = newOrgFormScreen(a.c, msg.orgID)
		a.show(screenOrgForm)
	case goBackMsg:
		a.show(a.parent())
	}
}

func (a *App) parent() screenID {
	switch a.current {
	case screenAddKey, screenUserForm, screenHistory:
		return screenOrg
	case screenOrg, screenOrgForm:
		return screenOrgs
	}
	return a.current
}

// show switches to screen s; the message of the screen left goes with it.
func (a *App) show(s screenID) {
	a.current = s
	a.gen++
	a.status.text = ""
	a.rebuild()
}

// rebuild lets the list screens rebuild from the document on screen. It never reads
// the store: saves bring the new document back in their messages.
func (a *App) rebuild() {
	if a.c.doc == nil {
		return
	}
	a.orgs.refresh()
	if a.org.orgID != "" {
		a.org.refresh()
	}
	if a.current == screenHistory {
		a.history.refresh()
	}
}

func (a *App) ask(msg askMsg) {
	a.confirm = confirmOverlay{question: msg.question, detail: msg.detail, yes: msg.yes}
	a.overlay = overlayConfirm
}

func (a *App) answer(msg tea.KeyMsg) tea.Cmd {
	k := a.c.keys
	switch {
	case keyIs(msg, k.Yes):
		a.overlay = overlayNone
		a.c.send(a.confirm.yes)
	case keyIs(msg, k.No):
		a.overlay = overlayNone
		return a.setStatus("nothing changed", false)
	}
	return nil
}

// refused shows why the keystore said no: in the form that asked, or in the status bar;
// the last ACTIVE key gets its second, explicit confirmation.
func (a *App) refused(msg savedMsg) tea.Cmd {
	if errors.Is(msg.err, keystore.ErrLastActiveKey) && msg.change.forced != nil {
		a.ask(askMsg{question: msg.change.forcedQuestion, detail: plain(msg.err), yes: *msg.change.forced})
		return nil
	}
	switch a.current {
	case screenAddKey:
		a.addKey.form.fail(msg.err)
		return nil
	case screenOrgForm:
		a.orgForm.form.fail(msg.err)
		return nil
	case screenUserForm:
		a.userForm.form.fail(msg.err)
		return nil
	}
	return a.setStatus(plain(msg.err), true)
}

func (a *App) isForm() bool {
	return a.current == screenAddKey || a.current == screenOrgForm || a.current == screenUserForm
}

// setStatusAbout shows a message about these organizations only where it belongs:
// on the organizations screen, or on a screen of one of them.
func (a *App) setStatusAbout(orgIDs []string, text string, isErr bool) tea.Cmd {
	if here := a.about(); here != "" && !slices.Contains(orgIDs, here) {
		return nil
	}
	return a.setStatus(text, isErr)
}

// about is the organization the current screen is about, "" for the organizations screen.
func (a *App) about() string {
	switch a.current {
	case screenOrg:
		return a.org.orgID
	case screenAddKey:
		return a.addKey.orgID
	case screenUserForm:
		return a.userForm.orgID
	case screenHistory:
		return a.history.orgID
	case screenOrgForm:
		return a.orgForm.orgID
	}
	return ""
}

func (a *App) setStatus(text string, isErr bool) tea.Cmd {
	if text == "" {
		return nil
	}
	a.status.id++
	a.status.text, a.status.isErr = text, isErr
	ttl := infoTTL
	if isErr {
		ttl = errorTTL
	}
	return a.after(ttl, clearStatusMsg{id: a.status.id})
}

func (a *App) clearStatus(msg clearStatusMsg) {
	if msg.id == a.status.id {
		a.status.text = ""
	}
}

// View draws header, body (or an overlay over it), status and help lines, in exactly the terminal's size.
func (a *App) View() string {
	if a.quitting {
		return ""
	}
	w, h := a.width, a.height
	footer := a.footer(w)
	bodyH := max(0, h-1-len(footer))
	var body string
	switch a.overlay {
	case overlayHelp:
		body = helpView(a.c, a.screen(), w, bodyH)
	case overlayConfirm:
		body = a.confirm.view(a.c.styles, w, bodyH)
	default:
		body = a.screen().view(w, bodyH)
	}
	lines := append([]string{a.header(w), fitLines(body, w, bodyH)}, footer...)
	return fitLines(strings.Join(lines, "\n"), w, h)
}

func (a *App) header(w int) string {
	st := a.c.styles
	left := st.Title.Render("m3keys")
	if a.c.deps.Demo {
		left += " " + st.Badge.Render(" DEMO ")
	}
	for _, c := range a.screen().crumbs() {
		left += st.Crumb.Render(" › " + c)
	}
	right := ""
	if p := a.c.checks.progress(); p != "" {
		right = a.c.spinner() + " " + p
	}
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
		lines = append(lines, st.Warn.Render(textcut.End("waiting for another m3keys… (it holds the store's lock)", w)))
	}
	if c := a.clipLine(); c != "" {
		lines = append(lines, st.Warn.Render(textcut.End(c, w)))
	}
	if a.status.text != "" {
		style := st.Info
		if a.status.isErr {
			style = st.Error
		}
		wrapped := lipgloss.NewStyle().Width(w).Render(a.status.text)
		for i, l := range strings.Split(wrapped, "\n") {
			if i == maxStatusLines {
				break
			}
			lines = append(lines, style.Render(strings.TrimRight(l, " ")))
		}
	} else if !a.clip.pending.Held() { // the countdown takes the empty status line
		lines = append(lines, "")
	}
	return append(lines, a.helpLine(w))
}

// helpLine is the short help: whole bindings while they fit, then "…", always
// ending in `? help` when help works here. (help.ShortHelpView would add a
// binding that does not fit whenever its own ellipsis does not fit either.)
func (a *App) helpLine(w int) string {
	k, st := a.c.keys, a.help.Styles
	item := func(b key.Binding) string {
		return st.ShortKey.Render(b.Help().Key) + " " + st.ShortDesc.Render(b.Help().Desc)
	}
	var items []string
	for _, b := range k.ShortHelp() {
		if b.Enabled() {
			items = append(items, item(b))
		}
	}
	var tail []string
	if k.Help.Enabled() {
		tail = []string{item(k.Help)}
	}
	sep := st.ShortSeparator.Render(a.help.ShortSeparator)
	for n := len(items); n >= 0; n-- {
		shown := append([]string{}, items[:n]...)
		switch {
		case n == len(items):
		case n > 0:
			shown[n-1] += " " + st.Ellipsis.Render("…")
		default:
			shown = []string{st.Ellipsis.Render("…")}
		}
		if line := strings.Join(append(shown, tail...), sep); lipgloss.Width(line) <= w {
			return line
		}
	}
	return textcut.End(strings.Join(tail, ""), w)
}
