package ui

import (
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// deployedToForm edits where a key is deployed (e): a note for the next rotation.
type deployedToForm struct {
	c            *common
	orgID, keyID string
}

func newDeployedToScreen(c *common, orgID string, k *keystore.AccessKey) *formScreen[*deployedToForm] {
	return newDeployedToNote(c, orgID, k.AccessKeyID, k.DeployedTo)
}

// newDeployedToNote edits the note of keyID starting from note (a rotation offers the old key's).
func newDeployedToNote(c *common, orgID, keyID, note string) *formScreen[*deployedToForm] {
	return newFormScreen(c, &deployedToForm{c: c, orgID: orgID, keyID: keyID},
		newField("Deployed to", "Where the integration reads this key (a host, a vault path, a CI variable); empty clears the note.",
			note, keystore.MaxDeployedTo, "deployed-to note"))
}

func (s *deployedToForm) submit(f *form) (changeMsg, error) {
	text, id := f.value(0), s.keyID
	if text != "" {
		if err := keystore.ValidateDeployedTo(text); err != nil {
			return changeMsg{}, err
		}
	}
	return changeMsg{selectKey: id, what: "note where " + shortID(id) + " is deployed", done: "noted where " + shortID(id) + " is deployed",
		apply: func(tx *keystore.Tx) error { return tx.SetDeployedTo(id, text) }}, nil
}

func (s *deployedToForm) saveHelp() string { return "save note" }

func (s *deployedToForm) about() string { return s.orgID }

func (s *deployedToForm) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "Deployed to"}
}

func (s *deployedToForm) heading(w int) []string {
	return []string{s.c.styles.BoxTitle.Render(textcut.End("Where is "+shortID(s.keyID)+" deployed?", w)), ""}
}
