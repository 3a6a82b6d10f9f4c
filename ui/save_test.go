package ui

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// addKeyTyped opens the add-key form for new-integration with a key typed in, focus on the last field.
func addKeyTyped(t *testing.T) (*harness, *keystore.Store) {
	t.Helper()
	h, store := openAcme(t)
	h.selectRow("new-integration")
	h.press("a")
	h.typeText("AK-NEW-1")
	h.press("tab")
	h.typeText(testSecret)
	h.press("tab")
	return h, store
}

var lockTimeout = &keystore.LockTimeoutError{Path: "/s/lock", PID: 4242, Timeout: 10 * time.Second}

// Issue 7 item 3: a save that waits for another m3keys says so after a second, and when
// it gives up the form stays open with what was typed and why.
func TestSaveWaitingForTheLockThenFailing(t *testing.T) {
	h, store := addKeyTyped(t)
	h.app.c.store = failingStore{Store: store, err: lockTimeout}
	_, save := h.app.Update(keyMsg("enter")) // the save is in flight until its command runs
	h.wantNotView("waiting for another m3keys")
	h.send(saveSlowMsg{id: h.app.saves.next})
	h.wantView("waiting for another m3keys…")
	h.run(save)
	h.wantNotView("waiting for another m3keys")
	if !on[*formScreen[*addKeyForm]](h) {
		t.Fatalf("the form closed on a failed save:\n%s", h.view())
	}
	h.wantView("another m3keys (pid 4242) is using the store")
	if got := h.addKey().form.value(fieldKeyID); got != "AK-NEW-1" {
		t.Errorf("the typed key ID is gone: %q", got)
	}
	h.app.c.store = store // the other m3keys is done: enter again saves
	h.press("enter")
	h.wantView("added AK-NEW-1 to new-integration")
}

// A change is never dropped silently: esc while it waits leaves the form, and the
// outcome is told on the screen the user went to.
func TestSaveFailingAfterEscSaysWhatWasNotSaved(t *testing.T) {
	h, store := addKeyTyped(t)
	h.app.c.store = failingStore{Store: store, err: lockTimeout}
	_, save := h.app.Update(keyMsg("enter"))
	h.press("esc")
	if !on[*orgScreen](h) {
		t.Fatal("esc did not leave the form")
	}
	h.run(save)
	h.wantView("not saved: add key AK-NEW-1 to new-integration", "another m3keys (pid 4242) is using the store")
}

func TestSaveSucceedingAfterEscSaysSo(t *testing.T) {
	h, _ := addKeyTyped(t)
	_, save := h.app.Update(keyMsg("enter"))
	h.press("esc")
	h.run(save)
	h.wantView("saved: added AK-NEW-1 to new-integration", "AK-NEW-1")
}

// A slow notice for a save already finished is ignored.
func TestSaveSlowNoticeAfterTheSaveIsIgnored(t *testing.T) {
	h, _ := openAcme(t)
	h.press("s", "y")
	h.send(saveSlowMsg{id: h.app.saves.next})
	h.wantNotView("waiting for another m3keys")
}

// A form whose save is in flight takes enter as nothing: the change is submitted once,
// and enter works again when the save is refused.
func TestFormSubmitsOnceWhileSaving(t *testing.T) {
	h, store := addKeyTyped(t)
	h.app.c.store = failingStore{Store: store, err: lockTimeout}
	_, save := h.app.Update(keyMsg("enter"))
	_, again := h.app.Update(keyMsg("enter"))
	if n := len(h.app.saves.inFlight); n != 1 {
		t.Fatalf("%d saves in flight after enter twice, want 1", n)
	}
	if again != nil {
		t.Error("the second enter started something")
	}
	if h.app.c.keys.Submit.Enabled() {
		t.Error("enter is advertised while the save is in flight")
	}
	h.run(save)
	if h.addKey().form.saving || !h.app.c.keys.Submit.Enabled() {
		t.Fatal("enter does not work again after the save was refused")
	}
	h.app.c.store = store
	h.press("enter")
	if !on[*orgScreen](h) {
		t.Fatalf("the form did not save on a second try:\n%s", h.view())
	}
}

// NewVault passes its options to the store: a save waits only as long as the lock timeout given.
func TestVaultPassesTheLockTimeout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	if _, err := keystore.Create(dir, passphrase); err != nil {
		t.Fatal(err)
	}
	s, err := NewVault(dir, keystore.WithLockTimeout(50*time.Millisecond)).Unlock(passphrase)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, keystore.LockFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = s.Update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: orgA, APIURL: validate.DefaultAPIURL})
	})
	var timeout *keystore.LockTimeoutError
	if !errors.As(err, &timeout) {
		t.Fatalf("save with the lock held: %v, want a lock timeout", err)
	}
	if timeout.Timeout != 50*time.Millisecond {
		t.Fatalf("the save timed out after %v, want the 50ms given", timeout.Timeout)
	}
	// The error says which timeout applied; the clock is only a hang guard, short of the default.
	if took := time.Since(start); took > keystore.DefaultLockTimeout*3/4 {
		t.Fatalf("the save waited %v: the lock timeout was not passed", took)
	}
}
