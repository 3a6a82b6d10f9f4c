package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
)

// KeyMap is every key the TUI knows. Each screen enables the ones that work there
// (see only), so a disabled binding neither matches nor shows up in help, and words
// them (describe) on its own copy of the table: the root hands every screen a fresh one.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Open, Back, Quit, ForceQuit, Help, Filter, Failing key.Binding

	New, Edit, AddKey, Toggle, Delete, Test, TestAll, History key.Binding
	Copy, CopyToken                                           key.Binding // the secret, once (c); a Bearer token (y)
	Rotate, Deployed                                          key.Binding // the rotation wizard (r); a key's deployed-to note (e)
	Sync, Ours, Theirs, OursAll, TheirsAll                    key.Binding // a team store: S syncs; a conflict keeps yours or theirs

	NextField, PrevField, Submit key.Binding
	Yes, No                      key.Binding

	// text says a text input has the focus: keys go to it whole, pastes included (form, filter).
	text bool
}

// DefaultKeyMap is the key table of DESIGN.md.
func DefaultKeyMap() *KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return &KeyMap{
		Up:        b([]string{"up", "k"}, "↑/k", "move up"),
		Down:      b([]string{"down", "j"}, "↓/j", "move down"),
		PageUp:    b([]string{"pgup"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown"}, "pgdn", "page down"),
		Top:       b([]string{"home", "g"}, "home/g", "first"),
		Bottom:    b([]string{"end", "G"}, "end/G", "last"),
		Open:      b([]string{"enter"}, "enter", "open"),
		Back:      b([]string{"esc"}, "esc", "back"),
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:      b([]string{"?"}, "?", "help"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Failing:   b([]string{"f"}, "f", "failing only"),
		New:       b([]string{"n"}, "n", "new"),
		Edit:      b([]string{"e"}, "e", "edit"),
		AddKey:    b([]string{"a"}, "a", "add key"),
		Toggle:    b([]string{"s"}, "s", "activate/inactivate"),
		Delete:    b([]string{"d"}, "d", "remove"),
		Test:      b([]string{"t"}, "t", "test key"),
		TestAll:   b([]string{"T"}, "T", "test all ACTIVE"),
		History:   b([]string{"h"}, "h", "history"),
		Copy:      b([]string{"c"}, "c", "copy secret (once)"),
		CopyToken: b([]string{"y"}, "y", "copy token"),
		Rotate:    b([]string{"r"}, "r", "rotate key"),
		Deployed:  b([]string{"e"}, "e", "edit deployed to"),
		Sync:      b([]string{"S"}, "S", "sync"),
		Ours:      b([]string{"o"}, "o", "keep yours"),
		Theirs:    b([]string{"t"}, "t", "keep theirs"),
		OursAll:   b([]string{"O"}, "O", "all yours"),
		TheirsAll: b([]string{"T"}, "T", "all theirs"),
		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		Submit:    b([]string{"enter"}, "enter", "next / save"),
		Yes:       b([]string{"y"}, "y", "yes"),
		No:        b([]string{"n", "esc"}, "n/esc", "no"),
	}
}

func (k *KeyMap) all() []*key.Binding {
	return []*key.Binding{
		&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom,
		&k.Open, &k.Back, &k.Quit, &k.ForceQuit, &k.Help, &k.Filter, &k.Failing,
		&k.New, &k.Edit, &k.AddKey, &k.Toggle, &k.Delete, &k.Test, &k.TestAll, &k.History,
		&k.Copy, &k.CopyToken, &k.Rotate, &k.Deployed, &k.NextField, &k.PrevField, &k.Submit, &k.Yes, &k.No,
		&k.Sync, &k.Ours, &k.Theirs, &k.OursAll, &k.TheirsAll,
	}
}

// only enables exactly the given bindings (ctrl+c always works).
func (k *KeyMap) only(enabled ...*key.Binding) {
	for _, b := range k.all() {
		b.SetEnabled(false)
	}
	k.ForceQuit.SetEnabled(true)
	k.text = false
	for _, b := range enabled {
		b.SetEnabled(true)
	}
}

// describe changes what a binding says it does on the current screen (b is that
// screen's copy: see App.syncKeys).
func describe(b *key.Binding, desc string) {
	b.SetHelp(b.Help().Key, desc)
}

// listKeys are the movement keys every list shares.
func (k *KeyMap) listKeys() []*key.Binding {
	return []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom}
}

// ShortHelp is the one-line help at the bottom, actions first; the root adds `? help` at its end.
func (k *KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{
		k.Yes, k.No, k.Submit, k.NextField, k.Ours, k.Theirs, k.OursAll, k.TheirsAll, k.Open, k.Rotate, k.Sync, k.New, k.Edit, k.AddKey, k.Copy, k.CopyToken, k.Toggle, k.Delete,
		k.Test, k.TestAll, k.Deployed, k.Failing, k.History, k.Filter, k.Back, k.Quit,
	}
}

// FullHelp is the help overlay: movement, actions, general.
func (k *KeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, group := range k.fullHelp() {
		var bs []key.Binding
		for _, b := range group {
			bs = append(bs, *b)
		}
		out = append(out, bs)
	}
	return out
}

// fullHelp is FullHelp's groups, as the bindings themselves.
func (k *KeyMap) fullHelp() [][]*key.Binding {
	return [][]*key.Binding{
		{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.NextField, &k.PrevField},
		{&k.Open, &k.Submit, &k.New, &k.Edit, &k.AddKey, &k.Rotate, &k.Toggle, &k.Delete, &k.Test, &k.TestAll, &k.Copy, &k.CopyToken, &k.Deployed, &k.Failing, &k.History, &k.Filter},
		{&k.Ours, &k.Theirs, &k.OursAll, &k.TheirsAll, &k.Sync},
		{&k.Yes, &k.No, &k.Back, &k.Help, &k.Quit, &k.ForceQuit},
	}
}

func keyIs(msg tea.KeyMsg, b key.Binding) bool { return key.Matches(msg, b) }

// helpEntries are the enabled bindings of FullHelp for the help overlay, with
// pairs that belong together (up/down, page up/down, first/last, q/ctrl+c, c/y) shown as one.
func (k *KeyMap) helpEntries() []key.Help {
	pairs := map[*key.Binding]struct {
		other *key.Binding
		help  key.Help
	}{
		&k.Up:        {&k.Down, key.Help{Key: "↑↓/kj", Desc: "move"}},
		&k.PageUp:    {&k.PageDown, key.Help{Key: "pgup/pgdn", Desc: "page"}},
		&k.Top:       {&k.Bottom, key.Help{Key: "g/G", Desc: "first/last"}},
		&k.Quit:      {&k.ForceQuit, key.Help{Key: "q/ctrl+c", Desc: "quit"}},
		&k.NextField: {&k.PrevField, key.Help{Key: "tab/⇧tab", Desc: "next/previous field"}},
		&k.Copy:      {&k.CopyToken, key.Help{Key: "c/y", Desc: "copy secret/token"}},
		&k.Ours:      {&k.Theirs, key.Help{Key: "o/t", Desc: "keep yours/theirs"}},
		&k.OursAll:   {&k.TheirsAll, key.Help{Key: "O/T", Desc: "all yours/theirs"}},
	}
	merged := map[*key.Binding]bool{}
	var out []key.Help
	for _, b := range slices.Concat(k.fullHelp()...) {
		if !b.Enabled() || merged[b] {
			continue
		}
		if p, ok := pairs[b]; ok && p.other.Enabled() {
			merged[p.other] = true
			out = append(out, p.help)
			continue
		}
		out = append(out, b.Help())
	}
	return out
}

// helpLine is the short help in h's styles: whole bindings while they fit, then "…", always
// ending in `? help` when help works here. (help.ShortHelpView would add a
// binding that does not fit whenever its own ellipsis does not fit either.)
func (k *KeyMap) helpLine(h help.Model, w int) string {
	st := h.Styles
	item := func(b key.Binding) string {
		return st.ShortKey.Render(b.Help().Key) + " " + st.ShortDesc.Render(b.Help().Desc)
	}
	var items []string
	for _, b := range k.ShortHelp() {
		if b.Enabled() {
			items = append(items, item(b))
		}
	}
	var tail []string
	if k.Help.Enabled() {
		tail = []string{item(k.Help)}
	}
	sep := st.ShortSeparator.Render(h.ShortSeparator)
	for n := len(items); n >= 0; n-- {
		shown := append([]string{}, items[:n]...)
		switch {
		case n == len(items):
		case n > 0:
			shown[n-1] += " " + st.Ellipsis.Render("…")
		default:
			shown = []string{st.Ellipsis.Render("…")}
		}
		if line := strings.Join(append(shown, tail...), sep); lipgloss.Width(line) <= w {
			return line
		}
	}
	return textcut.End(strings.Join(tail, ""), w)
}
