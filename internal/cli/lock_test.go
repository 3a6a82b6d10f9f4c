package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/m3keys/m3keys/keystore"
)

// holdLock holds the store's lock as another m3keys would, until the returned func is called.
func holdLock(t *testing.T, home string) (release func()) {
	t.Helper()
	l := flock.New(filepath.Join(home, keystore.LockFile))
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Unlock() })
	return func() { _ = l.Unlock() }
}

func TestAHeldLockIsWaitedForABoundedTimeWithANotice(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	release := holdLock(t, h.home)
	lock := filepath.Join(h.home, keystore.LockFile)
	for _, args := range [][]string{
		{"--lock-timeout", "2s", "list"},
		{"list", "--lock-timeout", "2s"},
		{"add", "--org", org1, "--user", "etl", "--key-id", "AK-2", "--lock-timeout", "2s"},
	} {
		start := time.Now()
		o := h.run(secret+"\n", args...)
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%v took %s", args, took)
		}
		lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
		if o.code != ExitUsage || len(lines) != 2 {
			t.Fatalf("%v: exit %d, stderr %q; want 2 with a notice and a message", args, o.code, o.stderr)
		}
		if want := "m3keys: waiting for another m3keys that holds " + lock + " — giving up after 2s"; lines[0] != want {
			t.Errorf("notice %q, want %q", lines[0], want)
		}
		if !strings.HasPrefix(lines[1], "m3keys: ") || strings.Count(lines[1], " — ") != 1 ||
			!strings.Contains(lines[1], "--lock-timeout") || !strings.Contains(lines[1], lock) {
			t.Errorf("message %q lacks the m3keys: what — what to do form, the lock path or --lock-timeout", lines[1])
		}
	}
	h.vars["M3KEYS_LOCK_TIMEOUT"] = "200ms"
	if o := h.run("", "list"); o.code != ExitUsage || strings.Contains(o.stderr, "waiting") || !strings.Contains(o.stderr, "200ms") {
		t.Errorf("M3KEYS_LOCK_TIMEOUT=200ms: exit %d %q", o.code, o.stderr)
	}
	release()
	if _, ok := h.store().Key("AK-2"); ok {
		t.Error("a key was stored while the lock was held")
	}
}

func TestALockReleasedInTimeLetsTheCommandFinish(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	release := holdLock(t, h.home)
	time.AfterFunc(1300*time.Millisecond, release)
	o := h.run(secret+"\n", "add", "--org", org1, "--user", "etl", "--key-id", "AK-2")
	if o.code != 0 || !strings.Contains(o.stderr, "waiting for another m3keys") || !strings.Contains(o.stderr, "giving up after 10s") {
		t.Fatalf("exit %d %q", o.code, o.stderr)
	}
	if _, ok := h.store().Key("AK-2"); !ok {
		t.Error("key not stored once the lock was free")
	}
}

func TestBadLockTimeoutIsAUsageError(t *testing.T) {
	for _, v := range []string{"-1s", "soon", "2h"} {
		h := newHarness(t)
		o := h.run(secret+"\n", "add", "--org", org1, "--user", "u", "--key-id", "AK-1", "--lock-timeout", v)
		if o.code != ExitUsage || !strings.Contains(o.stderr, "--lock-timeout") {
			t.Errorf("%s: exit %d %q", v, o.code, o.stderr)
		}
		if _, err := os.Stat(h.home); err == nil {
			t.Errorf("%s: a store was created", v)
		}
	}
}
