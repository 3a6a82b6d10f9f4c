package keystore

import (
	"errors"
	"strings"
)

// ErrAmbiguousOrg: more than one organization has the name given.
var ErrAmbiguousOrg = errors.New("more than one organization has that name")

// AmbiguousOrgError names the organizations a name could mean, by ID.
type AmbiguousOrgError struct {
	Name string
	IDs  []string
}

func (e *AmbiguousOrgError) Error() string {
	return "more than one organization is named " + e.Name + ": " + strings.Join(e.IDs, ", ")
}

func (e *AmbiguousOrgError) Unwrap() error { return ErrAmbiguousOrg }

// FindOrg is the organization with this ID or, failing that, the one organization with this
// name (in any case). No match is ErrNotFound; a name two organizations share is an
// *AmbiguousOrgError that lists their IDs.
func (d *Document) FindOrg(idOrName string) (*Organization, error) {
	if o, ok := d.Org(idOrName); ok {
		return o, nil
	}
	name := strings.TrimSpace(idOrName)
	var found []*Organization
	for i := range d.Organizations {
		if o := &d.Organizations[i]; name != "" && strings.EqualFold(strings.TrimSpace(o.Name), name) {
			found = append(found, o)
		}
	}
	switch len(found) {
	case 0:
		return nil, ErrNotFound
	case 1:
		return found[0], nil
	}
	e := &AmbiguousOrgError{Name: name}
	for _, o := range found {
		e.IDs = append(e.IDs, o.ID)
	}
	return nil, e
}
