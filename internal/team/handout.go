package team

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/handout"
)

// HandOutTimeout bounds the sync before a hand-out and the push after it: a member waits
// that long at most to learn whether another member handed the secret out first.
const HandOutTimeout = 10 * time.Second

// HandOut is handout.Team for a team store: once is once team-wide. Before the mark it syncs,
// so the store holds every hand-out the remote knows of and the desk refuses a second one;
// after the delivery it pushes the mark at once.
type HandOut struct {
	Dir string
	// Offline grants a hand-out when the remote cannot be reached, recorded as unconfirmed.
	Offline bool
	// Sync is how to sync (Unlock, Known, Lock, Waiting, Context); its Context is bounded
	// further by Timeout.
	Sync    SyncOptions
	Timeout time.Duration // HandOutTimeout when 0
}

var _ handout.Team = HandOut{}

// UnreachableError refuses a hand-out the remote could not be asked about: only the member
// can decide to hand it out offline.
type UnreachableError struct {
	KeyID string
	Err   error
}

func (e *UnreachableError) Error() string {
	why := strings.TrimPrefix(e.Err.Error(), ErrUnreachable.Error()+": ")
	return fmt.Sprintf("the remote cannot be reached to check that no other member handed out the secret of %s: %s", e.KeyID, why)
}

func (e *UnreachableError) Unwrap() error { return ErrUnreachable }

// NotSyncedError refuses a hand-out whose sync stopped for another reason (conflicts, a
// recipient change to trust, a refused commit): the store may not hold the team's hand-outs.
type NotSyncedError struct {
	KeyID string
	Err   error
}

func (e *NotSyncedError) Error() string {
	return fmt.Sprintf("the team store could not be synced before handing out the secret of %s: %v", e.KeyID, e.Err)
}

func (e *NotSyncedError) Unwrap() error { return e.Err }

// BeforeMark syncs, bounded by Timeout. A store with no remote has no one to race.
func (h HandOut) BeforeMark(keyID string) (unconfirmed bool, err error) {
	_, err = h.sync()
	switch {
	case err == nil, errors.Is(err, ErrNoRemote):
		return false, nil
	case errors.Is(err, ErrUnreachable) && h.Offline:
		return true, nil
	case errors.Is(err, ErrUnreachable):
		return false, &UnreachableError{KeyID: keyID, Err: err}
	}
	return false, &NotSyncedError{KeyID: keyID, Err: err}
}

// AfterDelivery pushes the mark; an error means the hand-out is recorded here only, and the
// next sync pushes it.
func (h HandOut) AfterDelivery(string) error {
	_, err := h.sync()
	if errors.Is(err, ErrNoRemote) {
		return nil
	}
	return err
}

func (h HandOut) sync() (Result, error) {
	parent := h.Sync.Context
	if parent == nil {
		parent = context.Background()
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = HandOutTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	opts := h.Sync
	opts.Context = ctx
	r, err := Sync(h.Dir, opts)
	if err != nil && ctx.Err() == context.DeadlineExceeded && !errors.Is(err, ErrUnreachable) {
		err = fmt.Errorf("%w: no answer within %s: %w", ErrUnreachable, timeout, err)
	}
	return r, err
}
