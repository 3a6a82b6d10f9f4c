package team

import (
	"errors"
	"slices"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// exposedByRemoval finds the keys a removed member could read although the removal came first:
// a commit on either side since the merge base, encrypted to someone the merged list no longer
// holds (a member who saved before seeing the removal), reached the remote, and they can
// decrypt it. It maps each such member's name to the keys of doc, not flagged yet, that any of
// those commits held.
func (e *syncer) exposedByRemoval(base, ours, theirs string, merged keystore.Recipients, doc *keystore.Document) (map[string][]string, error) {
	args := []string{"rev-list", ours, theirs}
	if base != "" {
		args = append(args, "^"+base)
	}
	out, err := e.r.run(args...)
	if err != nil {
		return nil, err
	}
	flagged := map[string]bool{}
	exposed := map[string][]string{}
	for _, c := range strings.Fields(out) {
		rs, err := recipientsAt(e.r, c)
		if err != nil {
			return nil, err
		}
		_, gone := rs.Diff(merged) // in the commit's list, not in the merged one
		if len(gone) == 0 {
			continue
		}
		v, err := e.read(c, "commit "+abbrev(c))
		if errors.Is(err, keystore.ErrNotMember) {
			continue // written before this member was added: nothing of it can be told
		}
		if err != nil {
			return nil, err
		}
		for _, r := range gone {
			for _, id := range unflagged(v.doc, doc) {
				if !flagged[id] {
					flagged[id] = true
					exposed[r.Name] = append(exposed[r.Name], id)
				}
			}
		}
	}
	for name := range exposed {
		slices.Sort(exposed[name])
	}
	return exposed, nil
}

// unflagged are the keys of v that doc holds and has not flagged exposed.
func unflagged(v, doc *keystore.Document) []string {
	var ids []string
	for _, id := range allKeys(v) {
		if ref, ok := doc.Key(id); ok && !ref.Key.Exposed {
			ids = append(ids, id)
		}
	}
	return ids
}
