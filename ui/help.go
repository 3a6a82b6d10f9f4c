package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
)

// helpView lists every key that works on the current screen, in as many columns as the height needs.
func helpView(c *common, s screen, w, h int) string {
	st := c.styles
	k := DefaultKeyMap()
	s.enableKeys(k)
	entries := k.helpEntries()
	keyW := 0
	for _, e := range entries {
		keyW = max(keyW, lipgloss.Width(e.Key))
	}
	rows := max(1, min(h-4, len(entries)))
	var cols []string
	for i := 0; i < len(entries); i += rows {
		var lines []string
		for _, e := range entries[i:min(i+rows, len(entries))] {
			lines = append(lines, st.HelpKey.Render(textcut.Pad(e.Key, keyW))+" "+st.HelpDesc.Render(e.Desc))
		}
		cols = append(cols, strings.Join(lines, "\n"))
	}
	table := lipgloss.JoinHorizontal(lipgloss.Top, joinWithGap(cols)...)
	body := st.BoxTitle.Render("Keys on this screen") + "\n\n" + fitLines(table, max(10, w-4), rows)
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
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
