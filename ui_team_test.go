package main_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
	"github.com/m3keys/m3keys/ui"
	"github.com/muesli/termenv"
)

// TestTUITeamSync is two members on a bare remote with the real git: alice's TUI opens her
// team store in sync; bob adds an organization and a key and syncs; S in alice's TUI shows
// them. No secret reaches the terminal or the remote.
func TestTUITeamSync(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1") // keep git away from the machine's configuration
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(os.Getenv("HOME"), ".gitconfig"))
	const (
		pass      = "team end to end passphrase"
		orgID     = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
		bobSecret = "BOB-secret-that-must-never-show"
	)
	gitRun := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	root := t.TempDir()
	remote := filepath.Join(root, "remote.git")
	gitRun(root, "init", "-q", "--bare", remote)
	aliceDir, bobDir := filepath.Join(root, "alice"), filepath.Join(root, "bob")

	alice, err := keystore.Create(aliceDir, pass, team.AfterSave(aliceDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := team.Init(alice, aliceDir, team.InitOptions{Name: "alice", Remote: remote}); err != nil {
		t.Fatal(err)
	}
	joined, err := team.Join(remote, bobDir, "bob", pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := team.Add(alice, aliceDir, "bob", joined.Recipient); err != nil {
		t.Fatal(err)
	}
	syncOf := func(dir string) team.SyncOptions {
		return team.SyncOptions{Unlock: func() (*keystore.Member, error) { return keystore.UnlockMember(dir, pass) }}
	}
	if _, err := team.Sync(aliceDir, syncOf(aliceDir)); err != nil {
		t.Fatal(err)
	}
	if r, err := team.Sync(bobDir, syncOf(bobDir)); err != nil {
		t.Fatal(err)
	} else if r.Pending != nil {
		if err := team.Trust(bobDir, r.Pending); err != nil {
			t.Fatal(err)
		}
	}

	m := ui.New(ui.Deps{Vault: ui.NewVault(aliceDir, team.AfterSave(aliceDir)), Team: ui.NewTeam(aliceDir), Passphrase: pass})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	var all bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(strings.ReplaceAll(all.String(), "\x1b", "~"))
		}
	})
	waitFor := func(what string) {
		t.Helper()
		var seen bytes.Buffer
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			seen.Write(b)
			all.Write(b)
			return strings.Contains(seen.String(), what)
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("⇅ in sync") // the sync on opening ran, and the badge says so

	bob, err := keystore.Open(bobDir, pass, team.AfterSave(bobDir))
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := keystore.NewSecret(bobSecret)
	if err := bob.Update(func(tx *keystore.Tx) error {
		if err := tx.AddOrg(keystore.NewOrg{ID: orgID, Name: "Bobs org", APIURL: keystore.DefaultAPIURL}); err != nil {
			return err
		}
		if err := tx.AddUser(orgID, "billing-sync"); err != nil {
			return err
		}
		return tx.AddKey(orgID, "billing-sync", keystore.NewKey{AccessKeyID: "AK-BOB", Secret: sec})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := team.Sync(bobDir, syncOf(bobDir)); err != nil {
		t.Fatal(err)
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("S")})
	waitFor("took in 1 commit(s)") // drawn with the row it brought
	if !strings.Contains(all.String(), "Bobs org") {
		t.Fatal("bob's organization is not on alice's screen after S")
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("AK-BOB")

	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	if strings.Contains(final.View(), bobSecret) || strings.Contains(all.String(), bobSecret) {
		t.Fatal("bob's secret was sent to alice's terminal")
	}
	if log := gitRun(remote, "log", "-p", "--all"); strings.Contains(log, bobSecret) {
		t.Fatal("a secret is in the remote's history")
	}
}
