package ui

import (
	"strings"
	"testing"
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
	if h.app.current != screenOrgs {
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
	if h.app.current != screenUnlock {
		t.Fatal("a wrong passphrase unlocked the store")
	}
	h.wantView("incorrect passphrase", "type it again")
	if v := h.app.unlock.form.raw(0); v != "" {
		t.Errorf("field keeps the wrong passphrase %q", v)
	}
	h.typeText(passphrase) // and the next try works
	h.press("enter")
	if h.app.current != screenOrgs {
		t.Fatalf("second try did not unlock:\n%s", h.view())
	}
}

func TestUnlockWrongPassphraseFromEnvironmentShowsTheScreen(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Passphrase: "not it"})
	if h.app.current != screenUnlock {
		t.Fatal("wrong $M3KEYS_PASSPHRASE unlocked the store")
	}
	h.wantView("$M3KEYS_PASSPHRASE did not open the keystore", "incorrect passphrase")
}

func TestUnlockEmptyPassphraseIsNotTried(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault})
	h.press("enter")
	h.wantView("type your passphrase first")
	if h.app.unlock.busy {
		t.Error("an empty passphrase was sent to the store")
	}
}

func TestCreateStoreOnFirstRun(t *testing.T) {
	vault := NewVault(t.TempDir() + "/new")
	h := newHarness(t, Deps{Vault: vault})
	h.wantView("Create your keystore", "Confirm")
	h.typeText("one")
	h.press("enter") // moves to the confirmation
	h.typeText("two")
	h.press("enter")
	h.wantView("the two passphrases differ")
	if vault.Exists() {
		t.Fatal("created a store with mismatched passphrases")
	}
	if h.app.unlock.form.focus != 0 {
		t.Error("focus did not go back to the first field")
	}
	h.typeText("same")
	h.press("tab")
	h.typeText("same")
	h.press("enter")
	if !vault.Exists() || h.app.current != screenOrgs {
		t.Fatalf("store not created:\n%s", h.view())
	}
	h.wantView("No organizations yet")
}

func TestUnlockKeys(t *testing.T) {
	vault, _ := newTestStore(t)
	h := newHarness(t, Deps{Vault: vault})
	h.typeText("q?")
	if h.quit || h.app.overlay != overlayNone {
		t.Fatal("q or ? in the passphrase field did more than type")
	}
	if got := h.app.unlock.form.raw(0); got != "q?" {
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
	help := h.app.helpLine(80)
	for _, want := range []string{"enter", "esc", "quit"} {
		if !strings.Contains(help, want) {
			t.Errorf("help line %q lacks %q", help, want)
		}
	}
}
