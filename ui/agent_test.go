package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/keystore"
)

// The test binary is also the agent that "keep unlocked" starts.
func init() {
	if len(os.Args) == 2 && os.Args[1] == agent.ServeArg {
		os.Exit(agent.Main())
	}
}

// agentStore is a sample store with a real agent (not started) whose socket fits sun_path.
func agentStore(t testing.TB) (Vault, Agent, string) {
	t.Helper()
	rt, err := os.MkdirTemp("", "m3k")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	vault, store := newTestStore(t)
	sample(t, store)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := vault.Dir()
	t.Cleanup(func() {
		if c, err := agent.ForStore(dir); err == nil {
			_, _ = c.Lock()
		}
	})
	return vault, NewAgent(dir, exe), dir
}

func TestAnUnlockedAgentSkipsTheUnlockScreen(t *testing.T) {
	vault, ag, _ := agentStore(t)
	if err := ag.Keep(passphrase); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag})
	if !on[*orgsScreen](h) {
		t.Fatalf("the unlock screen was shown while unlocked:\n%s", h.view())
	}
	h.wantView("Acme production")
	if head := strings.SplitN(h.view(), "\n", 2)[0]; !strings.Contains(head, "unlocked · locks in 15m") && !strings.Contains(head, "unlocked · locks in 14m") {
		t.Fatalf("header %q", head)
	}
}

func TestKeepUnlockedStartsTheAgent(t *testing.T) {
	vault, ag, _ := agentStore(t)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag})
	h.wantView("[ ] keep unlocked for 15 min (ctrl+t)")
	h.send(tea.KeyMsg{Type: tea.KeyCtrlT})
	h.wantView("[x] keep unlocked for 15 min (ctrl+t)")
	h.typeText(passphrase)
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("not unlocked:\n%s", h.view())
	}
	h.wantView("unlocked · locks in")
	if _, ok := ag.Until(); !ok {
		t.Fatal("keep unlocked did not start the agent")
	}
	// The next TUI opens at once.
	h2 := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag})
	if !on[*orgsScreen](h2) {
		t.Fatalf("the second TUI asked again:\n%s", h2.view())
	}
}

func TestWithoutKeepNoAgentStarts(t *testing.T) {
	vault, ag, _ := agentStore(t)
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag})
	h.typeText(passphrase)
	h.press("enter")
	if !on[*orgsScreen](h) {
		t.Fatalf("not unlocked:\n%s", h.view())
	}
	h.wantNotView("unlocked · locks in")
	if _, ok := ag.Until(); ok {
		t.Fatal("an agent started without keep unlocked")
	}
}

func TestAStaleAgentFallsBackToThePassphrase(t *testing.T) {
	vault, ag, dir := agentStore(t)
	c, err := agent.ForStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A socket left behind by a killed agent.
	if err := os.WriteFile(filepath.Join(filepath.Dir(c.Socket()), "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag, Passphrase: passphrase})
	if !on[*orgsScreen](h) {
		t.Fatalf("$M3KEYS_PASSPHRASE did not open the store past a locked agent:\n%s", h.view())
	}
	_ = keystore.IdentityFile
}

// BenchmarkFirstOrgsFrameUnlocked: from New to the organizations screen's first frame,
// opened through the agent (sample store).
func BenchmarkFirstOrgsFrameUnlocked(b *testing.B) {
	vault, ag, _ := agentStore(b)
	if err := ag.Keep(passphrase); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		h := newHarness(b, Deps{Vault: vault, Checker: &fakeChecker{}, Agent: ag})
		if !on[*orgsScreen](h) || !strings.Contains(h.view(), "Acme production") {
			b.Fatalf("not the organizations frame:\n%s", h.view())
		}
	}
}
