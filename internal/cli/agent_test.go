package cli

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/keystore"
)

// The test binary is also the agent that m3keys unlock starts (agentExecutable is os.Executable).
func init() {
	if len(os.Args) == 2 && os.Args[1] == agent.ServeArg {
		os.Exit(agent.Main())
	}
}

// unlocked is a harness whose store is unlocked by m3keys unlock; the agent is killed at the end.
func unlocked(t *testing.T) *harness {
	t.Helper()
	shortRuntimeDir(t)
	h := newHarness(t)
	if o := h.add("AK-1", "ci-bot"); o.code != 0 {
		t.Fatalf("add: %s", o.stderr)
	}
	h.add("AK-2", "ci-bot")
	o := h.mustRun("", "unlock", "--idle", "10m")
	if !strings.Contains(o.stderr, "is unlocked until") || !strings.Contains(o.stderr, "m3keys lock forgets it") {
		t.Fatalf("unlock said: %s", o.stderr)
	}
	t.Cleanup(func() {
		if cl, err := agent.ForStore(h.home); err == nil {
			_, _ = cl.Lock()
		}
	})
	delete(h.vars, "M3KEYS_PASSPHRASE") // from now on, only the agent opens the store
	return h
}

func TestUnlockListLock(t *testing.T) {
	h := unlocked(t)
	if o := h.mustRun("", "unlock", "--status"); !strings.HasPrefix(o.stdout, "unlocked: "+h.home+" until ") || !strings.Contains(o.stdout, "locks in 10m") {
		t.Fatalf("status: %q", o.stdout)
	}
	if o := h.mustRun("", "list"); !strings.Contains(o.stdout, "AK-1") {
		t.Fatalf("list through the agent: %s", o.stdout)
	}
	// A change through the agent is saved to the store's recipient.
	h.mustRun("", "inactivate", "AK-2")
	if k, _ := h.store().Key("AK-2"); k.Key.Status != keystore.Inactive {
		t.Fatal("the change through the agent was not saved")
	}
	if o := h.mustRun("", CompleteKeysCommand, "AK"); o.stdout != "AK-1\nAK-2\n" {
		t.Fatalf("completion: %q", o.stdout)
	}
	if o := h.mustRun("", "lock"); !strings.Contains(o.stderr, "is locked") {
		t.Fatalf("lock: %s", o.stderr)
	}
	if o := h.mustRun("", "unlock", "--status"); !strings.HasPrefix(o.stdout, "locked: ") || !strings.Contains(o.stdout, "m3keys unlock") {
		t.Fatalf("status after lock: %q", o.stdout)
	}
	o := h.run("", "list")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "m3keys unlock") {
		t.Fatalf("list after lock: %d %s", o.code, o.stderr)
	}
}

func TestCompletionWhileLockedPrintsNothingAndNeverAsks(t *testing.T) {
	shortRuntimeDir(t)
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.term = &fakeTerminal{answers: []string{pass}}
	h.vars = map[string]string{"M3KEYS_HOME": h.home}
	start := time.Now()
	o := h.mustRun("", CompleteKeysCommand)
	if o.stdout != "" || o.stderr != "" || len(h.term.(*fakeTerminal).prompts) != 0 {
		t.Fatalf("locked completion: %q %q prompts %v", o.stdout, o.stderr, h.term.(*fakeTerminal).prompts)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("locked completion took %v", d)
	}
	// With M3KEYS_PASSPHRASE set it still prints nothing: it is never read.
	h.vars["M3KEYS_PASSPHRASE"] = pass
	if o := h.mustRun("", CompleteKeysCommand); o.stdout != "" {
		t.Fatalf("locked completion used M3KEYS_PASSPHRASE: %q", o.stdout)
	}
}

func TestAKilledAgentFallsBackToThePassphrase(t *testing.T) {
	h := unlocked(t)
	pid := agentPID(t, h.home)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond) // the agent is not our child: wait for it to go
	}
	h.vars["M3KEYS_PASSPHRASE"] = pass
	if o := h.mustRun("", "list"); !strings.Contains(o.stdout, "AK-1") {
		t.Fatalf("list after the agent was killed: %s", o.stderr)
	}
	if o := h.mustRun("", CompleteKeysCommand); o.stdout != "" {
		t.Fatalf("completion through a dead agent: %q", o.stdout)
	}
}

func TestPasswdLocksTheAgent(t *testing.T) {
	h := unlocked(t)
	h.term = &fakeTerminal{answers: []string{pass, "a new long passphrase", "a new long passphrase"}}
	h.tty = true
	if o := h.run("", "passwd"); o.code != 0 {
		t.Fatalf("passwd: %s", o.stderr)
	}
	if o := h.mustRun("", "unlock", "--status"); !strings.HasPrefix(o.stdout, "locked: ") {
		t.Fatalf("status after passwd: %q", o.stdout)
	}
}

// agentPID is the agent's process, as it says.
func agentPID(t *testing.T, dir string) int {
	t.Helper()
	cl, err := agent.ForStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := cl.Status()
	if err != nil || st.PID <= 0 {
		t.Fatalf("status: %+v %v", st, err)
	}
	return st.PID
}

// TestTokensAreReusedAcrossCommandsWhileUnlocked: each run has its own process cache (as
// separate m3keys processes do); the agent holds the token between them. check asks afresh.
func TestTokensAreReusedAcrossCommandsWhileUnlocked(t *testing.T) {
	shortRuntimeDir(t)
	h, fake := checkFixture(t)
	h.mustRun("", "unlock")
	t.Cleanup(func() { h.run("", "lock") })
	delete(h.vars, "M3KEYS_PASSPHRASE")
	first := h.mustRun("", "token", "AK-GOOD").stdout
	second := h.mustRun("", "token", "AK-GOOD").stdout
	if first != second || len(fake.Requests()) != 1 {
		t.Fatalf("two token commands while unlocked made %d requests, want 1 (same token: %t)", len(fake.Requests()), first == second)
	}
	h.run("", "check", "AK-GOOD")
	if n := len(fake.Requests()); n < 3 {
		t.Fatalf("check used a held token: %d requests", n)
	}
	h.mustRun("", "lock")
	h.vars["M3KEYS_PASSPHRASE"] = pass
	before := len(fake.Requests())
	h.mustRun("", "token", "AK-GOOD")
	if len(fake.Requests()) != before+1 {
		t.Fatal("a locked agent's token was reused")
	}
}

// shortRuntimeDir is a runtime directory whose socket paths fit in sun_path, whatever the test's name.
func shortRuntimeDir(t *testing.T) {
	t.Helper()
	dir, err := os.MkdirTemp("", "m3k")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir)
}
