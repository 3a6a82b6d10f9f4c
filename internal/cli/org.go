package cli

import (
	"errors"
	"strings"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// findOrg resolves --org: an organization's ID, or its name in any case when only one
// organization has it.
func findOrg(doc *keystore.Document, arg string) (*keystore.Organization, error) {
	o, err := doc.FindOrg(arg)
	var ambiguous *keystore.AmbiguousOrgError
	switch {
	case errors.As(err, &ambiguous):
		return nil, usageErr("--org %s: more than one organization has that name (%s)", sanitize.Line(arg), strings.Join(ambiguous.IDs, ", ")).hint("give the ID instead")
	case err != nil:
		return nil, usageErr("no organization %s in the store", sanitize.Line(arg)).hint("give an organization's ID (a UUID) or its name; m3keys list shows both")
	}
	return o, nil
}
