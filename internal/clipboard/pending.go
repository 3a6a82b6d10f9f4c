package clipboard

import "time"

// Pending is what the last copy left on the clipboard — its hash, never the text — and when it
// is to be cleared. It starts no timer: a long-running program (the TUI) asks Due and Remaining
// on its own ticks, and calls ClearIfUnchanged then, on quit, and on a signal. The zero value
// holds nothing. It is a small value, safe to copy into a command that runs elsewhere.
type Pending struct {
	cb       Clipboard
	hash     Hash
	deadline time.Time // zero: never cleared by time
	clearer  Stopper   // the detached clearer that clears it if this process cannot
}

// NewPending remembers that text with hash h went to cb at now; timeout 0 means never clear by time.
func NewPending(cb Clipboard, h Hash, now time.Time, timeout time.Duration) Pending {
	p := Pending{cb: cb, hash: h}
	if timeout > 0 {
		p.deadline = now.Add(timeout)
	}
	return p
}

// WithClearer is p with the detached clearer that waits to clear the same copy: once p is
// cleared here, that clearer is stopped (it would clear blindly a later OSC 52 copy).
func (p Pending) WithClearer(c Stopper) Pending {
	p.clearer = c
	return p
}

// Held says whether a copy is waiting to be cleared.
func (p Pending) Held() bool { return p.cb != nil }

// Remaining is the time left before Due, rounded up to whole seconds for a countdown
// ("clipboard clears in 23s"); ok is false when nothing is held or it is never cleared by time.
func (p Pending) Remaining(now time.Time) (left time.Duration, ok bool) {
	if !p.Held() || p.deadline.IsZero() {
		return 0, false
	}
	left = p.deadline.Sub(now)
	if left <= 0 {
		return 0, true
	}
	return (left + time.Second - 1).Truncate(time.Second), true
}

// Due says whether the timeout has run out.
func (p Pending) Due(now time.Time) bool {
	return p.Held() && !p.deadline.IsZero() && !now.Before(p.deadline)
}

// ClearIfUnchanged empties the clipboard if it still holds this copy (blindly for OSC 52) and
// reports whether it did; it does nothing when nothing is held. Forget the Pending after it.
func (p Pending) ClearIfUnchanged() (cleared bool, err error) {
	if !p.Held() {
		return false, nil
	}
	cleared, err = p.cb.ClearIfUnchanged(p.hash)
	if err == nil && p.clearer != nil {
		p.clearer.Stop()
	}
	return cleared, err
}
