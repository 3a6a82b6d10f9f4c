// Package livecheck is the act both faces call "test" or "check": which stored keys a check
// covers, the live key each one stands for, recording what m3ter said as each key's last
// check, and counting the results. The CLI's check and the TUI's t call these and render
// what they return; authclient talks to m3ter.
package livecheck

import (
	"errors"
	"fmt"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// Selection is what a check covers.
type Selection struct {
	OrgID  string   // one organization, by its stored (canonical) ID; "" for every one
	All    bool     // INACTIVE keys too
	KeyIDs []string // just these keys, whatever their status
}

// ErrNotInOrg is a named key outside the organization the selection is limited to.
var ErrNotInOrg = errors.New("not in that organization")

// KeyError is a named key a selection cannot take: not stored (keystore.ErrNotFound), or
// outside its organization (ErrNotInOrg).
type KeyError struct {
	KeyID, OrgID string
	Err          error
}

func (e *KeyError) Error() string {
	if errors.Is(e.Err, ErrNotInOrg) {
		return fmt.Sprintf("access key %s is not in organization %s", sanitize.Line(e.KeyID), sanitize.Line(e.OrgID))
	}
	return fmt.Sprintf("no access key %s in the store", sanitize.Line(e.KeyID))
}

func (e *KeyError) Unwrap() error { return e.Err }

// Select lists the keys sel covers, in the document's order: the named keys whatever their
// status, else the ACTIVE ones (with All the INACTIVE ones too).
func Select(doc *keystore.Document, sel Selection) ([]keystore.KeyRef, error) {
	named := map[string]bool{}
	for _, id := range sel.KeyIDs {
		if err := validate.KeyID(id); err != nil {
			return nil, err
		}
		ref, ok := doc.Key(id)
		if !ok {
			return nil, &KeyError{KeyID: id, Err: keystore.ErrNotFound}
		}
		if sel.OrgID != "" && ref.Org.ID != sel.OrgID {
			return nil, &KeyError{KeyID: id, OrgID: sel.OrgID, Err: ErrNotInOrg}
		}
		named[id] = true
	}
	var refs []keystore.KeyRef
	for oi := range doc.Organizations {
		o := &doc.Organizations[oi]
		if sel.OrgID != "" && o.ID != sel.OrgID {
			continue
		}
		for ui := range o.ServiceUsers {
			u := &o.ServiceUsers[ui]
			for ki := range u.Keys {
				k := &u.Keys[ki]
				wanted := k.Status == keystore.Active || sel.All
				if len(named) > 0 {
					wanted = named[k.AccessKeyID]
				}
				if wanted {
					refs = append(refs, keystore.KeyRef{Org: o, User: u, Key: k})
				}
			}
		}
	}
	return refs, nil
}

// Key is the live key a stored one stands for: what authclient sends to its organization.
func Key(ref keystore.KeyRef) authclient.Key {
	return authclient.Key{OrgID: ref.Org.ID, APIURL: ref.Org.APIURL, AccessKeyID: ref.Key.AccessKeyID, Secret: ref.Key.Secret.Reveal()}
}

// Result is one live result to record: the key, what m3ter said, and when.
type Result struct {
	KeyID string
	Live  authclient.Result
	At    time.Time
}

// Record stores each result as its key's last check, in order, and the m3ter service user
// users/me named: learned for the service user the first time, else compared with the learned
// one, and a key that names another one flagged (keystore's SawServiceUser). A key removed
// meanwhile is skipped: the result has nowhere to go. Whether the key was INACTIVE when checked
// is the keystore's to note.
//
// A token-only valid (check --no-verify) is weaker evidence than a result users/me gave:
// it never replaces one, so a key users/me refused does not turn healthy without asking
// users/me again. Every other result replaces the last: a rejected key is dead whatever
// users/me said before, and a token for another organization says so from its claims.
func Record(tx *keystore.Tx, results ...Result) error {
	for _, r := range results {
		if err := record(tx, r); err != nil {
			return err
		}
	}
	return nil
}

func record(tx *keystore.Tx, r Result) error {
	ref, ok := tx.Key(r.KeyID)
	if !ok {
		return nil
	}
	live := r.Live
	if prev := ref.Key.LastCheck; prev != nil && prev.Verified && !live.Verified && live.Class == authclient.Valid {
		return nil
	}
	err := tx.RecordCheck(r.KeyID, keystore.Check{At: r.At.UTC(), Result: live.Class, Verified: live.Verified,
		HTTPStatus: live.HTTPStatus, LatencyMs: live.Latency().Milliseconds(), Message: sanitize.Line(live.Message)})
	if err == nil && live.Class == authclient.Valid && live.ServiceUserID != "" {
		err = tx.SawServiceUser(r.KeyID, sanitize.Text(live.ServiceUserID, 100))
	}
	return err
}

// Tally counts a check's results the way both faces report them: a retired INACTIVE key
// (rejected, as it should be) apart from the rejected ones; the flags besides the result apart.
type Tally struct {
	Valid        int `json:"valid"`
	Rejected     int `json:"rejected"`
	Forbidden    int `json:"forbidden"`
	Undetermined int `json:"undetermined"`
	Stale        int `json:"stale"`
	// Retired INACTIVE keys are counted here, not as rejected; still accepted ones also as valid.
	Retired               int `json:"retired"`
	InactiveStillAccepted int `json:"inactiveStillAccepted"`
	WrongServiceUser      int `json:"wrongServiceUser"`
	Exposed               int `json:"exposed"`
	HandedOutTwice        int `json:"handedOutTwice"`
}

// Counted is one key's result as a Tally counts it.
type Counted struct {
	Outcome                                          outcome.Outcome
	Stale, WrongServiceUser, Exposed, HandedOutTwice bool
}

// Add counts one key.
func (t *Tally) Add(k Counted) {
	switch {
	case k.Outcome.Retired():
		t.Retired++
	case k.Outcome.Class == outcome.Valid:
		t.Valid++
	case k.Outcome.Class == outcome.Rejected:
		t.Rejected++
	case k.Outcome.Class == outcome.Forbidden:
		t.Forbidden++
	default:
		t.Undetermined++
	}
	for _, f := range []struct {
		on bool
		n  *int
	}{{k.Stale, &t.Stale}, {k.Outcome.StillAccepted(), &t.InactiveStillAccepted}, {k.WrongServiceUser, &t.WrongServiceUser},
		{k.Exposed, &t.Exposed}, {k.HandedOutTwice, &t.HandedOutTwice}} {
		if f.on {
			*f.n++
		}
	}
}

// Failing is how many keys m3ter refused: rejected or forbidden, retired keys aside.
func (t Tally) Failing() int { return t.Rejected + t.Forbidden }
