package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// userFormScreen adds a service user to an organization.
type userFormScreen struct {
	c     *common
	orgID string
	form  form
}

func newUserFormScreen(c *common, orgID string) userFormScreen {
	return userFormScreen{c: c, orgID: orgID, form: newForm(
		newField("Service user", "The name as in the m3ter Console (Settings › Access › Service Users).", "", 100, "service user"),
	)}
}

func (s userFormScreen) update(msg tea.Msg) (userFormScreen, tea.Cmd) {
	submit, cmd := s.form.handle(msg, s.c)
	if submit {
		s.submit()
	}
	return s, cmd
}

func (s *userFormScreen) submit() {
	orgID, name := s.orgID, s.form.value(0)
	apply := func(tx *keystore.Tx) error { return tx.AddUser(orgID, name) }
	if err := s.c.dryRun(apply); err != nil {
		s.form.fail(err)
		return
	}
	s.form.send(s.c, changeMsg{apply: apply, selectUser: name, what: "add service user " + clean(name), done: "added service user " + clean(name) + " — press a to add its key"})
}

func (s *userFormScreen) enableKeys(k *KeyMap) {
	s.form.enableKeys(k, "cancel")
	describe(&k.Submit, "save")
	k.NextField.SetEnabled(false)
	k.PrevField.SetEnabled(false)
}

func (s *userFormScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "New service user"}
}

func (s *userFormScreen) view(w, h int) string {
	st := s.c.styles
	return st.BoxTitle.Render(textcut.End("New service user in "+orgLabel(s.c.org(s.orgID)), w)) + "\n\n" + s.form.view(st, w)
}
