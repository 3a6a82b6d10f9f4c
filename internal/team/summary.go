package team

import (
	"fmt"
	"strings"
)

// Summary says what a sync did, for the command line and the TUI alike: "took in 2 commit(s),
// pushed"; "up to date" when it had nothing to do, "" when it stopped before deciding or failed.
func (r Result) Summary() string {
	var did []string
	if r.Committed {
		did = append(did, "committed local changes")
	}
	if r.Received > 0 {
		did = append(did, fmt.Sprintf("took in %d commit(s)", r.Received))
	}
	if r.Merged {
		did = append(did, "merged both sides' changes")
	}
	if r.Pushed {
		did = append(did, "pushed")
	}
	if r.Tries > 1 && r.Pushed {
		did = append(did, fmt.Sprintf("after %d tries (others pushed meanwhile)", r.Tries))
	}
	if len(r.HandedOutTwice) > 0 {
		did = append(did, "flagged handed out twice — rotate: "+strings.Join(r.HandedOutTwice, ", "))
	}
	switch {
	case len(did) > 0:
		return strings.Join(did, ", ")
	case r.Tries > 0 && !r.failed && len(r.Conflicts) == 0 && r.Pending == nil:
		return "up to date"
	}
	return ""
}
