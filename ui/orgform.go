package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// orgFormScreen creates an organization, or edits one's name and API URL.
type orgFormScreen struct {
	c     *common
	orgID string // the one edited, "" for a new one
	edit  bool
	form  form
}

const (
	fieldOrgID = iota
	fieldOrgName
	fieldAPIURL
)

func newOrgFormScreen(c *common, orgID string) orgFormScreen {
	id, name, url := "", "", c.deps.DefaultAPIURL
	o := c.org(orgID)
	if o != nil {
		id, name, url = o.ID, o.Name, o.APIURL
	}
	idField := newField("Organization ID", "The UUID in the m3ter Console's address bar or under Settings › Organization.", id, 64, "organization ID")
	idField.fixed = o != nil
	return orgFormScreen{c: c, orgID: id, edit: o != nil, form: newForm(
		idField,
		newField("Name", "Optional: a label for people, like \"Acme production\".", name, 100, "organization name"),
		newField("API URL", "https://api.m3ter.com, or https://api.<env>.m3ter.com for another environment.", url, 200, "API URL"),
	)}
}

func (s orgFormScreen) update(msg tea.Msg) (orgFormScreen, tea.Cmd) {
	submit, cmd := s.form.handle(msg, s.c)
	if submit {
		s.submit()
	}
	return s, cmd
}

func (s *orgFormScreen) submit() {
	o := keystore.NewOrg{ID: s.form.value(fieldOrgID), Name: s.form.value(fieldOrgName), APIURL: s.form.value(fieldAPIURL)}
	apply := func(tx *keystore.Tx) error { return tx.AddOrg(o) }
	what, done := "add organization "+clean(o.ID), "added organization "+clean(o.ID)+" — open it and press n to add a service user"
	if s.edit {
		apply = func(tx *keystore.Tx) error { return tx.EditOrg(o) }
		what, done = "edit organization "+clean(o.ID), "saved organization "+clean(o.ID)
	}
	if err := s.c.dryRun(apply); err != nil {
		s.form.fail(err)
		return
	}
	s.form.send(s.c, changeMsg{apply: apply, what: what, done: done, selectOrg: o.ID})
}

func (s *orgFormScreen) enableKeys(k *KeyMap) {
	s.form.enableKeys(k, "cancel")
	if s.form.focus == s.form.lastEditable() {
		describe(&k.Submit, "save")
	}
}

func (s *orgFormScreen) crumbs() []string {
	if s.edit {
		return []string{"Organizations", "Edit organization"}
	}
	return []string{"Organizations", "New organization"}
}

func (s *orgFormScreen) view(w, h int) string {
	st := s.c.styles
	title := "New organization"
	if s.edit {
		title = "Edit organization"
	}
	return st.BoxTitle.Render(title) + "\n\n" + s.form.view(st, w)
}
