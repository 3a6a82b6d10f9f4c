package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
)

// helpScreen lists every key that works on the screen under it, in as many columns as
// the height needs; any key closes it.
type helpScreen struct {
	c       *common
	entries []key.Help
	w, h    int
}

func newHelpScreen(c *common, under screen) *helpScreen {
	k := DefaultKeyMap()
	under.enableKeys(k)
	return &helpScreen{c: c, entries: k.helpEntries()}
}

func (s *helpScreen) update(msg tea.Msg) (screen, tea.Cmd) {
	if _, ok := msg.(tea.KeyMsg); ok {
		s.c.pop()
	}
	return s, nil
}

func (s *helpScreen) enableKeys(k *KeyMap) {
	k.only(&k.Back)
	describe(&k.Back, "close help")
}

func (s *helpScreen) crumbs() []string { return nil }

func (s *helpScreen) setSize(w, h int) { s.w, s.h = w, h }

func (s *helpScreen) view() string {
	st := s.c.styles
	keyW := 0
	for _, e := range s.entries {
		keyW = max(keyW, lipgloss.Width(e.Key))
	}
	rows := max(1, min(s.h-4, len(s.entries)))
	var cols []string
	for i := 0; i < len(s.entries); i += rows {
		var lines []string
		for _, e := range s.entries[i:min(i+rows, len(s.entries))] {
			lines = append(lines, st.HelpKey.Render(textcut.Pad(e.Key, keyW))+" "+st.HelpDesc.Render(e.Desc))
		}
		cols = append(cols, strings.Join(lines, "\n"))
	}
	table := lipgloss.JoinHorizontal(lipgloss.Top, joinWithGap(cols)...)
	body := st.BoxTitle.Render("Keys on this screen") + "\n\n" + fitLines(table, max(10, s.w-4), rows)
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}

func joinWithGap(cols []string) []string {
	out := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			out = append(out, "  ")
		}
		out = append(out, c)
	}
	return out
}
