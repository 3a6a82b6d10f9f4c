package team

import (
	"context"
	"strconv"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// Status is what a team store's badge shows, from what the last fetch brought (no network).
type Status struct {
	Team          bool // false for a single-person store: show no badge
	Ahead, Behind int  // commits to push, commits to take in
	Uncommitted   bool // a change not committed yet (a save whose commit failed)
	Untrusted     bool // a recipient change waits for team trust
	HasRemote     bool
}

// String is the badge: in sync, N ahead, N behind, trust needed.
func (s Status) String() string {
	switch {
	case !s.Team:
		return ""
	case s.Untrusted:
		return "trust needed"
	case !s.HasRemote:
		return "no remote"
	case s.Ahead > 0 && s.Behind > 0:
		return strconv.Itoa(s.Ahead) + " ahead, " + strconv.Itoa(s.Behind) + " behind"
	case s.Ahead > 0 || s.Uncommitted:
		return strconv.Itoa(max(s.Ahead, 1)) + " ahead"
	case s.Behind > 0:
		return strconv.Itoa(s.Behind) + " behind"
	}
	return "in sync"
}

// StatusOf reads dir's team status without the network and without a passphrase. A conflict
// shows only when a sync meets it: see Result.Conflicts.
func StatusOf(dir string) (Status, error) {
	if !keystore.IsTeam(dir) || !isRepo(dir) {
		return Status{}, nil
	}
	r, err := openRepo(context.Background(), dir, false)
	if err != nil {
		return Status{}, err
	}
	st := Status{Team: true, HasRemote: r.remote() != ""}
	if st.Uncommitted, err = r.uncommitted(); err != nil {
		return st, err
	}
	if has, _ := r.has(upstream); has {
		counts, err := r.run("rev-list", "--left-right", "--count", head+"..."+upstream)
		if err != nil {
			return st, err
		}
		st.Ahead, st.Behind = parseCounts(counts)
	} else if n, err := r.run("rev-list", "--count", head); err == nil && st.HasRemote {
		st.Ahead, _ = parseCounts(n + " 0")
	}
	change, err := Pending(dir)
	if err != nil {
		return st, err
	}
	st.Untrusted = change != nil
	return st, nil
}

// uncommitted reports whether the store's shared files differ from the branch's head (a save
// whose commit failed), without writing anything to the repository.
func (r repo) uncommitted() (bool, error) {
	t, err := r.tree(head)
	if err != nil {
		return false, err
	}
	doc, recipients, err := keystore.ReadShared(r.dir)
	if err != nil {
		return false, err
	}
	for name, data := range map[string][]byte{keystore.DocumentFile: doc, keystore.RecipientsFile: recipients} {
		sha, err := r.output(data, "hash-object", "--stdin")
		if err != nil {
			return false, err
		}
		if strings.TrimSpace(string(sha)) != t[name].sha {
			return true, nil
		}
	}
	return false, nil
}
