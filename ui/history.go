package ui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/keystore"
)

// historyScreen lists an organization's history events, newest first.
type historyScreen struct {
	c      *common
	orgID  string
	table  table
	events []int // indices into the document's history, newest first
}

func historyColumns() []column {
	return []column{
		{title: "WHEN", min: 11, ideal: 20, give: 3}, // 2026-11-26 14:05 CET, else 11-26 14:05
		{title: "ACTION", min: 8, ideal: 18, give: 1},
		{title: "SERVICE USER", min: 6, ideal: 16, give: 1},
		{title: "ACCESS KEY ID", min: 6, ideal: 22, give: 1},
		{title: "DETAIL", min: 6, ideal: 20, grow: true, give: 2},
	}
}

func newHistoryScreen(c *common, orgID string) *historyScreen {
	s := &historyScreen{c: c, orgID: orgID, table: newTable(historyColumns())}
	s.refresh()
	return s
}

func (s *historyScreen) about() string { return s.orgID }

func (s *historyScreen) refresh() {
	s.events = s.events[:0]
	h := s.c.doc.History
	for i := len(h) - 1; i >= 0; i-- {
		e := &h[i]
		if e.OrgID == s.orgID && s.table.filter.matches(e.Action, e.ServiceUser, e.AccessKeyID, e.Detail, e.Member) {
			s.events = append(s.events, i)
		}
	}
	s.table.setRows(len(s.events), nil)
	s.table.cursor = max(0, min(s.table.cursor, len(s.events)-1))
	s.table.fit()
}

func (s *historyScreen) update(msg tea.Msg) (screen, *effect) {
	if done, cmd := s.table.handle(msg, s.c.keys, s.refresh); done {
		return s, run(cmd)
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if keyIs(msg, s.c.keys.Back) {
			return s, pop()
		}
	case docChangedMsg, checkedMsg:
		s.refresh()
	}
	return s, nil
}

func (s *historyScreen) enableKeys(k *KeyMap) {
	on, done := s.table.enableKeys(k)
	if done {
		return
	}
	k.only(append(on, &k.Back, &k.Help, &k.Quit)...)
	describe(&k.Back, "back")
	if s.table.filter.active() {
		describe(&k.Back, "clear filter")
	}
}

func (s *historyScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "History"}
}

func (s *historyScreen) setSize(w, h int) {
	s.table.resize(w, h-2) // under the count and the column titles
}

func (s *historyScreen) view() string {
	st := s.c.styles
	w := s.table.width
	top := st.Dim.Render(fmt.Sprintf("%d events, newest first", len(s.events)))
	if s.table.filter.active() {
		top = s.table.filter.view(w)
	}
	return strings.Join(s.table.drawCells(st, top, "No history for this organization yet.", func(i int) []cell {
		return s.eventCells(&s.c.doc.History[s.events[i]])
	}), "\n")
}

func (s *historyScreen) eventCells(e *keystore.Event) []cell {
	return []cell{
		text(timefmt.Minute(e.At), timefmt.Short(e.At)),
		text(clean(e.Action)),
		text(clean(e.ServiceUser)),
		idCell(clean(e.AccessKeyID)),
		text(clean(eventDetail(e))),
	}
}

// eventDetail is the event's detail, after who made it in a team store.
func eventDetail(e *keystore.Event) string {
	switch {
	case e.Member == "":
		return e.Detail
	case e.Detail == "":
		return "by " + e.Member
	}
	return "by " + e.Member + " — " + e.Detail
}
