package merge

import (
	"slices"

	"github.com/m3keys/m3keys/keystore"
)

// history is the union of both sides' events (an event both hold counted once), by time,
// then the merge's own events, capped to keystore.MaxHistory keeping the newest.
func history(ours, theirs, merged []keystore.Event) []keystore.Event {
	seen := make(map[keystore.Event]bool, len(ours)+len(theirs))
	all := make([]keystore.Event, 0, len(ours)+len(theirs)+len(merged))
	for _, list := range [][]keystore.Event{ours, theirs} {
		for _, e := range list {
			e.At = e.At.UTC() // one instant, one key
			if !seen[e] {
				seen[e] = true
				all = append(all, e)
			}
		}
	}
	slices.SortStableFunc(all, func(a, b keystore.Event) int { return a.At.Compare(b.At) })
	all = append(all, merged...)
	if len(all) > keystore.MaxHistory {
		all = slices.Clone(all[len(all)-keystore.MaxHistory:])
	}
	return all
}
