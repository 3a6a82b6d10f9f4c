// Package handout lets an API secret leave the store once, as m3ter's Console shows it once:
// every extra copy is a leak to audit. The CLI (copy, secret, secret -- COMMAND) and the TUI
// (c) ask, then call Desk.HandOut with where the secret goes — a Sink — and render what comes
// back; the order lives here only: mark the secret as handed out and persist that, deliver it,
// and take the mark back when the delivery fails. A crash can lose a hand-out, never make two.
package handout

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// Store is the keystore the mark is saved in (a *keystore.Store).
type Store interface {
	Update(change func(*keystore.Tx) error) error
}

// Sink is where a granted secret goes: the clipboard, stdout, a command's stdin.
type Sink interface {
	// To names where, for the history event of a delivery that failed: "clipboard", "stdout", "command gh".
	To() string
	// Deliver hands the secret over; an error means it did not arrive, and the mark is taken back.
	// It must never put the secret in its error.
	Deliver(secret string) error
}

// Team is what a team store adds around a hand-out, so that once stays once team-wide:
// before the mark, sync (bounded) and refuse a key the remote shows handed out; after a
// delivery, push the mark at once. Nil for a single store.
type Team interface {
	// BeforeMark refuses a hand-out the remote shows made already, or that cannot be checked;
	// unconfirmed grants one the remote could not be asked about (the member chose offline).
	BeforeMark(keyID string) (unconfirmed bool, err error)
	AfterDelivery(keyID string) error
}

// Desk hands secrets out of one store.
type Desk struct {
	Store Store
	Team  Team // nil: a single store
}

// Granted is a hand-out that happened.
type Granted struct {
	KeyID    string
	Inactive bool // the key is INACTIVE here: an integration should use the ACTIVE one
	// Unconfirmed: handed out offline, the remote not asked whether another member came first.
	Unconfirmed bool
	// TeamErr is why the granted hand-out could not be pushed to the team (Team.AfterDelivery).
	TeamErr error
}

// AlreadyHandedOut refuses a second hand-out; it is keystore.ErrSecretAlreadyCopied.
type AlreadyHandedOut struct {
	KeyID string
	At    time.Time // the first hand-out
	By    string    // who made it, in a team store; "" when the store does not say
}

func (e *AlreadyHandedOut) Error() string {
	by := ""
	if e.By != "" {
		by = " by " + sanitize.Line(e.By) + ","
	}
	return fmt.Sprintf("the secret of %s was already handed out,%s on %s", e.KeyID, by, e.At.Format("2006-01-02 15:04 MST"))
}

func (e *AlreadyHandedOut) Unwrap() error { return keystore.ErrSecretAlreadyCopied }

// Undelivered is a hand-out that was granted and marked, whose delivery failed. The mark was
// taken back unless RollbackErr says why not.
type Undelivered struct {
	KeyID, To   string
	Err         error // the sink's
	RollbackErr error // the store still says the secret was handed out
}

func (e *Undelivered) Error() string {
	s := fmt.Sprintf("the secret of %s did not reach %s: %s", e.KeyID, e.To, sanitize.Line(e.Err.Error()))
	if e.RollbackErr != nil {
		s += "; and the store still says it was handed out: " + sanitize.Line(e.RollbackErr.Error())
	}
	return s
}

func (e *Undelivered) Unwrap() error { return e.Err }

// RolledBack says whether the mark was taken back, so the secret can be handed out again.
func (e *Undelivered) RolledBack() bool { return e.RollbackErr == nil }

// NotCommitted is a hand-out whose mark was saved but could not be committed to the team's
// git repository (a leftover lock, git missing, no author): nothing was delivered, and the
// mark was taken back unless RollbackErr says why not. A secret that left without a commit
// would be a hand-out the team cannot see.
type NotCommitted struct {
	KeyID       string
	Err         error // the save's: keystore.ErrNotCommitted and git's reason
	RollbackErr error
}

func (e *NotCommitted) Error() string {
	// keystore's wording says the change is saved; here it is taken back: keep git's reason only.
	why, _ := strings.CutPrefix(e.Err.Error(), "the change is saved, but "+keystore.ErrNotCommitted.Error()+": ")
	s := fmt.Sprintf("the hand-out of %s could not be committed to the team's git repository: %s", e.KeyID, sanitize.Line(why))
	if e.RollbackErr != nil {
		s += "; and the store still says it was handed out: " + sanitize.Line(e.RollbackErr.Error())
	}
	return s
}

func (e *NotCommitted) Unwrap() error { return e.Err }

// RolledBack says whether the mark was taken back, so the secret can be handed out again.
func (e *NotCommitted) RolledBack() bool { return e.RollbackErr == nil }

// HandOut grants keyID's secret once and delivers it to sink. Refusals: keystore.ErrNotFound
// (no such key), *AlreadyHandedOut, and whatever Team.BeforeMark refuses; none of them
// delivers anything. A failed delivery is *Undelivered.
func (d Desk) HandOut(keyID string, sink Sink) (Granted, error) {
	g := Granted{KeyID: keyID}
	if d.Team != nil {
		var err error
		if g.Unconfirmed, err = d.Team.BeforeMark(keyID); err != nil {
			return g, err
		}
	}
	var secret string
	err := d.Store.Update(func(tx *keystore.Tx) error {
		ref, ok := tx.Key(keyID)
		if !ok {
			return fmt.Errorf("access key %s: %w", keyID, keystore.ErrNotFound)
		}
		if ref.Key.SecretCopied() {
			return &AlreadyHandedOut{KeyID: keyID, At: ref.Key.SecretCopiedAt, By: ref.Key.HandedOutBy()}
		}
		secret, g.Inactive = ref.Key.Secret.Reveal(), ref.Key.Status != keystore.Active
		if g.Unconfirmed {
			return tx.MarkSecretCopiedUnconfirmed(keyID)
		}
		return tx.MarkSecretCopied(keyID)
	})
	if errors.Is(err, keystore.ErrNotCommitted) {
		// Roll back rather than deliver: the team could not see this hand-out.
		rerr := d.unmark(keyID, "not committed to the team's git repository")
		return g, &NotCommitted{KeyID: keyID, Err: err, RollbackErr: rerr}
	}
	if err != nil {
		return g, err
	}
	if derr := sink.Deliver(secret); derr != nil {
		rerr := d.unmark(keyID, sink.To()+": "+sanitize.Line(derr.Error()))
		return g, &Undelivered{KeyID: keyID, To: sink.To(), Err: derr, RollbackErr: rerr}
	}
	if d.Team != nil {
		g.TeamErr = d.Team.AfterDelivery(keyID)
	}
	return g, nil
}

// unmark takes the mark back. A rollback saved but not committed is done: the store says
// "not handed out" again, as the last commit does, and the next commit takes it in.
func (d Desk) unmark(keyID, why string) error {
	err := d.Store.Update(func(tx *keystore.Tx) error { return tx.UnmarkSecretCopied(keyID, why) })
	if errors.Is(err, keystore.ErrNotCommitted) {
		return nil
	}
	return err
}
