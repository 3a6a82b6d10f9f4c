package ui

import (
	"strings"
	"testing"

	"github.com/m3keys/m3keys/keystore"
)

func TestUnlockWithPassphraseFromEnvironmentSkipsTheScreen(t *testing.T) {
	h, _ := unlocked(t)
	h.wantView("Acme production", "Acme staging")
}

func TestUnlockTyped(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}})
	h.wantView("Unlock your keystore", "Passphrase")
	h.typeText(passphrase)
	h.wantNotView(passphrase) // masked
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("still locked:\n%s", h.view())
	}
	h.wantView("Acme production")
}

func TestUnlockWrongPassphraseStaysWithAClearMessage(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}})
	h.typeText("wrong passphrase")
	h.press("enter")
	if !on[*unlockScreen](h) {
		t.Fatal("a wrong passphrase unlocked the store")
	}
	h.wantView("incorrect passphrase", "type it again")
	if v := h.unlock().form.raw(0); v != "" {
		t.Errorf("field keeps the wrong passphrase %q", v)
	}
	h.typeText(passphrase) // and the next try works
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("second try did not unlock:\n%s", h.view())
	}
}

func TestUnlockWrongPassphraseFromEnvironmentShowsTheScreen(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Passphrase: "not it"})
	if !on[*unlockScreen](h) {
		t.Fatal("wrong $M3KEYS_PASSPHRASE unlocked the store")
	}
	h.wantView("$M3KEYS_PASSPHRASE did not open the keystore", "incorrect passphrase")
}

func TestUnlockEmptyPassphraseIsNotTried(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault})
	h.press("enter")
	h.wantView("type your passphrase first")
	if h.unlock().busy {
		t.Error("an empty passphrase was sent to the store")
	}
}

func TestCreateStoreOnFirstRun(t *testing.T) {
	vault := NewVault(t.TempDir() + "/new")
	h := newHarness(t, Deps{Vault: vault})
	h.wantView("Create your keystore", "Confirm")
	h.typeText("one two three")
	h.press("enter") // moves to the confirmation
	h.typeText("one two four")
	h.press("enter")
	h.wantView("the two passphrases differ")
	if vault.Exists() {
		t.Fatal("created a store with mismatched passphrases")
	}
	if h.unlock().form.focus != 0 {
		t.Error("focus did not go back to the first field")
	}
	h.typeText("the same one")
	h.press("tab")
	h.typeText("the same one")
	h.press("enter")
	if !vault.Exists() || !on[*orgsScreen](h) {
		t.Fatalf("store not created:\n%s", h.view())
	}
	h.wantView("No organizations yet")
}

func TestUnlockKeys(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault})
	h.typeText("q?")
	if h.quit || h.app.stack.over != nil {
		t.Fatal("q or ? in the passphrase field did more than type")
	}
	if got := h.unlock().form.raw(0); got != "q?" {
		t.Errorf("field holds %q", got)
	}
	h.press("esc")
	if !h.quit {
		t.Error("esc on the unlock screen does not leave")
	}
	h = newHarness(t, Deps{Vault: vault})
	h.press("ctrl+c")
	if !h.quit {
		t.Error("ctrl+c does not quit")
	}
	help := h.app.c.keys.helpLine(h.app.help, 80)
	for _, want := range []string{"enter", "esc", "quit"} {
		if !strings.Contains(help, want) {
			t.Errorf("help line %q lacks %q", help, want)
		}
	}
}

// namedVault shows a fixed directory, for goldens.
type namedVault struct {
	Vault
	dir string
}

func (v namedVault) Dir() string { return v.dir }

// Issue 8 item 10: the create screen says where the store goes, and a new passphrase
// shorter than 8 characters is refused on the spot (enter on an empty one moved on silently).
func TestCreateStoreRefusesAShortPassphrase(t *testing.T) {
	dir := t.TempDir() + "/where-it-goes"
	vault := NewVault(dir)
	h := newHarness(t, Deps{Vault: vault})
	if v := strings.ReplaceAll(flat(h.view()), " ", ""); !strings.Contains(v, dir) { // wrapped, never cut
		t.Fatalf("the create screen does not say where:\n%s", h.view())
	}
	h.press("enter")
	h.wantView("type a passphrase first: at least 8 characters")
	if h.unlock().form.focus != 0 {
		t.Fatal("enter on an empty new passphrase moved on")
	}
	h.typeText("seven77")
	h.press("tab")
	h.wantView("too short: 7 characters; a new passphrase needs at least 8")
	if h.unlock().form.focus != 0 {
		t.Fatal("a short passphrase moved on to the confirmation")
	}
	if typed := h.unlock().form.raw(0); typed != "" {
		t.Fatalf("the refused passphrase stays in the field (%d characters): retyping would append to it", len(typed))
	}
	h.typeText("seven77")
	h.press("shift+tab") // round to the confirmation some other way: still refused on submit
	h.typeText("seven77")
	h.press("enter")
	h.wantView("too short")
	if vault.Exists() {
		t.Fatal("created a store with a 7-character passphrase")
	}
	h.typeText("seven778")
	h.press("enter")
	h.wantNotView("too short")
	h.typeText("seven778")
	h.press("enter")
	if !vault.Exists() {
		t.Fatalf("not created with 8 characters:\n%s", h.view())
	}
}

// Stores made before the rule keep opening with their short passphrase.
func TestUnlockTakesAnExistingShortPassphrase(t *testing.T) {
	dir := t.TempDir() + "/old"
	if _, err := keystore.Create(dir, "abc"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Vault: NewVault(dir)})
	h.typeText("abc")
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("a short passphrase of an existing store was refused:\n%s", h.view())
	}
}

// A removed (or not yet added) team member's passphrase is right: the screen says why the
// store does not open, with the recipient line whole, to send to a member.
func TestUnlockNotAMemberIsNotAWrongPassphrase(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}})
	const recipient = "age1xtcye802gt2a2rwkxl25tr8hp8vzksurqrscxg77qz2wyzrrzpzq244mql"
	h.unlock().failed(unlockFailedMsg{err: &keystore.UnlistedError{Recipient: recipient}, fromEnv: true})
	h.wantView(recipient)
	h.wantNotView("did not open", "incorrect passphrase")
}
