package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// historyScreen lists an organization's history events, newest first.
type historyScreen struct {
	c      *common
	orgID  string
	filter filter
	events []int // indices into the document's history, newest first
	cursor int
	offset int
	page   int
}

func historyColumns() []column {
	return []column{
		{title: "WHEN", min: 11, ideal: 16, give: 3},
		{title: "ACTION", min: 8, ideal: 18, give: 1},
		{title: "SERVICE USER", min: 6, ideal: 16, give: 1},
		{title: "ACCESS KEY ID", min: 6, ideal: 22, give: 1},
		{title: "DETAIL", min: 6, ideal: 20, grow: true, give: 2},
	}
}

func newHistoryScreen(c *common, orgID string) historyScreen {
	s := historyScreen{c: c, orgID: orgID, filter: newFilter(), page: 10}
	s.refresh()
	return s
}

func (s *historyScreen) refresh() {
	s.events = s.events[:0]
	h := s.c.doc.History
	for i := len(h) - 1; i >= 0; i-- {
		e := &h[i]
		if e.OrgID == s.orgID && s.filter.matches(e.Action, e.ServiceUser, e.AccessKeyID, e.Detail) {
			s.events = append(s.events, i)
		}
	}
	s.cursor = max(0, min(s.cursor, len(s.events)-1))
}

func (s historyScreen) update(msg tea.Msg) (historyScreen, tea.Cmd) {
	if s.filter.typing {
		cmd := s.filter.typeKey(msg, s.c.keys, s.refresh) // narrows s: call before returning it
		return s, cmd
	}
	key, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	k := s.c.keys
	switch {
	case moveCursor(key, k, &s.cursor, len(s.events), s.page):
	case keyIs(key, k.Filter):
		s.filter.start()
	case keyIs(key, k.Back) && s.filter.active():
		s.filter.clear()
		s.refresh()
	case keyIs(key, k.Back):
		s.c.emit(goBackMsg{})
	}
	return s, nil
}

func (s *historyScreen) enableKeys(k *KeyMap) {
	if s.filter.typing {
		s.filter.enableKeys(k)
		return
	}
	on := []*key.Binding{&k.Filter, &k.Back, &k.Help, &k.Quit}
	if len(s.events) > 0 {
		on = append(on, k.listKeys()...)
	}
	k.only(on...)
	describe(&k.Back, "back")
	if s.filter.active() {
		describe(&k.Back, "clear filter")
	}
}

func (s *historyScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "History"}
}

func (s *historyScreen) view(w, h int) string {
	st := s.c.styles
	top := st.Dim.Render(fmt.Sprintf("%d events, newest first", len(s.events)))
	if s.filter.active() {
		top = s.filter.view(w)
	}
	lines := []string{top}
	if len(s.events) == 0 {
		return strings.Join(append(lines, "", st.Dim.Render("No history for this organization yet.")), "\n")
	}
	widths := fitColumns(historyColumns(), w-2)
	lines = append(lines, "  "+st.ColumnHeader.Render(renderCells(headerCells(historyColumns()), widths)))
	visible := max(1, h-len(lines))
	s.page = visible
	s.offset = window(s.offset, s.cursor, visible, len(s.events))
	for i := s.offset; i < len(s.events) && i < s.offset+visible; i++ {
		e := &s.c.doc.History[s.events[i]]
		lines = append(lines, selectable(st, s.eventCells(e), widths, i == s.cursor))
	}
	return strings.Join(lines, "\n")
}

func (s *historyScreen) eventCells(e *keystore.Event) []cell {
	at := e.At.In(s.c.now().Location())
	return []cell{
		text(at.Format("2006-01-02 15:04"), at.Format("01-02 15:04")),
		text(clean(e.Action)),
		text(clean(e.ServiceUser)),
		idCell(clean(e.AccessKeyID)),
		text(clean(e.Detail)),
	}
}
