package ui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/team"
)

// trustScreen shows a member list that a sync brought and this member has not trusted: who
// was added or removed, by which commit and author. y trusts it (saves are refused until
// then) and syncs again; n leaves it untrusted.
type trustScreen struct {
	c      *common
	change *team.RecipientChange
	w, h   int
}

// trustedMsg is what trusting the list did.
type trustedMsg struct{ err error }

func newTrustScreen(c *common, change *team.RecipientChange) *trustScreen {
	return &trustScreen{c: c, change: change}
}

func (s *trustScreen) update(msg tea.Msg) (screen, *effect) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case keyIs(msg, s.c.keys.Yes):
			t, change := s.c.deps.Team, s.change
			return s, run(func() tea.Msg { return trustedMsg{err: t.Trust(change)} })
		case keyIs(msg, s.c.keys.No):
			return s, do(popMsg{}, statusMsg{text: "not trusted: saves stay refused — S shows the change again", isErr: true})
		}
	case trustedMsg:
		if msg.err != nil {
			return s, fail(msg.err)
		}
		return s, do(popMsg{}, statusMsg{text: "trusted the team's member list — syncing"}, syncMsg{})
	}
	return s, nil
}

func (s *trustScreen) enableKeys(k *KeyMap) {
	k.only(&k.Yes, &k.No, &k.Help, &k.Quit)
	describe(&k.Yes, "trust it")
	describe(&k.No, "not now")
}

func (s *trustScreen) crumbs() []string { return []string{"Sync", "Team members"} }

func (s *trustScreen) setSize(w, h int) { s.w, s.h = w, h }

func (s *trustScreen) view() string {
	st := s.c.styles
	lines := []string{st.BoxTitle.Render("The team's member list changed"), ""}
	add := func(title string, list []team.Changed) {
		if len(list) == 0 {
			return
		}
		lines = append(lines, title)
		for _, ch := range list {
			by := "not committed yet"
			if ch.Commit != "" {
				by = "by " + clean(ch.Author) + " in commit " + clean(ch.Commit) + " on " + clean(ch.Date)
			}
			lines = append(lines, "  "+st.UserHeader.Render(clean(ch.Name))+" "+st.Dim.Render(shortID(ch.Key)), "    "+by)
		}
	}
	add("Added:", s.change.Added)
	add("Removed:", s.change.Removed)
	lines = append(lines, "",
		"Trust it only if you know of this change: an added member",
		"can read every secret from the next save on.",
		"",
		st.HelpKey.Render("y")+st.HelpDesc.Render(" trust it and sync · ")+st.HelpKey.Render("n/esc")+st.HelpDesc.Render(" not now"))
	body := fitLines(strings.Join(lines, "\n"), max(10, s.w-4), max(1, min(len(lines), s.h-2)))
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, st.Box.Render(body))
}
