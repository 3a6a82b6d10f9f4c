package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// unlockScreen asks for the passphrase, or on first run for a new one, twice.
type unlockScreen struct {
	c      *common
	dir    string // where a new store is created
	exists bool
	busy   bool
	keep   bool // start the unlock agent: keep unlocked for KeepFor (agent.go)
	form   form
	wide   bool // the last failure carries a recipient line: a box wide enough for it
	w, h   int
}

// The vault's answer, to the unlock screen that asked.
type (
	unlockedMsg struct {
		store Store
		doc   *keystore.Document
	}
	unlockFailedMsg struct {
		err     error
		fromEnv bool
	}
)

const maxPassphrase = 1024

func newUnlockScreen(c *common, exists bool) *unlockScreen {
	fields := []field{secretField("Passphrase", "", maxPassphrase)}
	if !exists {
		fields[0].hint = fmt.Sprintf("Choose a passphrase of at least %d characters: it encrypts every key stored here and cannot be recovered.", keystore.MinPassphraseLength)
		fields = append(fields, secretField("Confirm", "Type the same passphrase again.", maxPassphrase))
	}
	s := &unlockScreen{c: c, exists: exists, form: newForm(fields...)}
	if v := c.deps.Vault; v != nil {
		s.dir = v.Dir()
	}
	return s
}

func (s *unlockScreen) update(msg tea.Msg) (screen, *effect) {
	switch msg := msg.(type) {
	case startMsg: // the agent, then $M3KEYS_PASSPHRASE, open the store without asking
		if s.c.deps.Agent != nil && s.exists {
			return s, run(s.openThroughAgent())
		}
		if p := s.c.deps.Passphrase; p != "" && s.exists {
			return s, run(s.open(p, true))
		}
		return s, nil
	case agentLockedMsg:
		s.busy = false
		if p := s.c.deps.Passphrase; p != "" && s.exists {
			return s, run(s.open(p, true))
		}
		return s, nil
	case agentOpenedMsg:
		return s, s.agentOpened(msg)
	case unlockedMsg:
		return s, do(openedMsg(msg))
	case unlockFailedMsg:
		s.failed(msg)
		return s, nil
	case tea.KeyMsg:
		if s.busy {
			return s, nil
		}
		return s.key(msg)
	case docChangedMsg, checkedMsg:
		return s, nil
	}
	if s.busy {
		return s, nil
	}
	_, cmd := s.form.update(msg, s.c.keys) // a paste, say
	return s, run(cmd)
}

func (s *unlockScreen) key(key tea.KeyMsg) (screen, *effect) {
	if keyIs(key, s.c.keys.Back) {
		return s, run(tea.Quit)
	}
	if key.Type == tea.KeyCtrlT && s.keepOption() != "" {
		s.keep = !s.keep
		return s, nil
	}
	// A new passphrase too short is refused where it is typed, not after the confirmation.
	if !s.exists && s.form.focus == 0 && (keyIs(key, s.c.keys.Submit) || keyIs(key, s.c.keys.NextField)) {
		if why := newPassphraseProblem(s.form.raw(0)); why != "" {
			s.form.clear(0) // retyping starts afresh, not after the refused text
			s.form.say(why)
			return s, nil
		}
		s.form.say("")
	}
	submit, cmd := s.form.update(key, s.c.keys)
	if submit {
		return s, run(s.submit())
	}
	return s, run(cmd)
}

func (s *unlockScreen) submit() tea.Cmd {
	pass := s.form.raw(0)
	why := ""
	switch {
	case pass == "":
		s.form.say("type your passphrase first")
		return nil
	case !s.exists && newPassphraseProblem(pass) != "":
		why = newPassphraseProblem(pass)
	case !s.exists && pass != s.form.raw(1):
		why = "the two passphrases differ — type them again"
	}
	if why != "" {
		s.form.clear(0)
		s.form.clear(1)
		s.form.focusOn(0)
		s.form.say(why)
		return nil
	}
	s.form.say("")
	return s.open(pass, false)
}

// open unlocks (or creates) the store in a tea.Cmd: scrypt takes about a second.
func (s *unlockScreen) open(pass string, fromEnv bool) tea.Cmd {
	s.busy = true
	vault, create := s.c.deps.Vault, !s.exists
	if s.keep && !create && s.c.deps.Agent != nil {
		ag := s.c.deps.Agent
		return func() tea.Msg { return unlockKeeping(vault, ag, pass) }
	}
	return func() tea.Msg {
		open := vault.Unlock
		if create {
			open = vault.Create
		}
		store, err := open(pass)
		if err != nil {
			return unlockFailedMsg{err: err, fromEnv: fromEnv}
		}
		return unlockedMsg{store: store, doc: store.Document()}
	}
}

// newPassphraseProblem says what is wrong with a new passphrase, or "".
func newPassphraseProblem(pass string) string {
	if pass == "" {
		return fmt.Sprintf("type a passphrase first: at least %d characters", keystore.MinPassphraseLength)
	}
	if err := keystore.ValidateNewPassphrase(pass); err != nil {
		return err.Error()
	}
	return ""
}

// failed shows why unlocking did not work and empties the fields for another try.
func (s *unlockScreen) failed(msg unlockFailedMsg) {
	why := plain(msg.err)
	// Not a member: the passphrase was right, and the hint carries the recipient to send, whole.
	s.wide = errors.Is(msg.err, keystore.ErrNotMember)
	if msg.fromEnv && !s.wide {
		why = "$M3KEYS_PASSPHRASE did not open the keystore: " + why
	}
	s.setSize(s.w, s.h) // the box's width follows wide
	s.busy = false
	for i := range s.form.fields {
		s.form.clear(i)
	}
	s.form.focusOn(0)
	s.form.say(why)
}

func (s *unlockScreen) enableKeys(k *KeyMap) {
	if s.busy {
		k.only()
		return
	}
	s.form.enableKeys(k, "quit")
	describe(&k.Submit, "unlock")
	if !s.exists {
		describe(&k.Submit, "next / create")
	} else {
		k.NextField.SetEnabled(false)
		k.PrevField.SetEnabled(false)
	}
}

func (s *unlockScreen) crumbs() []string {
	if s.exists {
		return []string{"Unlock"}
	}
	return []string{"Create a keystore"}
}

// boxWidth is the unlock box's outer width and the room inside it; wide has room for an
// age recipient (62 characters) on one line.
func boxWidth(w int, wide bool) (box, inner int) {
	box = min(w-2, 64)
	if wide {
		box = min(w-2, 76)
	}
	return box, box - 4
}

func (s *unlockScreen) setSize(w, h int) {
	s.w, s.h = w, h
	_, inner := boxWidth(w, s.wide)
	s.form.resize(inner)
}

func (s *unlockScreen) view() string {
	st := s.c.styles
	w, h := s.w, s.h
	boxW, inner := boxWidth(w, s.wide)
	var b strings.Builder
	if s.exists {
		b.WriteString(st.BoxTitle.Render("Unlock your keystore") + "\n")
		b.WriteString(st.Dim.Render(textcut.End("Your access keys are encrypted with your passphrase.", inner)) + "\n\n")
	} else {
		b.WriteString(st.BoxTitle.Render("Create your keystore") + "\n")
		intro := "No keystore yet. It will hold your m3ter access keys, encrypted, in:"
		if h < 18 {
			intro = "It will be created in:"
		}
		b.WriteString(st.Dim.Render(lipgloss.NewStyle().Width(inner).Render(intro)) + "\n")
		b.WriteString(lipgloss.NewStyle().Width(inner).Render(clean(s.dir)) + "\n\n") // whole: it is what to back up
	}
	f := s.form
	if h < 18 && f.err != "" { // no room for both: the refusal matters more than the hint
		f.fields = slices.Clone(f.fields)
		f.fields[f.focus].hint = ""
	}
	b.WriteString(f.view(st))
	if k := s.keepOption(); k != "" {
		b.WriteString("\n\n" + textcut.End(k, inner))
	}
	if s.busy {
		busy := "Unlocking…"
		if !s.exists {
			busy = "Creating…"
		}
		b.WriteString("\n\n" + st.Dim.Render(busy))
	}
	box := st.Box.Width(boxW - 2).Render(b.String())
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}
