package main_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/keystore"
	"github.com/m3keys/m3keys/ui"
	"github.com/muesli/termenv"
)

// TestTUIEndToEnd drives the real program model against a temp-dir keystore and a
// fake m3ter: unlock, open an organization, add a key, test it, see it valid, try a
// third key and see the refusal.
func TestTUIEndToEnd(t *testing.T) {
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	const (
		orgID      = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
		passphrase = "end to end"
		newSecret  = "E2E-secret-that-must-never-show"
	)
	srv := m3tertest.NewServer()
	defer srv.Close()
	srv.AddKey(m3tertest.Key{AccessKeyID: "AK-NEW", Secret: newSecret, OrgID: orgID,
		ServiceUserID: "su-1", ServiceUserName: "billing-sync", Admin: true})

	dir := filepath.Join(t.TempDir(), "store")
	store, err := keystore.Create(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := keystore.NewSecret("old-secret-not-known-to-m3ter")
	if err := store.Update(func(tx *keystore.Tx) error {
		if err := tx.AddOrg(keystore.NewOrg{ID: orgID, Name: "Acme e2e", APIURL: srv.URL}); err != nil {
			return err
		}
		if err := tx.AddUser(orgID, "billing-sync"); err != nil {
			return err
		}
		return tx.AddKey(orgID, "billing-sync", keystore.NewKey{AccessKeyID: "AK-OLD", Secret: old})
	}); err != nil {
		t.Fatal(err)
	}

	m := ui.New(ui.Deps{
		Vault:   ui.NewVault(dir),
		Checker: authclient.New(authclient.Options{Timeout: 5 * time.Second}),
		Verify:  true,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	var all bytes.Buffer // everything the terminal was sent
	waitFor := func(what string) {
		t.Helper()
		var seen bytes.Buffer
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			seen.Write(b)
			all.Write(b)
			return strings.Contains(seen.String(), what)
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	press := func(k tea.KeyType) { tm.Send(tea.KeyMsg{Type: k}) }

	waitFor("Unlock your keystore")
	tm.Type(passphrase)
	press(tea.KeyEnter)
	waitFor("Acme e2e")

	press(tea.KeyEnter)
	waitFor("AK-OLD")

	tm.Type("a")
	waitFor("New access key for billing-sync")
	tm.Type("AK-NEW")
	press(tea.KeyTab)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(newSecret + "\n"), Paste: true})
	press(tea.KeyEnter) // to the optional Organization ID
	press(tea.KeyEnter) // save
	waitFor("added AK-NEW to billing-sync")

	tm.Type("t")
	waitFor("✓ valid")

	tm.Type("a")
	waitFor("already has two access keys")

	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	if strings.Contains(final.View(), newSecret) || strings.Contains(all.String(), newSecret) {
		t.Fatal("the secret was sent to the terminal")
	}

	reopened, err := keystore.Open(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := reopened.Document().Key("AK-NEW")
	if !ok || ref.Key.Secret.Reveal() != newSecret {
		t.Fatalf("AK-NEW not stored with its trimmed secret")
	}
	if c := ref.Key.LastCheck; c == nil || c.Result != "valid" {
		t.Fatalf("last check not recorded: %+v", c)
	}
	if ref.User.ID != "su-1" {
		t.Errorf("service user ID from users/me not recorded: %q", ref.User.ID)
	}
	if len(ref.User.Keys) != 2 {
		t.Errorf("billing-sync has %d keys, want 2", len(ref.User.Keys))
	}
}

// TestTUISaveWaitsForAnotherM3keys holds the store's lock as another m3keys would:
// a change waits, the status bar says what for, and it is saved once the lock is free.
func TestTUISaveWaitsForAnotherM3keys(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	const (
		orgID      = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
		passphrase = "lock test passphrase"
	)
	dir := filepath.Join(t.TempDir(), "store")
	store, err := keystore.Create(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := keystore.NewSecret("lock-test-secret")
	sec2, _ := keystore.NewSecret("lock-test-secret-2")
	if err := store.Update(func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddOrg(keystore.NewOrg{ID: orgID, Name: "Acme lock", APIURL: "https://api.m3ter.com"}),
			tx.AddUser(orgID, "ops"),
			tx.AddKey(orgID, "ops", keystore.NewKey{AccessKeyID: "AK-ONE", Secret: sec}),
			tx.AddKey(orgID, "ops", keystore.NewKey{AccessKeyID: "AK-TWO", Secret: sec2}),
		)
	}); err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, ui.New(ui.Deps{Vault: ui.NewVault(dir), Passphrase: passphrase}),
		teatest.WithInitialTermSize(100, 30))
	waitFor := func(what string) {
		t.Helper()
		var seen bytes.Buffer
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			seen.Write(b)
			return strings.Contains(seen.String(), what)
		}, teatest.WithDuration(8*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("Acme lock")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("AK-ONE")

	lock, err := os.OpenFile(filepath.Join(dir, keystore.LockFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	tm.Type("s")
	waitFor("Make AK-ONE INACTIVE?")
	tm.Type("y")
	waitFor("waiting for another m3keys")
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	waitFor("AK-ONE is INACTIVE")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	reopened, err := keystore.Open(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := reopened.Document().Key("AK-ONE"); ref.Key.Status != keystore.Inactive {
		t.Fatalf("the change made while another m3keys held the lock was lost: %s", ref.Key.Status)
	}
}

// TestDemoCleansUpWhenTheTerminalGoesAway runs the real binary: a hang-up (closed
// window, tmux kill-session) must still remove the demo's throwaway store.
func TestDemoCleansUpWhenTheTerminalGoesAway(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "m3keys")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	demoDirs := func() []string { d, _ := filepath.Glob(filepath.Join(tmp, "m3keys-demo-*")); return d }
	for deadline := time.Now().Add(30 * time.Second); len(demoDirs()) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the demo never created its store")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the demo did not exit after a hang-up")
	}
	if left := demoDirs(); len(left) != 0 {
		t.Errorf("demo store left behind after a hang-up: %v\n%s", left, out.String())
	}
}

// recordingClipboard is a clipboard.Fake that also remembers what was written, so a test
// can look for it in everything sent to the terminal (without ever printing it).
type recordingClipboard struct {
	*clipboard.Fake
	mu      sync.Mutex
	written []string
}

func (r *recordingClipboard) Write(text string) (clipboard.Hash, error) {
	r.mu.Lock()
	r.written = append(r.written, text)
	r.mu.Unlock()
	return r.Fake.Write(text)
}

func (r *recordingClipboard) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{}, r.written...)
}

// copyTUI is the real program model on a temp-dir keystore with one key on a fake m3ter,
// unlocked and on that organization's screen, with a recording fake clipboard.
func copyTUI(t *testing.T, secret string) (tm *teatest.TestModel, cb *recordingClipboard, dir string, waitFor func(string), all *bytes.Buffer) {
	t.Helper()
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	const orgID, passphrase = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "copy test passphrase"
	srv := m3tertest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddKey(m3tertest.Key{AccessKeyID: "AK-E2E", Secret: secret, OrgID: orgID, ServiceUserID: "su-1", Admin: true})
	dir = filepath.Join(t.TempDir(), "store")
	store, err := keystore.Create(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := keystore.NewSecret(secret)
	if err := store.Update(func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddOrg(keystore.NewOrg{ID: orgID, Name: "Acme copy", APIURL: srv.URL}),
			tx.AddUser(orgID, "billing-sync"),
			tx.AddKey(orgID, "billing-sync", keystore.NewKey{AccessKeyID: "AK-E2E", Secret: sec}),
		)
	}); err != nil {
		t.Fatal(err)
	}
	cb = &recordingClipboard{Fake: &clipboard.Fake{}}
	tm = teatest.NewTestModel(t, ui.New(ui.Deps{
		Vault: ui.NewVault(dir), Passphrase: passphrase, Verify: true,
		Checker:   authclient.New(authclient.Options{Timeout: 5 * time.Second}),
		Clipboard: cb, ClipTimeout: 30 * time.Second,
	}), teatest.WithInitialTermSize(100, 30))
	all = &bytes.Buffer{}
	waitFor = func(what string) {
		t.Helper()
		var seen bytes.Buffer
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			seen.Write(b)
			all.Write(b)
			return strings.Contains(seen.String(), what)
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitFor("Acme copy")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("AK-E2E")
	return tm, cb, dir, waitFor, all
}

// TestTUICopySecretOnce: c puts the secret on the clipboard and marks it in the store, a
// second c is refused, and quitting clears the clipboard.
func TestTUICopySecretOnce(t *testing.T) {
	const secret = "E2E-copy-secret-never-on-screen"
	tm, cb, dir, waitFor, _ := copyTUI(t, secret)
	tm.Type("c")
	waitFor("clipboard clears in")
	if !cb.Holds(secret) {
		t.Fatal("the clipboard does not hold the secret after c")
	}
	tm.Type("c")
	waitFor("was handed out on")
	if cb.Writes() != 1 {
		t.Fatalf("%d clipboard writes after c twice, want 1", cb.Writes())
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if !cb.Empty() {
		t.Fatal("quitting left the secret on the clipboard")
	}
	reopened, err := keystore.Open(dir, "copy test passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := reopened.Document().Key("AK-E2E"); !ref.Key.SecretCopied() {
		t.Fatal("the store does not say the secret was handed out")
	}
}

// TestTUINeverShowsTheSecretOrTheToken copies the secret and tokens, tests, opens help and
// quits: nothing sent to the terminal holds anything that went to the clipboard.
func TestTUINeverShowsTheSecretOrTheToken(t *testing.T) {
	const secret = "E2E-token-test-secret-never-on-screen"
	tm, cb, _, waitFor, all := copyTUI(t, secret)
	tm.Type("y")
	waitFor("Bearer token for AK-E2E copied")
	tm.Type("t")
	waitFor("✓ valid")
	tm.Type("c")
	waitFor("secret of AK-E2E copied")
	tm.Type("y")
	waitFor("Bearer token for AK-E2E copied")
	tm.Type("?")
	waitFor("Keys on this screen")
	tm.Type("q") // closes help
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	rest, _ := io.ReadAll(tm.FinalOutput(t))
	all.Write(rest)
	texts := cb.texts()
	if len(texts) != 3 {
		t.Fatalf("%d clipboard writes, want 3 (token, secret, token)", len(texts))
	}
	for i, s := range texts {
		if strings.Contains(all.String(), s) || strings.Contains(final.View(), s) {
			t.Fatalf("clipboard write %d (secret or token) was sent to the terminal", i+1)
		}
	}
	if !cb.Empty() {
		t.Fatal("quitting left a token on the clipboard")
	}
}
