package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/team"
)

// conflictsScreen lists what a sync could not merge: for each conflict the member keeps
// their version (o) or the remote's (t), then enter syncs again with those choices. A
// conflict holds no secret (merge.Conflict), only where it is and what each side holds.
type conflictsScreen struct {
	c         *common
	list      list
	conflicts []team.Conflict
	chosen    map[string]merge.Side
	widths    []int
	h         int
	detailH   int // lines under the list for the selected conflict in full
}

func conflictColumns() []column {
	return []column{
		{title: "ID", min: 8, ideal: 8},
		{title: "WHERE", min: 8, ideal: 30, grow: true, give: 1},
		{title: "FIELD", min: 6, ideal: 10, give: 2},
		{title: "YOURS", min: 6, ideal: 16, give: 1},
		{title: "THEIRS", min: 6, ideal: 16, give: 1},
		{title: "KEEP", min: 6, ideal: 6},
	}
}

func newConflictsScreen(c *common, conflicts []team.Conflict) *conflictsScreen {
	s := &conflictsScreen{c: c, list: newList(), conflicts: conflicts, chosen: map[string]merge.Side{}}
	s.list.setRows(len(conflicts), nil)
	return s
}

func (s *conflictsScreen) update(msg tea.Msg) (screen, *effect) {
	key, ok := msg.(tea.KeyMsg)
	if !ok || s.list.move(key, s.c.keys) {
		s.list.fit()
		return s, nil
	}
	k := s.c.keys
	switch {
	case keyIs(key, k.Back):
		return s, do(popMsg{}, statusMsg{text: "nothing was saved — S syncs again and shows the conflicts"})
	case keyIs(key, k.Ours), keyIs(key, k.Theirs):
		s.choose(s.list.cursor, side(keyIs(key, k.Ours)))
		s.list.cursor = s.list.step(s.list.cursor, 1)
		s.list.fit()
	case keyIs(key, k.OursAll), keyIs(key, k.TheirsAll):
		for i := range s.conflicts {
			s.choose(i, side(keyIs(key, k.OursAll)))
		}
	case keyIs(key, k.Submit) && s.settled():
		return s, do(popMsg{}, syncMsg{choices: SyncChoices{Choose: s.chosen}})
	}
	return s, nil
}

func side(ours bool) merge.Side {
	if ours {
		return merge.Ours
	}
	return merge.Theirs
}

func (s *conflictsScreen) choose(i int, side merge.Side) {
	if i >= 0 && i < len(s.conflicts) {
		s.chosen[s.conflicts[i].ID] = side
	}
}

// settled: every conflict has a side, so the sync can run again.
func (s *conflictsScreen) settled() bool { return len(s.chosen) == len(s.conflicts) }

func (s *conflictsScreen) enableKeys(k *KeyMap) {
	on := append(k.listKeys(), &k.Ours, &k.Theirs, &k.OursAll, &k.TheirsAll, &k.Back, &k.Help, &k.Quit)
	if s.settled() {
		on = append(on, &k.Submit)
	}
	k.only(on...)
	describe(&k.Submit, "sync with these choices")
	describe(&k.Back, "leave (nothing saved)")
}

func (s *conflictsScreen) crumbs() []string { return []string{"Sync", "Conflicts"} }

func (s *conflictsScreen) setSize(w, h int) {
	s.h, s.detailH = h, min(8, max(2, h/3))
	s.widths = fitColumns(conflictColumns(), w-2)
	s.list.resize(w, h-2-s.detailH) // under the summary and the column titles, above the detail
}

func (s *conflictsScreen) view() string {
	st := s.c.styles
	w := s.list.width
	top := st.Dim.Render(fmt.Sprintf("%s, %d settled — nothing is saved until every one is", count(len(s.conflicts), "conflict"), len(s.chosen)))
	header := "  " + st.ColumnHeader.Render(renderCells(headerCells(conflictColumns()), s.widths))
	lines := s.list.draw(st, top, "No conflicts.", header, func(i int, selected bool) string {
		return selectable(st, s.cells(&s.conflicts[i]), s.widths, selected)
	})
	for len(lines) < s.h-s.detailH {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, s.detail(w)), "\n")
}

func (s *conflictsScreen) cells(c *team.Conflict) []cell {
	st := &s.c.styles
	keep := styled(&st.Warn, "?")
	if side, ok := s.chosen[c.ID]; ok {
		keep = styled(&st.Good, side.String())
	}
	return []cell{text(c.ID), text(clean(s.where(c.Conflict))), text(clean(c.Field)), text(clean(c.Ours)), text(clean(c.Theirs)), keep}
}

// where names the organization (by its name here when it has one), service user and key
// the conflict is about.
func (s *conflictsScreen) where(c merge.Conflict) string {
	parts := []string{c.OrgID}
	if o := s.c.org(c.OrgID); o != nil && o.Name != "" {
		parts[0] = o.Name
	}
	if c.User != "" {
		parts = append(parts, c.User)
	}
	if c.AccessKeyID != "" {
		parts = append(parts, c.AccessKeyID)
	}
	return strings.Join(parts, " › ")
}

// detail is the selected conflict in full, wrapped: where, both values with who made each
// and when, and what enter does.
func (s *conflictsScreen) detail(w int) string {
	st := s.c.styles
	if s.list.cursor < 0 || s.list.cursor >= len(s.conflicts) {
		return ""
	}
	c := s.conflicts[s.list.cursor]
	next := "o keeps yours, t theirs (O/T for all)"
	if s.settled() {
		next = "enter syncs again with these choices"
	}
	ours, theirs := c.Ours, c.Theirs
	if c.Field == merge.FieldSecret {
		ours, theirs = "one secret", "another secret"
	}
	text := strings.Join([]string{
		message(s.where(c.Conflict) + " — " + c.Field),
		"yours:  " + message(ours) + madeBy(c.OursBy),
		"theirs: " + message(theirs) + madeBy(c.TheirsBy),
		next,
	}, "\n")
	return st.Dim.Render(fitLines(lipgloss.NewStyle().Width(w).Render(text), w, s.detailH))
}

// madeBy is "\n        by alice, 2026-12-01 14:03 UTC" under the value, or nothing when the
// history does not say.
func madeBy(by string) string {
	if by == "" {
		return ""
	}
	return "\n        by " + message(by)
}
