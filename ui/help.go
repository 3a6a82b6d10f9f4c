package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// helpView lists every key that works on the current screen, in as many columns as the height needs.
func helpView(c *common, s screen, w, h int) string {
	st := c.styles
	k := DefaultKeyMap()
	s.enableKeys(k)
	var entries []string
	for _, group := range k.FullHelp() {
		for _, b := range group {
			if b.Enabled() {
				entries = append(entries, st.HelpKey.Render(pad(b.Help().Key, 11))+" "+st.HelpDesc.Render(b.Help().Desc))
			}
		}
	}
	rows := max(1, h-5)
	var cols []string
	for i := 0; i < len(entries); i += rows {
		cols = append(cols, strings.Join(entries[i:min(i+rows, len(entries))], "\n"))
	}
	table := lipgloss.JoinHorizontal(lipgloss.Top, joinWithGap(cols)...)
	body := st.BoxTitle.Render("Keys on this screen") + "\n\n" + fitLines(table, max(10, w-4), rows) + "\n" + st.Dim.Render("any key closes help")
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}

func joinWithGap(cols []string) []string {
	out := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			out = append(out, "   ")
		}
		out = append(out, c)
	}
	return out
}
