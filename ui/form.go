package ui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// field is one labelled text input of a form.
type field struct {
	label string
	// names are the keystore.ValidationError field names that point at this field.
	names []string
	hint  string
	input textinput.Model
	fixed bool // shown, not editable
}

// form is the text fields every form and the unlock screen share: focus moves with
// tab and the arrows, enter moves on and submits on the last field, and errors from
// the keystore land under the field they name.
type form struct {
	fields []field
	focus  int
	width  int // set by resize, with the inputs' widths
	err    string
	// saving is set when the form's change went to the store: enter is off until
	// the answer (see enableKeys), so a change is not submitted twice.
	saving bool
}

func newField(label, hint, value string, limit int, names ...string) field {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	in.SetValue(value)
	in.Cursor.SetMode(cursor.CursorStatic) // no blinking: nothing to tick, stable screenshots
	return field{label: label, names: names, hint: hint, input: in}
}

func secretField(label, hint string, limit int, names ...string) field {
	f := newField(label, hint, "", limit, names...)
	f.input.EchoMode = textinput.EchoPassword
	f.input.EchoCharacter = '•'
	return f
}

func newForm(fields ...field) form {
	f := form{fields: fields}
	f.focusOn(f.nextEditable(-1, 1))
	return f
}

func (f *form) value(i int) string { return strings.TrimSpace(f.fields[i].input.Value()) }

// raw is the value as typed, for a secret whose trimming belongs to keystore.NewSecret.
func (f *form) raw(i int) string { return f.fields[i].input.Value() }

func (f *form) focusOn(i int) {
	for j := range f.fields {
		f.fields[j].input.Blur()
	}
	f.focus = i
	f.fields[i].input.Focus()
}

func (f *form) nextEditable(from, step int) int {
	n := len(f.fields)
	for i := 1; i <= n; i++ {
		j := ((from+step*i)%n + n) % n
		if !f.fields[j].fixed {
			return j
		}
	}
	return max(from, 0)
}

func (f *form) lastEditable() int { return f.nextEditable(len(f.fields), -1) }

// update moves focus or types; it reports true when enter was pressed on the last field.
func (f *form) update(msg tea.Msg, k *KeyMap) (submit bool, cmd tea.Cmd) {
	if key, ok := msg.(tea.KeyMsg); ok {
		switch {
		case keyIs(key, k.NextField):
			f.focusOn(f.nextEditable(f.focus, 1))
			return false, nil
		case keyIs(key, k.PrevField):
			f.focusOn(f.nextEditable(f.focus, -1))
			return false, nil
		case keyIs(key, k.Submit):
			if f.focus == f.lastEditable() {
				return true, nil
			}
			f.focusOn(f.nextEditable(f.focus, 1))
			return false, nil
		}
	}
	f.fields[f.focus].input, cmd = f.fields[f.focus].input.Update(msg)
	return false, cmd
}

// fail shows err as a plain sentence and moves to the field it names, if any.
func (f *form) fail(err error) {
	f.saving = false
	f.err = plain(err)
	var v *keystore.ValidationError
	if !errors.As(err, &v) {
		return
	}
	for i, fl := range f.fields {
		for _, n := range fl.names {
			if strings.EqualFold(n, v.Field) && !fl.fixed {
				f.focusOn(i)
				return
			}
		}
	}
}

func (f *form) say(msg string) { f.err = msg }

func (f *form) clear(i int) { f.fields[i].input.SetValue("") }

// typed says whether any editable field holds text.
func (f *form) typed() bool {
	for _, fl := range f.fields {
		if !fl.fixed && fl.input.Value() != "" {
			return true
		}
	}
	return false
}

// enableKeys turns on the keys a form understands.
func (f *form) enableKeys(k *KeyMap, cancel string) {
	k.only(&k.NextField, &k.PrevField, &k.Submit, &k.Back)
	k.text = true
	k.Submit.SetEnabled(!f.saving)
	describe(&k.Submit, "next / save")
	describe(&k.Back, cancel)
}

// editable counts the fields that can be typed in.
func (f *form) editable() int {
	n := 0
	for _, fl := range f.fields {
		if !fl.fixed {
			n++
		}
	}
	return n
}

// layout is the width of the labels and of the inputs in a form w cells wide.
func (f *form) layout(w int) (labelW, inputW int) {
	for _, fl := range f.fields {
		labelW = max(labelW, lipgloss.Width(fl.label))
	}
	labelW = min(labelW, w/3)
	return labelW, max(4, w-labelW-4)
}

// resize gives the form w cells, and its inputs their share: they scroll what is
// typed by their width, in update.
func (f *form) resize(w int) {
	f.width = w
	_, inputW := f.layout(w)
	for i := range f.fields {
		f.fields[i].input.Width = inputW - 1
	}
}

// view draws the fields one per line, the focused field's hint and the last error.
func (f *form) view(st Styles) string {
	w := f.width
	labelW, inputW := f.layout(w)
	var lines []string
	for i := range f.fields {
		fl := &f.fields[i]
		label, marker := st.Label, "  "
		if i == f.focus {
			label, marker = st.FocusedLabel, "› "
		}
		value := fl.input.View()
		if fl.fixed {
			value = st.Dim.Render(clean(fl.input.Value()))
		}
		lines = append(lines, marker+label.Render(textcut.Pad(textcut.End(fl.label, labelW), labelW))+"  "+textcut.End(value, inputW))
	}
	if h := f.fields[f.focus].hint; h != "" {
		lines = append(lines, "", st.Dim.Render(lipgloss.NewStyle().Width(w).Render(h)))
	}
	if f.err != "" {
		lines = append(lines, "", st.FieldError.Render(lipgloss.NewStyle().Width(w).Render(f.err)))
	}
	return strings.Join(lines, "\n")
}

// formSpec is what makes one form screen: its fields are given to newFormScreen, and
// it says what they save.
type formSpec interface {
	// submit checks what was typed and builds the change; an error lands under its field.
	submit(f *form) (changeMsg, error)
	// heading is the lines above the fields, in w cells.
	heading(w int) []string
	crumbs() []string
	about() string    // the organization the form is about, "" for a new one
	saveHelp() string // what enter does on the last field
}

// formScreen is every form but unlock: esc cancels, enter on the last field checks what
// was typed (against the keystore's rules too, on a copy), sends the change and waits;
// a refusal lands in the form, a save closes it and the screen below selects what it saved.
type formScreen[S formSpec] struct {
	c    *common
	spec S
	form form
}

func newFormScreen[S formSpec](c *common, spec S, fields ...field) *formScreen[S] {
	return &formScreen[S]{c: c, spec: spec, form: newForm(fields...)}
}

func (s *formScreen[S]) update(msg tea.Msg) (screen, *effect) {
	switch msg := msg.(type) {
	case savedMsg:
		return s, s.saved(msg)
	case tea.KeyMsg:
		if keyIs(msg, s.c.keys.Back) {
			return s, pop()
		}
	case docChangedMsg, checkedMsg:
		return s, nil
	}
	submit, cmd := s.form.update(msg, s.c.keys)
	if submit {
		return s, both(run(cmd), s.submit())
	}
	return s, run(cmd)
}

func (s *formScreen[S]) submit() *effect {
	change, err := s.spec.submit(&s.form)
	if err == nil {
		err = s.c.dryRun(change.apply)
	}
	if err != nil {
		s.form.fail(err)
		return nil
	}
	s.form.saving = true // enter is off until the answer, so a change is not submitted twice
	return do(change)
}

func (s *formScreen[S]) saved(msg savedMsg) *effect {
	if msg.err != nil {
		s.form.fail(msg.err)
		return nil
	}
	return do(popMsg{saved: &msg})
}

func (s *formScreen[S]) enableKeys(k *KeyMap) {
	s.form.enableKeys(k, "cancel")
	if s.form.focus == s.form.lastEditable() {
		describe(&k.Submit, s.spec.saveHelp())
	}
	if s.form.editable() == 1 {
		k.NextField.SetEnabled(false)
		k.PrevField.SetEnabled(false)
	}
}

func (s *formScreen[S]) crumbs() []string { return s.spec.crumbs() }

func (s *formScreen[S]) about() string { return s.spec.about() }

func (s *formScreen[S]) setSize(w, _ int) { s.form.resize(w) }

func (s *formScreen[S]) view() string {
	return strings.Join(append(s.spec.heading(s.form.width), s.form.view(s.c.styles)), "\n")
}
