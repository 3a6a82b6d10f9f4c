package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// filter is the `/` filter every list has: typing narrows the list, enter keeps
// the filter, esc clears it.
type filter struct {
	input  textinput.Model
	typing bool
}

func newFilter() filter {
	in := textinput.New()
	in.Prompt = "/ "
	in.CharLimit = 100
	in.Placeholder = "type to filter"
	in.Cursor.SetMode(cursor.CursorStatic)
	return filter{input: in}
}

func (f *filter) start() {
	f.typing = true
	f.input.Focus()
}

func (f *filter) query() string { return strings.ToLower(strings.TrimSpace(f.input.Value())) }

func (f *filter) active() bool { return f.typing || f.query() != "" }

// matches reports whether any of the texts contains the query.
func (f *filter) matches(texts ...string) bool {
	q := f.query()
	if q == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), q) {
			return true
		}
	}
	return false
}

// typeKey is a list's handling of a key while its filter is being typed.
func (f *filter) typeKey(msg tea.Msg, k *KeyMap, narrow func()) tea.Cmd {
	changed, cmd := f.update(msg, k)
	if changed {
		narrow()
	}
	return cmd
}

// update handles a key while typing; changed says the list must be narrowed again.
func (f *filter) update(msg tea.Msg, k *KeyMap) (changed bool, cmd tea.Cmd) {
	if key, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(key, k.Submit):
			f.typing = false
			f.input.Blur()
			return false, nil
		case keyIs(key, k.Back):
			f.clear()
			return true, nil
		}
	}
	before := f.input.Value()
	f.input, cmd = f.input.Update(msg)
	return f.input.Value() != before, cmd
}

func (f *filter) clear() {
	f.typing = false
	f.input.SetValue("")
	f.input.Blur()
}

// enableKeys while typing a filter.
func (f *filter) enableKeys(k *KeyMap) {
	k.only(&k.Submit, &k.Back)
	describe(&k.Submit, "keep filter")
	describe(&k.Back, "clear filter")
}

func (f *filter) view(w int) string {
	f.input.Width = max(1, w-3)
	return truncate(f.input.View(), w)
}
