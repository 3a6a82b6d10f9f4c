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

// handle is a form screen's whole key handling: esc goes back, anything else goes to update.
func (f *form) handle(msg tea.Msg, c *common) (submit bool, cmd tea.Cmd) {
	if key, ok := msg.(tea.KeyMsg); ok && keyIs(key, c.keys.Back) {
		c.emit(goBackMsg{})
		return false, nil
	}
	return f.update(msg, c.keys)
}

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

// send hands the form's change to the root to save, and waits for its answer.
func (f *form) send(c *common, change changeMsg) {
	f.saving = true
	c.emit(change)
}

func (f *form) clear(i int) { f.fields[i].input.SetValue("") }

// enableKeys turns on the keys a form understands.
func (f *form) enableKeys(k *KeyMap, cancel string) {
	k.only(&k.NextField, &k.PrevField, &k.Submit, &k.Back)
	k.Submit.SetEnabled(!f.saving)
	describe(&k.Submit, "next / save")
	describe(&k.Back, cancel)
}

// view draws the fields one per line, the focused field's hint and the last error.
func (f *form) view(st Styles, w int) string {
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, lipgloss.Width(fl.label))
	}
	labelW = min(labelW, w/3)
	inputW := max(4, w-labelW-4)
	var lines []string
	for i := range f.fields {
		fl := &f.fields[i]
		label, marker := st.Label, "  "
		if i == f.focus {
			label, marker = st.FocusedLabel, "› "
		}
		fl.input.Width = inputW - 1
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
