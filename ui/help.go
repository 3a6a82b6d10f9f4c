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

func (s *helpScreen) update(msg tea.Msg) (screen, *effect) {
	if _, ok := msg.(tea.KeyMsg); ok {
		return s, pop()
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
	rows := max(1, min(s.h-4, len(s.entries)))
	room := max(10, s.w-4)
	var cols []helpColumn
	for i := 0; i < len(s.entries); i += rows {
		cols = append(cols, newHelpColumn(s.entries[i:min(i+rows, len(s.entries))]))
	}
	fitHelpColumns(cols, room-2*(len(cols)-1))
	var rendered []string
	for _, col := range cols {
		var lines []string
		for _, e := range col.entries {
			lines = append(lines, st.HelpKey.Render(textcut.Pad(e.Key, col.keyW))+" "+st.HelpDesc.Render(textcut.End(e.Desc, col.descW)))
		}
		rendered = append(rendered, strings.Join(lines, "\n"))
	}
	table := lipgloss.JoinHorizontal(lipgloss.Top, joinWithGap(rendered)...)
	body := st.BoxTitle.Render("Keys on this screen") + "\n\n" + fitLines(table, room, rows)
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}

// helpColumn is one column of the help table; its widths are its own, so a long key in one
// column costs no room in the others.
type helpColumn struct {
	entries     []key.Help
	keyW, descW int
}

func newHelpColumn(entries []key.Help) helpColumn {
	c := helpColumn{entries: entries}
	for _, e := range entries {
		c.keyW, c.descW = max(c.keyW, lipgloss.Width(e.Key)), max(c.descW, lipgloss.Width(e.Desc))
	}
	return c
}

// fitHelpColumns shortens the longest descriptions first until the columns fit in room,
// so every key stays on screen.
func fitHelpColumns(cols []helpColumn, room int) {
	width := func() int {
		w := 0
		for _, c := range cols {
			w += c.keyW + 1 + c.descW
		}
		return w
	}
	for w := width(); w > room; w-- {
		widest := 0
		for i := range cols {
			if cols[i].descW > cols[widest].descW {
				widest = i
			}
		}
		if cols[widest].descW <= 4 {
			return
		}
		cols[widest].descW--
	}
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
