package ui

import (
	"github.com/m3keys/m3keys/keystore"
)

// orgForm creates an organization, or edits one's name and API URL.
type orgForm struct {
	c     *common
	orgID string // the one edited, "" for a new one
	edit  bool
}

const (
	fieldOrgID = iota
	fieldOrgName
	fieldAPIURL
)

func newOrgFormScreen(c *common, orgID string) *formScreen[*orgForm] {
	id, name, url := "", "", c.deps.DefaultAPIURL
	o := c.org(orgID)
	if o != nil {
		id, name, url = o.ID, o.Name, o.APIURL
	}
	idField := newField("Organization ID", "The UUID in the m3ter Console's address bar or under Settings › Organization.", id, 64, "organization ID")
	idField.fixed = o != nil
	return newFormScreen(c, &orgForm{c: c, orgID: id, edit: o != nil},
		idField,
		newField("Name", "Optional: a label for people, like \"Acme production\".", name, 100, "organization name"),
		newField("API URL", "https://api.m3ter.com, or https://api.<env>.m3ter.com for another environment.", url, 200, "API URL"),
	)
}

func (s *orgForm) submit(f *form) (changeMsg, error) {
	o := keystore.NewOrg{ID: f.value(fieldOrgID), Name: f.value(fieldOrgName), APIURL: f.value(fieldAPIURL)}
	if s.edit {
		return changeMsg{apply: func(tx *keystore.Tx) error { return tx.EditOrg(o) }, selectOrg: o.ID,
			what: "edit organization " + clean(o.ID), done: "saved organization " + clean(o.ID)}, nil
	}
	return changeMsg{apply: func(tx *keystore.Tx) error { return tx.AddOrg(o) }, selectOrg: o.ID,
		what: "add organization " + clean(o.ID), done: "added organization " + clean(o.ID) + " — open it and press n to add a service user"}, nil
}

func (s *orgForm) saveHelp() string { return "save" }

func (s *orgForm) about() string { return s.orgID }

func (s *orgForm) title() string {
	if s.edit {
		return "Edit organization"
	}
	return "New organization"
}

func (s *orgForm) crumbs() []string { return []string{"Organizations", s.title()} }

func (s *orgForm) heading(int) []string { return []string{s.c.styles.BoxTitle.Render(s.title()), ""} }
