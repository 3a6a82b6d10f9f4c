package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
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
	k.text = true
	describe(&k.Submit, "keep filter")
	describe(&k.Back, "clear filter")
}

// view draws the filter cut to w; its input's width was set in update (list.fit).
func (f *filter) view(w int) string { return textcut.End(f.input.View(), w) }

// needsAttention is what `f` keeps (lastcheck.NeedsAttention).
func (c *common) needsAttention(k *keystore.AccessKey) bool {
	return lastcheck.NeedsAttention(k, c.now(), c.deps.MaxAge)
}

func (c *common) orgFailing(o *keystore.Organization) bool {
	for _, u := range o.ServiceUsers {
		for i := range u.Keys {
			if c.needsAttention(&u.Keys[i]) {
				return true
			}
		}
	}
	return false
}

// keyWords are what `/` matches on a key besides its ID: its last check as shown
// ("✗ rejected 401 2h ago", "untested"). Staleness is f's business: "/sta" still finds staging.
func (c *common) keyWords(k *keystore.AccessKey) []string {
	return []string{lastcheck.Text(lastcheck.ForKey(k), c.now())}
}

// unreachable is an undetermined check that got no answer at all (network, timeout, TLS).
func unreachable(c *keystore.Check) bool {
	return c != nil && c.Result == authclient.Undetermined && c.HTTPStatus == 0
}

// listTop is a list's first line: the filter while it is in use, else the summary;
// with a "failing only" mark at its end while f is on.
func listTop(st Styles, f *filter, only bool, summary string, w int) string {
	mark := ""
	if only {
		mark = st.Warn.Render(onlyMark(only, w))
	}
	room := max(1, w-lipgloss.Width(mark))
	if f.active() {
		return textcut.End(f.view(room)+mark, w)
	}
	return textcut.End(st.Dim.Render(textcut.End(summary, room))+mark, w)
}

func failingHelp(only bool) string {
	if only {
		return "show all"
	}
	return "failing only"
}

// onlyMark ends a list's first line while f is on.
func onlyMark(only bool, w int) string {
	switch {
	case !only:
		return ""
	case w < 50:
		return " [failing only]"
	}
	return " [failing only · f shows all]"
}
