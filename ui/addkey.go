package ui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// addKeyScreen takes what m3ter's "Generate Access Key" popup shows.
type addKeyScreen struct {
	c           *common
	orgID, user string
	form        form
}

const (
	fieldKeyID = iota
	fieldSecret
	fieldPopupOrg
)

func newAddKeyScreen(c *common, orgID, user string) addKeyScreen {
	console := "In the m3ter Console: Settings › Access › Service Users › " + clean(user) +
		" › Generate Access Key. Paste the Access Key ID it shows."
	return addKeyScreen{c: c, orgID: orgID, user: user, form: newForm(
		newField("Access Key ID", console, "", 128, "access key ID"),
		secretField("API Secret", "Paste the API Secret: m3ter shows it once. It is stored encrypted and never shown here.", 600, "API secret"),
		newField("Organization ID", "Optional: the Organization ID the popup shows. It must be this organization's.", "", 64, "organization ID"),
	)}
}

func (s addKeyScreen) update(msg tea.Msg) (addKeyScreen, tea.Cmd) {
	submit, cmd := s.form.handle(msg, s.c)
	if submit {
		s.submit()
	}
	return s, cmd
}

func (s *addKeyScreen) submit() {
	keyID := s.form.value(fieldKeyID)
	if err := keystore.ValidateKeyID(keyID); err != nil {
		s.form.fail(err)
		return
	}
	secret, err := keystore.NewSecret(s.form.raw(fieldSecret))
	if err != nil {
		s.form.fail(err)
		return
	}
	if err := s.checkPopupOrg(s.form.value(fieldPopupOrg)); err != nil {
		s.form.fail(err)
		return
	}
	orgID, user := s.orgID, s.user
	add := func(tx *keystore.Tx) error {
		return tx.AddKey(orgID, user, keystore.NewKey{AccessKeyID: keyID, Secret: secret})
	}
	if err := s.c.dryRun(add); err != nil {
		s.form.fail(err)
		return
	}
	s.form.send(s.c, changeMsg{apply: add, selectKey: keyID, what: "add key " + shortID(keyID) + " to " + clean(user),
		done: "added " + shortID(keyID) + " to " + clean(user) + " — press t to test it"})
}

// checkPopupOrg makes sure a key pasted from another organization's popup is not stored here.
func (s *addKeyScreen) checkPopupOrg(id string) error {
	if id == "" {
		return nil
	}
	if err := keystore.ValidateOrgID(id); err != nil {
		return err
	}
	if !strings.EqualFold(id, s.orgID) {
		return &keystore.ValidationError{Field: "organization ID", Problem: fmt.Sprintf(
			"the popup names organization %s, but this is %s; add the key to that organization instead", clean(id), clean(s.orgID))}
	}
	return nil
}

func (s *addKeyScreen) enableKeys(k *KeyMap) {
	s.form.enableKeys(k, "cancel")
	if s.form.focus == s.form.lastEditable() {
		describe(&k.Submit, "save key")
	}
}

func (s *addKeyScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "Add key"}
}

func (s *addKeyScreen) view(w, h int) string {
	st := s.c.styles
	slots := ""
	if o := s.c.org(s.orgID); o != nil {
		if u, ok := o.User(s.user); ok {
			slots = fmt.Sprintf(" (slot %d/%d)", len(u.Keys)+1, keystore.MaxKeysPerUser)
		}
	}
	lines := []string{
		st.BoxTitle.Render(textcut.End("New access key for "+clean(s.user)+slots, w)),
		st.Dim.Render(textcut.End("Organization "+clean(s.orgID), w)),
		"",
		s.form.view(st, w),
	}
	return strings.Join(lines, "\n")
}
