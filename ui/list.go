package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// list is what every list screen shares: the cursor, the page it shows, the `/` filter
// and `f` (where the screen enables it). The screen owns its rows: it tells the list how
// many there are and which are headers the cursor passes over (a service user above its
// keys). Offsets and widths are set here, in update, never while drawing.
type list struct {
	filter filter
	only   bool // failing only (f)
	n      int
	header []bool // by row: the cursor passes over it; nil when no row is a header
	cursor int
	offset int
	page   int // rows visible, from the screen's size
	width  int
}

func newList() list { return list{filter: newFilter(), page: 10} }

// handle is a list screen's prelude: a key while the filter is typed, a move, `/`, `f`, and
// esc while a filter is on. It reports whether msg was one; refresh rebuilds the rows.
// Messages that are not keys also reach the screen.
func (l *list) handle(msg tea.Msg, k *KeyMap, refresh func()) (handled bool, cmd tea.Cmd) {
	key, isKey := msg.(tea.KeyMsg)
	if l.filter.typing {
		changed, cmd := l.filter.update(msg, k)
		if changed {
			refresh()
		}
		l.fit()
		return isKey, cmd
	}
	if !isKey {
		return false, nil
	}
	switch {
	case l.move(key, k):
	case keyIs(key, k.Filter):
		l.filter.start()
	case keyIs(key, k.Failing):
		l.only = !l.only
		refresh()
	case keyIs(key, k.Back) && l.filter.active():
		l.filter.clear()
		refresh()
	default:
		return false, nil
	}
	l.fit()
	return true, nil
}

// setRows is the number of rows after a rebuild, and which are headers; the screen
// puts the cursor back and calls fit.
func (l *list) setRows(n int, header []bool) { l.n, l.header = n, header }

// resize is the room the screen gives its rows.
func (l *list) resize(w, page int) {
	l.width, l.page = w, max(1, page)
	l.fit()
}

// fit keeps the cursor in view, and with it the header above it when that fits; and
// gives the filter the width listTop draws it in.
func (l *list) fit() {
	top := l.cursor
	if top > 0 && l.isHeader(top-1) {
		top--
	}
	l.offset = window(min(l.offset, top), l.cursor, l.page, l.n)
	l.filter.input.Width = max(1, l.width-lipgloss.Width(onlyMark(l.only, l.width))-3)
}

func (l *list) isHeader(i int) bool { return i < len(l.header) && l.header[i] }

// step finds the next row the cursor may rest on from i in direction dir, or i itself
// when there is none.
func (l *list) step(i, dir int) int {
	for j := i + dir; j >= 0 && j < l.n; j += dir {
		if !l.isHeader(j) {
			return j
		}
	}
	if i < 0 {
		return 0
	}
	return i
}

// move handles the movement keys; it reports whether key was one.
func (l *list) move(key tea.KeyMsg, k *KeyMap) bool {
	switch {
	case keyIs(key, k.Up):
		l.cursor = l.step(l.cursor, -1)
	case keyIs(key, k.Down):
		l.cursor = l.step(l.cursor, 1)
	case keyIs(key, k.PageUp):
		l.cursor = l.step(max(l.cursor-l.page, 0)+1, -1)
	case keyIs(key, k.PageDown):
		l.cursor = l.step(min(l.cursor+l.page, l.n)-1, 1)
	case keyIs(key, k.Top):
		l.cursor = l.step(-1, 1)
	case keyIs(key, k.Bottom):
		l.cursor = l.step(l.n, -1)
	default:
		return false
	}
	return true
}

// visible are the rows on screen, [from, to).
func (l *list) visible() (from, to int) { return l.offset, min(l.n, l.offset+l.page) }

// enableKeys turns on what every list has: the filter keys while typing it (and nothing
// else: done is true), else the movement keys when there are rows, `/`, and esc to clear a filter.
func (l *list) enableKeys(k *KeyMap) (on []*key.Binding, done bool) {
	if l.filter.typing {
		l.filter.enableKeys(k)
		return nil, true
	}
	on = []*key.Binding{&k.Filter}
	if l.n > 0 {
		on = append(on, k.listKeys()...)
	}
	if l.filter.active() {
		on = append(on, &k.Back)
	}
	return on, false
}

// draw is a list's lines: its first line, then the empty message, or the column titles
// and the rows on screen.
func (l *list) draw(st Styles, top, empty, header string, row func(i int, selected bool) string) []string {
	lines := []string{top}
	if l.n == 0 {
		return append(lines, "", st.Dim.Render(empty))
	}
	lines = append(lines, header)
	from, to := l.visible()
	for i := from; i < to; i++ {
		lines = append(lines, row(i, i == l.cursor))
	}
	return lines
}

// empty is what an empty list says: that the filter or f hides every row, or that there is none.
func (l *list) empty(none, noMatch, noFailing string) string {
	switch {
	case l.filter.query() != "":
		return noMatch
	case l.only:
		return noFailing
	}
	return none
}

// documentList is a list screen of the document's entries that edits them.
type documentList interface {
	refresh()               // rebuild the rows from the document
	act(tea.KeyMsg) *effect // a key the list did not take
	saved(savedMsg) *effect // the answer to a save the screen asked for
}

// updateDocumentList is what such a screen does with a message, but for check results,
// which each screen weighs itself: the list's keys first, then the screen's, a rebuild
// when the document changed, and the answer to its save.
func updateDocumentList(l *list, k *KeyMap, s documentList, msg tea.Msg) *effect {
	if done, cmd := l.handle(msg, k, s.refresh); done {
		return run(cmd)
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s.act(msg)
	case docChangedMsg:
		s.refresh()
	case savedMsg:
		return s.saved(msg)
	}
	return nil
}
