package ui

import (
	"errors"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/keystore"
)

// c asks, naming the key and where it is deployed; nothing is marked or written before y.
func TestCopyAsksFirst(t *testing.T) {
	h, store, fake, _ := copyHarness(t)
	if err := store.Update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-BILLING-NEW", "billing-sync on prod") }); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.app.rebuild()
	h.press("c")
	h.wantView("Hand out the secret of AK-BILLING-NEW once?", "Deployed to: billing-sync on prod.", "refuses to hand it out again")
	if fake.Writes() != 0 || !copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("c wrote the clipboard or marked the secret before the answer")
	}
	h.press("n")
	h.wantNotView("Hand out the secret")
	if fake.Writes() != 0 || !copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("n handed the secret out")
	}
	h.press("c", "esc")
	if fake.Writes() != 0 || !copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("esc handed the secret out")
	}
	h.press("c", "y")
	if !fake.Holds(testSecret+"2") || copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("y did not hand the secret out")
	}
}

// watchCall is one detached clearer the TUI would have started.
type watchCall struct {
	hash         clipboard.Hash
	timeout      time.Duration
	writesBefore int // clipboard writes when it started
	stopped      bool
}

type watchStop struct {
	calls *[]watchCall
	i     int
}

func (s watchStop) Stop() { (*s.calls)[s.i].stopped = true }

func watchClearers(h *harness, fake *clipboard.Fake) *[]watchCall {
	var calls []watchCall
	h.app.c.deps.WatchClearer = func(cb Clipboard, hash clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error) {
		calls = append(calls, watchCall{hash: hash, timeout: timeout, writesBefore: fake.Writes()})
		return watchStop{&calls, len(calls) - 1}, nil
	}
	return &calls
}

// The TUI's copy is also cleared by a detached clearer that outlives it, started before the
// write: killed at any instant after the write, the TUI leaves a clearer behind.
func TestCopyStartsTheDetachedClearerBeforeTheWrite(t *testing.T) {
	h, _, fake, now := copyHarness(t)
	calls := watchClearers(h, fake)
	h.press("c", "y")
	if len(*calls) != 1 {
		t.Fatalf("%d clearers started, want 1", len(*calls))
	}
	c := (*calls)[0]
	if c.hash != clipboard.Sum(testSecret+"2") || c.timeout != 30*time.Second+clearerGrace || c.writesBefore != 0 || c.stopped {
		t.Fatalf("clearer: right hash %v, timeout %v, %d writes before it, stopped %v; want the secret's hash, 35s, before the write, running",
			c.hash == clipboard.Sum(testSecret+"2"), c.timeout, c.writesBefore, c.stopped)
	}
	// The TUI clears on time itself, then stops the clearer: it would clear a later OSC 52 copy blindly.
	*now = now.Add(30 * time.Second)
	h.send(clipTickMsg{seq: h.app.clip.seq})
	if !fake.Empty() || !(*calls)[0].stopped {
		t.Fatalf("after the timeout: clipboard empty %v, clearer stopped %v", fake.Empty(), (*calls)[0].stopped)
	}
}

func TestCopyStopsTheDetachedClearerWhenTheWriteFails(t *testing.T) {
	h, _, fake, _ := copyHarness(t)
	calls := watchClearers(h, fake)
	fake.FailWrites(errors.New("xclip: exit status 1"))
	h.press("c", "y")
	if len(*calls) != 1 || !(*calls)[0].stopped {
		t.Fatalf("clearers %+v; want one, stopped", *calls)
	}
}

// Quitting (q, ctrl+c, a hang-up) clears the clipboard and stops the clearer; with
// --clip-timeout 0 the clearer still starts, to clear when the TUI ends.
func TestQuitStopsTheDetachedClearer(t *testing.T) {
	h, _, fake, _ := copyHarness(t)
	h.app.c.deps.ClipTimeout = 0
	calls := watchClearers(h, fake)
	h.press("c", "y")
	if len(*calls) != 1 || (*calls)[0].timeout != 0 {
		t.Fatalf("clearers %+v; want one that waits for the TUI to end", *calls)
	}
	h.press("ctrl+c")
	if !h.quit || !fake.Empty() || !(*calls)[0].stopped {
		t.Fatalf("quit %v, clipboard empty %v, clearer stopped %v", h.quit, fake.Empty(), (*calls)[0].stopped)
	}
}
