package ui

import "github.com/charmbracelet/lipgloss"

// Styles is every look the TUI uses, built once. Colors are adaptive (light and dark
// terminals); lipgloss drops them under NO_COLOR, so nothing relies on color alone.
type Styles struct {
	Title, Badge, Crumb, Right       lipgloss.Style
	ColumnHeader, Selected, Dim      lipgloss.Style
	UserHeader                       lipgloss.Style
	Good, Bad, Warn, Unknown, Stale  lipgloss.Style
	Info, Error                      lipgloss.Style
	Label, FocusedLabel, FieldError  lipgloss.Style
	Box, BoxTitle, HelpKey, HelpDesc lipgloss.Style
}

func newStyles() Styles {
	var (
		accent = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9F8CFF"}
		dim    = lipgloss.AdaptiveColor{Light: "#767676", Dark: "#8A8A8A"}
		good   = lipgloss.AdaptiveColor{Light: "#17803D", Dark: "#4ADE80"}
		bad    = lipgloss.AdaptiveColor{Light: "#B91C1C", Dark: "#F87171"}
		warn   = lipgloss.AdaptiveColor{Light: "#A16207", Dark: "#FACC15"}
		selBg  = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#2E2A4F"}
	)
	s := lipgloss.NewStyle
	return Styles{
		Title:        s().Bold(true).Foreground(accent),
		Badge:        s().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#C2410C")),
		Crumb:        s().Foreground(dim),
		Right:        s().Foreground(dim),
		ColumnHeader: s().Bold(true).Foreground(dim),
		Selected:     s().Bold(true).Background(selBg),
		Dim:          s().Foreground(dim),
		UserHeader:   s().Bold(true),
		Good:         s().Foreground(good),
		Bad:          s().Foreground(bad),
		Warn:         s().Foreground(warn),
		Unknown:      s().Foreground(dim),
		Stale:        s().Bold(true).Foreground(warn),
		Info:         s().Foreground(good),
		Error:        s().Foreground(bad),
		Label:        s().Foreground(dim),
		FocusedLabel: s().Bold(true).Foreground(accent),
		FieldError:   s().Foreground(bad),
		Box:          s().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		BoxTitle:     s().Bold(true).Foreground(accent),
		HelpKey:      s().Bold(true),
		HelpDesc:     s().Foreground(dim),
	}
}
