package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// elsewhere is the store as another m3keys process has it: a second handle on the directory.
func elsewhere(t *testing.T, h *harness) *keystore.Store {
	t.Helper()
	other, err := keystore.Open(h.app.c.deps.Vault.Dir(), passphrase)
	if err != nil {
		t.Fatal(err)
	}
	other.SetClock(clock)
	return other
}

func change(t *testing.T, s *keystore.Store, f func(tx *keystore.Tx) error) {
	t.Helper()
	if err := s.Update(f); err != nil {
		t.Fatal(err)
	}
}

type scheduled struct {
	d   time.Duration
	msg tea.Msg
}

// recordAfter makes the app's timers a list the test reads; nothing fires by itself.
func recordAfter(h *harness) *[]scheduled {
	var got []scheduled
	h.app.c.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		got = append(got, scheduled{d, msg})
		return nil
	}
	return &got
}

func wantTick(t *testing.T, got []scheduled) {
	t.Helper()
	for _, s := range got {
		if _, ok := s.msg.(reloadTickMsg); ok {
			if s.d <= 0 || s.d > 2*time.Second {
				t.Fatalf("the next look is in %v; a change must show within 2s", s.d)
			}
			return
		}
	}
	t.Fatalf("no look scheduled: %+v", got)
}

func TestReloadStartsWhenTheStoreOpens(t *testing.T) {
	vault, store := newTestStore(t)
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}})
	ticks := recordAfter(h)
	h.typeText(passphrase)
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("still locked:\n%s", h.view())
	}
	wantTick(t, *ticks)
}

func TestReloadShowsAnotherProcessesChangeWithoutAKeypress(t *testing.T) {
	h, _ := openAcme(t)
	h.press("down", "down")
	h.wantSelected("AK-REPORTS")
	other := elsewhere(t, h)
	change(t, other, func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddKey(orgA, "new-integration", keystore.NewKey{AccessKeyID: "AK-FROM-CLI", Secret: secret(t, testSecret+"5"), CreatedAt: testNow}),
			tx.MarkSecretCopied("AK-BILLING-NEW"),
			tx.SetStatus("AK-BILLING-OLD", keystore.Inactive, false),
			tx.RemoveKey("AK-BILLING-OLD"), // the rows above the cursor move up
		)
	})
	h.wantNotView("AK-FROM-CLI")
	ticks := recordAfter(h)
	h.send(reloadTickMsg{})
	h.wantView("AK-FROM-CLI")
	h.wantNotView("AK-BILLING-OLD", "billing-sync · 2/2")
	if row := rowOf(h.view(), "AK-BILLING-NEW"); !strings.Contains(row, "copied") {
		t.Fatalf("a secret handed out elsewhere does not show as copied: %q", row)
	}
	h.wantSelected("AK-REPORTS") // the cursor stays on its key
	wantTick(t, *ticks)
}

func TestReloadKeepsAFormInProgress(t *testing.T) {
	h, _ := openAcme(t)
	h.press("down", "down", "a")
	h.typeText("AK-TYPED")
	change(t, elsewhere(t, h), func(tx *keystore.Tx) error { return tx.AddUser(orgA, "from-cli") })
	h.send(reloadTickMsg{})
	if got := h.addKey().form.raw(0); got != "AK-TYPED" {
		t.Fatalf("the form holds %q after a reload, want AK-TYPED", got)
	}
	h.press("esc")
	h.wantView("from-cli")
}

func TestReloadDroppedDuringASaveComesWithTheNextLook(t *testing.T) {
	h, _ := openAcme(t)
	change(t, elsewhere(t, h), func(tx *keystore.Tx) error { return tx.AddUser(orgA, "from-cli") })
	h.app.saves.inFlight = map[int]bool{99: false} // a save of ours in flight
	h.send(reloadTickMsg{})
	h.wantNotView("from-cli")
	delete(h.app.saves.inFlight, 99) // its document was lost (say): the next look still brings the change
	h.send(reloadTickMsg{})
	h.wantView("from-cli")
}

func TestReloadOfAnUnchangedStoreKeepsTheDocument(t *testing.T) {
	h, _ := openAcme(t)
	doc := h.app.c.doc
	h.send(reloadTickMsg{})
	if h.app.c.doc != doc {
		t.Fatal("an unchanged store replaced the document on screen")
	}
}

// rowOf is the line of the view that shows id.
func rowOf(view, id string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, id) {
			return l
		}
	}
	return ""
}
