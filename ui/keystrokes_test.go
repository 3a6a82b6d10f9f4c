package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/keystore"
)

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func (h *harness) wantSelected(keyID string) {
	h.t.Helper()
	if u, k := h.org().selected(); k == nil || k.AccessKeyID != keyID {
		h.t.Fatalf("selected %s, want %s", rowName(u, k), keyID)
	}
}

func TestLettersInOneReadAreEachAKeystroke(t *testing.T) {
	h, _ := openAcme(t)
	h.send(runes("jj")) // AK-BILLING-OLD → AK-BILLING-NEW → AK-REPORTS
	h.wantSelected("AK-REPORTS")
	h.send(runes("kk"))
	h.wantSelected("AK-BILLING-OLD")
	h.send(runes("jjj")) // the third move lands on the service user without keys
	if u, k := h.org().selected(); k != nil || u.Name != "new-integration" {
		t.Fatalf("jjj made fewer than three moves: on %+v %+v", u, k)
	}
}

func TestLettersInOneReadReachATextInputTheyOpen(t *testing.T) {
	h, _ := openAcme(t)
	h.send(runes("j/rep")) // one move, then the filter opens and takes the rest as typed
	if q := h.org().list.filter.query(); q != "rep" {
		t.Fatalf("filter holds %q, want rep", q)
	}
	h.send(runes("jk")) // while typing, letters are text, not moves
	if q := h.org().list.filter.query(); q != "repjk" {
		t.Fatalf("filter holds %q, want repjk", q)
	}
}

func TestLettersInOneReadReachAFormWhole(t *testing.T) {
	h, _ := openAcme(t)
	h.press("down", "down") // AK-REPORTS: its user has room for a key
	h.press("a")
	h.send(runes("AKqj?"))
	if got := h.addKey().form.raw(0); got != "AKqj?" {
		t.Fatalf("the form got %q, want the letters whole (q, j and ? are text here)", got)
	}
}

func TestPasteOnAListDoesNothing(t *testing.T) {
	h, store := openAcme(t)
	clip := h.app.c.deps.Clipboard.(*clipboard.Fake)
	for _, p := range []string{"c", "d", "y", "s", "jj", "q", "?"} {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(p), Paste: true})
		h.wantSelected("AK-BILLING-OLD")
		if h.quit || !on[*orgScreen](h) || h.app.stack.over != nil || clip.Writes() != 0 {
			t.Fatalf("a paste of %q acted: quit %v, screen %T, overlay %v, clipboard writes %d", p, h.quit, h.app.stack.top(), h.app.stack.over != nil, clip.Writes())
		}
	}
	if ref, _ := store.Document().Key("AK-BILLING-OLD"); !ref.Key.SecretCopiedAt.IsZero() {
		t.Fatal("a pasted c spent the secret")
	}
}

func TestAltWithSeveralLettersGoesWithTheFirst(t *testing.T) {
	h, _ := openAcme(t)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jj"), Alt: true}) // alt+j does nothing, then j moves
	h.wantSelected("AK-BILLING-NEW")
}

func rowName(u *keystore.ServiceUser, k *keystore.AccessKey) string {
	switch {
	case k != nil:
		return k.AccessKeyID
	case u != nil:
		return "user " + u.Name
	}
	return "nothing"
}

// A letter that asks the root for a screen (a: the add-key form) is carried out before
// the letters after it: they reach the form it opened.
func TestLettersInOneReadReachAScreenTheyOpen(t *testing.T) {
	h, _ := openAcme(t)
	h.press("down", "down") // AK-REPORTS: its user has room for a key
	h.send(runes("aAKj"))
	if !on[*formScreen[*addKeyForm]](h) {
		t.Fatalf("a did not open the form:\n%s", h.view())
	}
	if got := h.addKey().form.raw(0); got != "AKj" {
		t.Fatalf("the form got %q, want AKj", got)
	}
}
