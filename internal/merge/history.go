package merge

import (
	"slices"

	"github.com/m3keys/m3keys/keystore"
)

// history is the union of both sides' events, then the merge's own events, capped to
// keystore.MaxHistory keeping the newest. An event both sides hold (from their base, mostly)
// is kept once; one a side holds n times is kept n times, since it happened n times.
func history(ours, theirs, merged []keystore.Event) []keystore.Event {
	inOurs := make(map[keystore.Event]int, len(ours))
	all := make([]keystore.Event, 0, len(ours)+len(theirs)+len(merged))
	for _, e := range ours {
		e.At = e.At.UTC() // one instant, one key
		inOurs[e]++
		all = append(all, e)
	}
	inTheirs := make(map[keystore.Event]int, len(theirs))
	for _, e := range theirs {
		e.At = e.At.UTC()
		if inTheirs[e]++; inTheirs[e] > inOurs[e] {
			all = append(all, e)
		}
	}
	slices.SortStableFunc(all, func(a, b keystore.Event) int { return a.At.Compare(b.At) })
	all = append(all, merged...)
	if len(all) > keystore.MaxHistory {
		all = slices.Clone(all[len(all)-keystore.MaxHistory:])
	}
	return all
}
