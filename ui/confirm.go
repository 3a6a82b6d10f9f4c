package ui

import (
	"github.com/charmbracelet/lipgloss"
)

// confirmOverlay asks a yes/no question over the current screen; yes is the
// intent to carry out.
type confirmOverlay struct {
	question, detail string
	yes              any
}

func (o confirmOverlay) view(st Styles, w, h int) string {
	inner := max(10, min(w-6, 60))
	text := lipgloss.NewStyle().Width(inner)
	body := st.BoxTitle.Render(text.Render(o.question))
	if o.detail != "" {
		body += "\n\n" + text.Render(o.detail)
	}
	body += "\n\n" + st.HelpKey.Render("y") + st.HelpDesc.Render(" yes · ") + st.HelpKey.Render("n/esc") + st.HelpDesc.Render(" no")
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}
