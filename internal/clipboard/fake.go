package clipboard

import "sync"

// Fake is an in-memory clipboard for tests, here and in other packages: it reads back, counts
// writes and clears, and fails when told. With Blind set it behaves like OSC 52 and clears
// without looking. Safe for use from several goroutines.
type Fake struct {
	Blind bool // set before use

	mu       sync.Mutex
	text     string
	writes   int
	clears   int
	writeErr error
}

var _ Clipboard = (*Fake)(nil)

// Mode is OSC52 when Blind, else System.
func (f *Fake) Mode() Mode {
	if f.Blind {
		return OSC52
	}
	return System
}

// Write puts text on the fake clipboard, unless FailWrites told it to fail.
func (f *Fake) Write(text string) (Hash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.writeErr != nil {
		return Hash{}, f.writeErr
	}
	f.text = text
	f.writes++
	return Sum(text), nil
}

// ClearIfUnchanged empties it when it still holds what h names, or always when Blind.
func (f *Fake) ClearIfUnchanged(h Hash) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.Blind && Sum(f.text) != h {
		return false, nil
	}
	f.text = ""
	f.clears++
	return true, nil
}

// Set plays another program copying text.
func (f *Fake) Set(text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
}

// Holds says whether the clipboard holds exactly text; tests ask this rather than print it.
func (f *Fake) Holds(text string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text == text
}

// Empty says whether the clipboard holds nothing.
func (f *Fake) Empty() bool { return f.Holds("") }

// Writes counts the writes that succeeded.
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// Clears counts the clears that happened.
func (f *Fake) Clears() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clears
}

// FailWrites makes every later Write fail with err (nil: succeed again).
func (f *Fake) FailWrites(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeErr = err
}
