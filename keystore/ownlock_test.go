package keystore_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/keystore"
)

// A save that waits for this process's own team sync (the TUI's, at startup) does not blame
// "another m3keys" with this process's pid.
func TestLockHeldByThisProcessIsNotAnotherM3keys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	s, err := keystore.Create(dir, "pass phrase here", keystore.WithLockTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	held, err := keystore.LockStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Unlock()
	err = s.Update(func(tx *keystore.Tx) error { return tx.AddUser("x", "y") })
	if !errors.Is(err, keystore.ErrLockTimeout) {
		t.Fatalf("a save while the lock is held = %v, want ErrLockTimeout", err)
	}
	msg := err.Error()
	if strings.Contains(msg, strconv.Itoa(os.Getpid())) || strings.Contains(msg, "another m3keys") || !strings.Contains(msg, "sync") {
		t.Fatalf("the wait for this process's own sync reads %q", msg)
	}
}
