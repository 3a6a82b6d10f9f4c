package ui

import (
	"fmt"
	"strings"

	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// addKeyForm takes what m3ter's "Generate Access Key" popup shows.
type addKeyForm struct {
	c           *common
	orgID, user string
}

const (
	fieldKeyID = iota
	fieldSecret
	fieldPopupOrg
)

func newAddKeyScreen(c *common, orgID, user string) *formScreen[*addKeyForm] {
	console := "In the m3ter Console: Settings › Access › Service Users › " + clean(user) +
		" › Generate Access Key. Paste the Access Key ID it shows."
	return newFormScreen(c, &addKeyForm{c: c, orgID: orgID, user: user},
		newField("Access Key ID", console, "", 128, "access key ID"),
		secretField("API Secret", "Paste the API Secret: m3ter shows it once. It is stored encrypted and never shown here.", 600, "API secret"),
		newField("Organization ID", "Optional: the Organization ID the popup shows. It must be this organization's.", "", 64, "organization ID"),
	)
}

func (s *addKeyForm) submit(f *form) (changeMsg, error) {
	keyID := f.value(fieldKeyID)
	if err := validate.KeyID(keyID); err != nil {
		return changeMsg{}, err
	}
	secret, err := keystore.NewSecret(f.raw(fieldSecret))
	if err != nil {
		return changeMsg{}, err
	}
	if err := s.checkPopupOrg(f.value(fieldPopupOrg)); err != nil {
		return changeMsg{}, err
	}
	orgID, user := s.orgID, s.user
	add := func(tx *keystore.Tx) error {
		return tx.AddKey(orgID, user, keystore.NewKey{AccessKeyID: keyID, Secret: secret})
	}
	return changeMsg{apply: add, selectKey: keyID, what: "add key " + shortID(keyID) + " to " + clean(user),
		done: "added " + shortID(keyID) + " to " + clean(user) + " — press t to test it"}, nil
}

// checkPopupOrg makes sure a key pasted from another organization's popup is not stored here.
func (s *addKeyForm) checkPopupOrg(id string) error {
	if id == "" {
		return nil
	}
	if err := validate.OrgID(id); err != nil {
		return err
	}
	if !strings.EqualFold(id, s.orgID) {
		return &keystore.ValidationError{Field: "organization ID", Problem: fmt.Sprintf(
			"the popup names organization %s, but this is %s; add the key to that organization instead", clean(id), clean(s.orgID))}
	}
	return nil
}

func (s *addKeyForm) saveHelp() string { return "save key" }

func (s *addKeyForm) about() string { return s.orgID }

func (s *addKeyForm) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "Add key"}
}

func (s *addKeyForm) heading(w int) []string {
	st := s.c.styles
	slots := ""
	if o := s.c.org(s.orgID); o != nil {
		if u, ok := o.User(s.user); ok {
			slots = fmt.Sprintf(" (slot %d/%d)", len(u.Keys)+1, keystore.MaxKeysPerUser)
		}
	}
	return []string{
		st.BoxTitle.Render(textcut.End("New access key for "+clean(s.user)+slots, w)),
		st.Dim.Render(textcut.End("Organization "+clean(s.orgID), w)),
		"",
	}
}
