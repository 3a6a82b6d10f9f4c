package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// confirmScreen asks a yes/no question over the current screen, and speaks for it:
// yes saves the change it was given, as if that screen had sent it.
type confirmScreen struct {
	c                *common
	question, detail string
	yes              tea.Msg
	w, h             int
}

func newConfirmScreen(c *common, ask askMsg) *confirmScreen {
	return &confirmScreen{c: c, question: ask.question, detail: ask.detail, yes: ask.yes}
}

func (s *confirmScreen) update(msg tea.Msg) (screen, *effect) {
	key, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case keyIs(key, s.c.keys.Yes):
		return s, do(popMsg{}, s.yes)
	case keyIs(key, s.c.keys.No):
		return s, do(popMsg{}, statusMsg{text: "nothing changed"})
	}
	return s, nil
}

func (s *confirmScreen) enableKeys(k *KeyMap) { k.only(&k.Yes, &k.No) }

func (s *confirmScreen) crumbs() []string { return nil }

func (s *confirmScreen) setSize(w, h int) { s.w, s.h = w, h }

func (s *confirmScreen) view() string {
	st := s.c.styles
	inner := max(10, min(s.w-6, 60))
	text := lipgloss.NewStyle().Width(inner)
	body := st.BoxTitle.Render(text.Render(s.question))
	if s.detail != "" {
		body += "\n\n" + text.Render(s.detail)
	}
	body += "\n\n" + st.HelpKey.Render("y") + st.HelpDesc.Render(" yes · ") + st.HelpKey.Render("n/esc") + st.HelpDesc.Render(" no")
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}
