package ui

import (
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// userForm adds a service user to an organization.
type userForm struct {
	c     *common
	orgID string
}

func newUserFormScreen(c *common, orgID string) *formScreen[*userForm] {
	return newFormScreen(c, &userForm{c: c, orgID: orgID},
		newField("Service user", "The name as in the m3ter Console (Settings › Access › Service Users).", "", 100, "service user"),
	)
}

func (s *userForm) submit(f *form) (changeMsg, error) {
	orgID, name := s.orgID, f.value(0)
	return changeMsg{apply: func(tx *keystore.Tx) error { return tx.AddUser(orgID, name) }, selectUser: name,
		what: "add service user " + clean(name), done: "added service user " + clean(name) + " — press a to add its key"}, nil
}

func (s *userForm) saveHelp() string { return "save" }

func (s *userForm) about() string { return s.orgID }

func (s *userForm) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "New service user"}
}

func (s *userForm) heading(w int) []string {
	return []string{s.c.styles.BoxTitle.Render(textcut.End("New service user in "+orgLabel(s.c.org(s.orgID)), w)), ""}
}
