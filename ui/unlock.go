package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// unlockScreen asks for the passphrase, or on first run for a new one, twice.
type unlockScreen struct {
	c      *common
	exists bool
	busy   bool
	form   form
}

const maxPassphrase = 1024

func newUnlockScreen(c *common, exists bool) unlockScreen {
	fields := []field{secretField("Passphrase", "", maxPassphrase)}
	if !exists {
		fields[0].hint = "Choose a passphrase: it encrypts every key stored here and cannot be recovered."
		fields = append(fields, secretField("Confirm", "Type the same passphrase again.", maxPassphrase))
	}
	return unlockScreen{c: c, exists: exists, form: newForm(fields...)}
}

func (s unlockScreen) update(msg tea.Msg) (unlockScreen, tea.Cmd) {
	if s.busy {
		return s, nil
	}
	if key, ok := msg.(tea.KeyMsg); ok && keyIs(key, s.c.keys.Back) {
		return s, tea.Quit
	}
	submit, cmd := s.form.update(msg, s.c.keys)
	if submit {
		s.submit()
	}
	return s, cmd
}

func (s *unlockScreen) submit() {
	pass := s.form.raw(0)
	switch {
	case pass == "":
		s.form.say("type your passphrase first")
		return
	case !s.exists && pass != s.form.raw(1):
		s.form.clear(0)
		s.form.clear(1)
		s.form.focusOn(0)
		s.form.say("the two passphrases differ — type them again")
		return
	}
	s.busy = true
	s.form.say("")
	s.c.emit(unlockMsg{passphrase: pass, create: !s.exists})
}

// failed shows why unlocking did not work and empties the fields for another try.
func (s *unlockScreen) failed(why string) {
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

func (s *unlockScreen) view(w, h int) string {
	st := s.c.styles
	boxW := min(w-2, 64)
	inner := boxW - 4
	var b strings.Builder
	if s.exists {
		b.WriteString(st.BoxTitle.Render("Unlock your keystore") + "\n")
		b.WriteString(st.Dim.Render(truncate("Your access keys are encrypted with your passphrase.", inner)) + "\n\n")
	} else {
		b.WriteString(st.BoxTitle.Render("Create your keystore") + "\n")
		b.WriteString(st.Dim.Render(lipgloss.NewStyle().Width(inner).Render("No keystore yet. It will hold your m3ter access keys, encrypted.")) + "\n\n")
	}
	b.WriteString(s.form.view(st, inner))
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

// unlockCmd opens (or creates) the store in a tea.Cmd: scrypt takes about a second.
func (a *App) unlockCmd(pass string, create, fromEnv bool) tea.Cmd {
	vault, gen := a.c.deps.Vault, a.gen
	a.unlock.busy = true
	return func() tea.Msg {
		open := vault.Unlock
		if create {
			open = vault.Create
		}
		store, err := open(pass)
		if err != nil {
			return unlockFailedMsg{gen: gen, err: err, fromEnv: fromEnv}
		}
		return unlockedMsg{gen: gen, store: store, doc: store.Document()}
	}
}

func (a *App) unlocked(msg unlockedMsg) tea.Cmd {
	if msg.gen != a.gen || a.current != screenUnlock {
		return nil
	}
	a.c.store, a.c.doc = msg.store, msg.doc
	a.unlock = newUnlockScreen(a.c, true) // forget the typed passphrase
	a.orgs = newOrgsScreen(a.c)
	a.show(screenOrgs)
	return nil
}

func (a *App) unlockFailed(msg unlockFailedMsg) tea.Cmd {
	if msg.gen != a.gen || a.current != screenUnlock {
		return nil
	}
	why := plain(msg.err)
	if msg.fromEnv {
		why = "$M3KEYS_PASSPHRASE did not open the keystore: " + why
	}
	a.unlock.failed(why)
	return nil
}
