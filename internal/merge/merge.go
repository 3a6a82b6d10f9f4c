// Package merge joins two versions of a keystore document that grew apart from a common
// base, as a team store's sync needs: git cannot merge ciphertext, so the decrypted documents
// are merged 3-way by identity (organization ID, service user name, Access Key ID), field by
// field, with m3keys' own rules (DESIGN.md, Team store). It is pure: no git, no files, and no
// clock but the one it is given.
package merge

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/m3keys/m3keys/keystore"
)

// Side is one of the two documents being merged.
type Side int

const (
	Ours Side = iota + 1
	Theirs
)

func (s Side) String() string {
	switch s {
	case Ours:
		return "ours"
	case Theirs:
		return "theirs"
	}
	return "neither"
}

// Choices settles conflicts by Conflict.ID, so a CLI or TUI can collect them and merge again.
type Choices map[string]Side

// Conflict is a decision the merge cannot make: two different changes to one field, or a
// change on one side against a removal on the other. It never holds a secret.
type Conflict struct {
	ID          string // stable across merges of the same documents: the key of Choices
	OrgID       string // where: the organization (canonical),
	User        string // the service user, when the conflict is inside one,
	AccessKeyID string // and the access key, when it is about one
	Field       string // the field as the document names it ("name", "status", "secret"), or FieldRemoved, FieldLocation
	Ours        string // what each side holds, for display: never a secret
	Theirs      string
}

// Fields that are not fields of the model.
const (
	FieldRemoved  = "removed"  // removed on one side, changed on the other
	FieldLocation = "location" // one Access Key ID under two service users
	FieldSecret   = "secret"
)

// String says where the conflict is and what each side holds.
func (c Conflict) String() string {
	if c.Field == FieldSecret {
		return c.where() + ": secret differs"
	}
	return fmt.Sprintf("%s: %s — ours %s, theirs %s", c.where(), c.Field, c.Ours, c.Theirs)
}

func (c Conflict) where() string {
	parts := []string{"organization " + c.OrgID}
	if c.User != "" {
		parts = append(parts, fmt.Sprintf("service user %q", c.User))
	}
	if c.AccessKeyID != "" {
		parts = append(parts, "access key "+c.AccessKeyID)
	}
	if c.OrgID == "" {
		parts = parts[1:]
	}
	return strings.Join(parts, ", ")
}

// OverLimit is a service user that holds more than keystore.MaxKeysPerUser keys after the
// merge (two members each added one): every key is kept, and the user must be brought back
// to two by inactivating and removing keys.
type OverLimit struct {
	OrgID, User string
	Keys        []string // Access Key IDs, in document order
}

// Result is a merged document and what the merge could not decide.
type Result struct {
	// Doc is the merged document. While Conflicts is not empty it is provisional, holding
	// ours at every unsettled conflict: show it, do not save it.
	Doc       *keystore.Document
	Conflicts []Conflict
	OverLimit []OverLimit
	in        inputs
}

// Resolved reports whether every conflict is settled, so Doc may be saved.
func (r Result) Resolved() bool { return len(r.Conflicts) == 0 }

// Choices are the settlements this result was merged with.
func (r Result) Choices() Choices { return maps.Clone(r.in.choices) }

type inputs struct {
	base, ours, theirs *keystore.Document
	now                time.Time
	choices            Choices
}

// ErrAmbiguous is returned for a document that holds one identity twice, so entries cannot be paired.
var ErrAmbiguous = errors.New("document holds one identity twice")

// Documents merges ours and theirs, which both started from base (nil when they share none),
// recording the merge's decisions in history at now.
func Documents(base, ours, theirs *keystore.Document, now time.Time) (Result, error) {
	return Merge(base, ours, theirs, now, nil)
}

// Merge is Documents with conflicts settled by choices.
func Merge(base, ours, theirs *keystore.Document, now time.Time, choices Choices) (Result, error) {
	if ours == nil || theirs == nil {
		return Result{}, errors.New("merge: both ours and theirs are needed")
	}
	if base == nil {
		base = &keystore.Document{}
	}
	// Copies, so Resolve can merge again whatever the caller does to its documents.
	in := inputs{base: base.Clone(), ours: ours.Clone(), theirs: theirs.Clone(), now: now.UTC(), choices: maps.Clone(choices)}
	return run(in)
}

// Resolve settles conflict i of r with side and merges again. Settling one conflict can
// reveal another (a key kept against a removal may now be stored twice), so read the new
// result's Conflicts rather than counting on the old ones.
func Resolve(r Result, i int, side Side) (Result, error) {
	if i < 0 || i >= len(r.Conflicts) {
		return r, fmt.Errorf("merge: no conflict %d (there are %d)", i, len(r.Conflicts))
	}
	if side != Ours && side != Theirs {
		return r, fmt.Errorf("merge: choose ours or theirs, not %v", side)
	}
	in := r.in
	in.choices = maps.Clone(in.choices)
	if in.choices == nil {
		in.choices = Choices{}
	}
	in.choices[r.Conflicts[i].ID] = side
	return run(in)
}

func run(in inputs) (Result, error) {
	for _, d := range []struct {
		name string
		doc  *keystore.Document
	}{{"base", in.base}, {"ours", in.ours}, {"theirs", in.theirs}} {
		if err := checkIdentities(d.doc); err != nil {
			return Result{}, fmt.Errorf("merge: %s: %w", d.name, err)
		}
	}
	m := &merger{now: in.now, choices: in.choices}
	doc := &keystore.Document{Version: max(in.ours.Version, in.theirs.Version)}
	doc.Organizations = m.orgs(in.base.Organizations, in.ours.Organizations, in.theirs.Organizations)
	doc = doc.Clone() // from here on the merged document is changed in place, never the inputs
	m.oneLocationPerKey(doc, in.ours)
	over := m.overLimit(doc)
	doc.History = history(in.ours.History, in.theirs.History, m.events)
	return Result{Doc: doc, Conflicts: m.conflicts, OverLimit: over, in: in}, nil
}

// checkIdentities refuses a document whose entries cannot be paired by identity.
func checkIdentities(d *keystore.Document) error {
	orgs, keys := map[string]bool{}, map[string]bool{}
	for _, o := range d.Organizations {
		id := keystore.CanonicalOrgID(o.ID)
		if orgs[id] {
			return fmt.Errorf("%w: organization %s", ErrAmbiguous, id)
		}
		orgs[id] = true
		users := map[string]bool{}
		for _, u := range o.ServiceUsers {
			if users[u.Name] {
				return fmt.Errorf("%w: service user %q in %s", ErrAmbiguous, u.Name, id)
			}
			users[u.Name] = true
			for _, k := range u.Keys {
				if keys[k.AccessKeyID] {
					return fmt.Errorf("%w: access key %s", ErrAmbiguous, k.AccessKeyID)
				}
				keys[k.AccessKeyID] = true
			}
		}
	}
	return nil
}
