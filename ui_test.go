package main_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
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
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/internal/testkit"
	"github.com/m3keys/m3keys/internal/validate"
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

	dir := newStore(t, passphrase, keystore.NewOrg{ID: orgID, Name: "Acme e2e", APIURL: srv.URL}, "billing-sync",
		keyToStore("AK-OLD", "old-secret-not-known-to-m3ter"))

	m := ui.New(ui.Deps{
		Vault:   ui.NewVault(dir),
		Checker: authclient.New(authclient.Options{Timeout: 5 * time.Second}),
		Verify:  true,
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	var all bytes.Buffer // everything the terminal was sent
	waitFor := func(what string) {
		t.Helper()
		waitForOutput(t, tm, &all, 20*time.Second, what)
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
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second))
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

// newStore creates a store in a new folder, holding one organization with one service user
// and its keys, and returns the folder.
func newStore(t *testing.T, passphrase string, org keystore.NewOrg, user string, keys ...keystore.NewKey) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	store, err := keystore.Create(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Update(func(tx *keystore.Tx) error {
		errs := []error{tx.AddOrg(org), tx.AddUser(org.ID, user)}
		for _, k := range keys {
			errs = append(errs, tx.AddKey(org.ID, user, k))
		}
		return errors.Join(errs...)
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// keyToStore is an access key with its secret, to store.
func keyToStore(id, secret string) keystore.NewKey {
	sec, _ := keystore.NewSecret(secret)
	return keystore.NewKey{AccessKeyID: id, Secret: sec}
}

// waitForOutput waits until what tm sends its terminal from this call on holds every one of
// what; all, unless nil, keeps every byte read, for the checks that no secret was sent.
func waitForOutput(t *testing.T, tm *teatest.TestModel, all *bytes.Buffer, within time.Duration, what ...string) {
	t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		if all != nil {
			all.Write(b)
		}
		for _, w := range what {
			if !strings.Contains(seen.String(), w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(within), teatest.WithCheckInterval(20*time.Millisecond))
}

// TestTUISaveWaitsForAnotherM3keys holds the store's lock as another m3keys would:
// a change waits, the status bar says what for, and it is saved once the lock is free.
func TestTUISaveWaitsForAnotherM3keys(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	const (
		orgID      = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
		passphrase = "lock test passphrase"
	)
	dir := newStore(t, passphrase, keystore.NewOrg{ID: orgID, Name: "Acme lock", APIURL: "https://api.m3ter.com"}, "ops",
		keyToStore("AK-ONE", "lock-test-secret"), keyToStore("AK-TWO", "lock-test-secret-2"))
	tm := teatest.NewTestModel(t, ui.New(ui.Deps{Vault: ui.NewVault(dir), Passphrase: passphrase}),
		teatest.WithInitialTermSize(100, 30))
	waitFor := func(what string) {
		t.Helper()
		waitForOutput(t, tm, nil, 20*time.Second, what)
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
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
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
	bin := testkit.BuildM3keys(t)
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
	dir = newStore(t, passphrase, keystore.NewOrg{ID: orgID, Name: "Acme copy", APIURL: srv.URL}, "billing-sync", keyToStore("AK-E2E", secret))
	cb = &recordingClipboard{Fake: &clipboard.Fake{}}
	tm = teatest.NewTestModel(t, ui.New(ui.Deps{
		Vault: ui.NewVault(dir), Passphrase: passphrase, Verify: true,
		Checker:   authclient.New(authclient.Options{Timeout: 5 * time.Second}),
		Clipboard: cb, ClipTimeout: 30 * time.Second,
	}), teatest.WithInitialTermSize(100, 30))
	all = &bytes.Buffer{}
	waitFor = func(what string) {
		t.Helper()
		waitForOutput(t, tm, all, 20*time.Second, what)
	}
	waitFor("Acme copy")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("AK-E2E")
	return tm, cb, dir, waitFor, all
}

// TestTUICopySecretOnce: c asks, y puts the secret on the clipboard and marks it in the
// store, a second c is refused, and quitting clears the clipboard.
func TestTUICopySecretOnce(t *testing.T) {
	const secret = "E2E-copy-secret-never-on-screen"
	tm, cb, dir, waitFor, _ := copyTUI(t, secret)
	tm.Type("c")
	waitFor("Hand out the secret of AK-E2E once?")
	if cb.Writes() != 0 {
		t.Fatal("c wrote the clipboard before the answer")
	}
	tm.Type("y")
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
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
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
	waitFor("Hand out the secret of AK-E2E once?")
	tm.Type("y")
	waitFor("secret of AK-E2E copied")
	tm.Type("y")
	waitFor("Bearer token for AK-E2E copied")
	tm.Type("?")
	waitFor("Keys on this screen")
	tm.Type("q") // closes help
	tm.Type("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second))
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

// rotationTUI is the real program model on a temp-dir keystore whose service user holds two
// keys on a fake m3ter, on that organization's screen. newModel starts the program again on
// the same store, as after a restart.
type rotationTUI struct {
	t       *testing.T
	srv     *m3tertest.Server
	dir     string
	cb      *recordingClipboard
	tm      *teatest.TestModel
	all     bytes.Buffer
	orgID   string
	user    string
	keys    []rotationKey // as stored at the start, older first
	newKey  string
	secrets []string // never on the terminal; the last is the new key's
}

// rotationKey is a key the service user holds when the test starts, known to the fake m3ter.
type rotationKey struct {
	id, secret, deployedTo string
	age                    time.Duration
}

func newRotationTUI(t *testing.T) *rotationTUI {
	t.Helper()
	return startRotationTUI(t, "billing-sync", "AK-ROT-NEW", "rot-secret-new-never-shown",
		rotationKey{id: "AK-ROT-OLDER", secret: "rot-secret-older-never-shown", age: 200 * 24 * time.Hour},
		rotationKey{id: "AK-ROT-OLD", secret: "rot-secret-old-never-shown", age: 20 * 24 * time.Hour})
}

// startRotationTUI stores user's keys (older first) in a new store and opens the organization.
func startRotationTUI(t *testing.T, user, newKey, newSecret string, keys ...rotationKey) *rotationTUI {
	t.Helper()
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	r := &rotationTUI{t: t, orgID: "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", user: user, keys: keys, newKey: newKey}
	r.srv = m3tertest.NewServer()
	t.Cleanup(r.srv.Close)
	var stored []keystore.NewKey
	for _, k := range keys {
		nk := keyToStore(k.id, k.secret)
		nk.CreatedAt, nk.DeployedTo = time.Now().Add(-k.age), k.deployedTo
		stored = append(stored, nk)
	}
	r.dir = newStore(t, "rotation passphrase", keystore.NewOrg{ID: r.orgID, Name: "Acme rotation", APIURL: r.srv.URL}, user, stored...)
	for _, k := range keys {
		r.srv.AddKey(m3tertest.Key{AccessKeyID: k.id, Secret: k.secret, OrgID: r.orgID, ServiceUserID: "su-1", Admin: true})
		r.secrets = append(r.secrets, k.secret)
	}
	r.secrets = append(r.secrets, newSecret)
	r.newModel()
	return r
}

func (r *rotationTUI) newModel() {
	r.cb = &recordingClipboard{Fake: &clipboard.Fake{}}
	r.tm = teatest.NewTestModel(r.t, ui.New(ui.Deps{
		Vault: ui.NewVault(r.dir), Passphrase: "rotation passphrase", Verify: true,
		Checker:   authclient.New(authclient.Options{Timeout: 5 * time.Second}),
		Clipboard: r.cb, ClipTimeout: 30 * time.Second,
	}), teatest.WithInitialTermSize(100, 30))
	r.waitFor("Acme rotation")
	r.key(tea.KeyEnter)
	r.waitFor(r.keys[len(r.keys)-1].id)
}

// newSecret is the secret the Console shows for the new key.
func (r *rotationTUI) newSecret() string { return r.secrets[len(r.secrets)-1] }

func (r *rotationTUI) waitFor(what string) {
	r.t.Helper()
	waitForOutput(r.t, r.tm, &r.all, 20*time.Second, what)
}

func (r *rotationTUI) key(k tea.KeyType) { r.tm.Send(tea.KeyMsg{Type: k}) }

// press types runes, then waits for what the screen must say.
func (r *rotationTUI) press(keys, want string) {
	r.t.Helper()
	r.tm.Type(keys)
	r.waitFor(want)
}

func (r *rotationTUI) enter(want string) {
	r.t.Helper()
	r.key(tea.KeyEnter)
	r.waitFor(want)
}

// toProve starts the rotation replacing AK-ROT-OLD (the cursor moves onto it), frees AK-ROT-OLDER
// (deleted in the Console, so m3ter rejects it) and adds the new key: step 3 tests it at once.
func (r *rotationTUI) toProve() {
	r.t.Helper()
	r.tm.Type("j")
	r.press("r", "Press enter to start")
	r.enter("step 1/6: free a slot")
	r.enter("Make AK-ROT-OLDER INACTIVE?")
	r.press("y", "Not tested since it was made INACTIVE")
	r.srv.RemoveKey("AK-ROT-OLDER") // Console visit 1: deleted there
	r.press("t", "m3ter rejects AK-ROT-OLDER")
	r.enter("Remove AK-ROT-OLDER?")
	r.press("y", "step 2/6: new key")
	r.paste(r.newKey, r.newSecret())
}

// paste types the Console popup's Access Key ID and secret into step 2's form and submits it.
func (r *rotationTUI) paste(keyID, secret string) {
	r.tm.Type(keyID)
	r.key(tea.KeyTab)
	r.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(secret + "\n"), Paste: true})
	r.key(tea.KeyEnter) // to the optional Organization ID
	r.key(tea.KeyEnter) // add
}

func (r *rotationTUI) quit() {
	r.t.Helper()
	r.tm.Type("q")
	final := r.tm.FinalModel(r.t, teatest.WithFinalTimeout(20*time.Second))
	for _, s := range r.secrets {
		if strings.Contains(final.View(), s) || strings.Contains(r.all.String(), s) {
			r.t.Fatal("a secret was sent to the terminal")
		}
	}
}

func (r *rotationTUI) stored() *keystore.ServiceUser {
	r.t.Helper()
	s, err := keystore.Open(r.dir, "rotation passphrase")
	if err != nil {
		r.t.Fatal(err)
	}
	o, _ := s.Document().Org(r.orgID)
	u, _ := o.User(r.user)
	return u
}

// TestTUIRotation rotates a key start to finish against a fake m3ter: free a slot, add, prove,
// deploy (copy once), retire (m3ter rejects the old key once it is inactivated in the Console), done.
func TestTUIRotation(t *testing.T) {
	r := newRotationTUI(t)
	r.srv.AddKey(m3tertest.Key{AccessKeyID: r.newKey, Secret: r.newSecret(), OrgID: r.orgID, ServiceUserID: "su-1", Admin: true})
	r.toProve()
	r.waitFor("step 4/6: deploy it") // proven: valid, for billing-sync's m3ter user

	r.press("c", "Hand out the secret of "+r.newKey+" once?")
	r.press("y", "was handed out on")
	if got := r.cb.texts(); len(got) != 1 || got[0] != r.newSecret() {
		t.Fatal("the new key's secret was not copied, once")
	}
	r.enter("Does the integration run on AK-ROT-NEW now?")
	r.press("y", "step 5/6: retire the old key")
	r.enter("Make AK-ROT-OLD INACTIVE?")
	r.press("y", "Not tested since it was made INACTIVE")
	r.press("t", "m3ter still accepts AK-ROT-OLD")
	r.srv.RemoveKey("AK-ROT-OLD") // the user inactivates it in the Console
	r.press("t", "m3ter rejects AK-ROT-OLD")
	r.enter("Remove AK-ROT-OLD?")
	r.press("y", "step 6/6: done")
	r.enter("Rotated billing-sync's key")
	r.quit()

	u := r.stored()
	if u.Rotation != nil || len(u.Keys) != 1 || u.Keys[0].AccessKeyID != r.newKey || !u.Keys[0].SecretCopied() {
		t.Fatalf("after the rotation billing-sync is %+v", u)
	}
}

// TestTUIRotationResumesAfterRestart quits at step 3 (m3ter does not know the new key yet),
// starts the program again on the same store, and resumes at step 3.
func TestTUIRotationResumesAfterRestart(t *testing.T) {
	r := newRotationTUI(t)
	r.toProve()
	r.waitFor("is not proven valid")
	r.quit()
	if u := r.stored(); u.Rotation == nil || u.Rotation.Step != keystore.StepProve {
		t.Fatalf("rotation stored as %+v", u.Rotation)
	}

	r.srv.AddKey(m3tertest.Key{AccessKeyID: r.newKey, Secret: r.newSecret(), OrgID: r.orgID, ServiceUserID: "su-1", Admin: true})
	r.newModel() // the organization screen marks billing-sync "rotating: step 3/6" (see ui's TestRotateResumesAfterReopen)
	r.press("r", "step 3/6: prove it")
	r.press("t", "step 4/6: deploy it")
	r.quit()
}

// TestTUITeamSync is two members on a bare remote with the real git: alice's TUI opens her
// team store in sync; bob adds an organization and a key and syncs; S in alice's TUI shows
// them. No secret reaches the terminal or the remote.
func TestTUITeamSync(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed, and CI must run the team store's end-to-end test: install git")
		}
		t.Skip("git is not installed: the team store's end-to-end test needs it")
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
	if err := team.Init(alice, team.InitOptions{Name: "alice", Remote: remote}); err != nil {
		t.Fatal(err)
	}
	joined, err := team.Join(remote, bobDir, "bob", pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := team.Add(alice, "bob", joined.Recipient); err != nil {
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
		waitForOutput(t, tm, &all, 20*time.Second, what)
	}
	waitFor("⇅ in sync") // the sync on opening ran, and the badge says so

	bob, err := keystore.Open(bobDir, pass, team.AfterSave(bobDir))
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := keystore.NewSecret(bobSecret)
	if err := bob.Update(func(tx *keystore.Tx) error {
		if err := tx.AddOrg(keystore.NewOrg{ID: orgID, Name: "Bobs org", APIURL: validate.DefaultAPIURL}); err != nil {
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
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second))
	if strings.Contains(final.View(), bobSecret) || strings.Contains(all.String(), bobSecret) {
		t.Fatal("bob's secret was sent to alice's terminal")
	}
	if log := gitRun(remote, "log", "-p", "--all"); strings.Contains(log, bobSecret) {
		t.Fatal("a secret is in the remote's history")
	}
}

// TestTUIFollowsAnotherM3keys changes the store through a second handle, as the CLI or a
// sync would: the open TUI shows the new key and the secret handed out without a keypress.
func TestTUIFollowsAnotherM3keys(t *testing.T) {
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	const (
		orgID      = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
		passphrase = "follow test passphrase"
	)
	dir := newStore(t, passphrase, keystore.NewOrg{ID: orgID, Name: "Acme follow", APIURL: "https://api.m3ter.com"}, "ops",
		keyToStore("AK-ONE", "follow-test-secret"))
	tm := teatest.NewTestModel(t, ui.New(ui.Deps{Vault: ui.NewVault(dir), Passphrase: passphrase}),
		teatest.WithInitialTermSize(100, 30))
	waitFor := func(what ...string) {
		t.Helper()
		waitForOutput(t, tm, nil, 20*time.Second, what...)
	}
	waitFor("Acme follow")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor("copy once")

	other, err := keystore.Open(dir, passphrase) // the other m3keys
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Update(func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddKey(orgID, "ops", keyToStore("AK-FROM-CLI", "follow-test-secret-2")),
			tx.MarkSecretCopied("AK-ONE"),
		)
	}); err != nil {
		t.Fatal(err)
	}
	waitFor("AK-FROM-CLI", "copied") // one frame shows both
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(20*time.Second))
}

// integration stands in for the integration a key is deployed to: it asks m3ter for a token
// every interval with the key it is configured with, and counts the calls that failed.
type integration struct {
	url string

	mu            sync.Mutex
	keyID, secret string
	calls, failed int
}

func (in *integration) use(keyID, secret string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.keyID, in.secret = keyID, secret
}

// run calls the token endpoint every interval until stop is closed.
func (in *integration) run(every time.Duration, stop <-chan struct{}) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			in.call()
		}
	}
}

func (in *integration) call() {
	in.mu.Lock()
	keyID, secret := in.keyID, in.secret
	in.mu.Unlock()
	ok := false
	req, err := http.NewRequest(http.MethodPost, in.url+"/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	if err == nil {
		req.SetBasicAuth(keyID, secret)
		req.Header.Set("Content-Type", "application/json")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			ok = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.calls++
	if !ok {
		in.failed++
	}
}

func (in *integration) counts() (calls, failed int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls, in.failed
}

// waitCalls waits until the integration has called n more times, so each state of the
// rotation is sampled.
func (in *integration) waitCalls(t *testing.T, n int) {
	t.Helper()
	start, _ := in.counts()
	deadline := time.Now().Add(10 * time.Second)
	for calls, _ := in.counts(); calls < start+n; calls, _ = in.counts() {
		if time.Now().After(deadline) {
			t.Fatalf("the integration made %d calls in 10s, want %d", calls-start, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTUIRotationNeverLocksOutTheIntegration replays issue 14's journey: payments-sync holds
// AK-PAY-2025A (older, deployed to "payments cron on pay-1") and AK-PAY-2026A (newer, no note),
// and an integration on pay-1 asks for a token all the time with the key deployed there. Each
// Console visit happens in the fake m3ter; the integration switches to the new key when the
// deploy step is confirmed. Whichever key the cursor is on, the rotation replaces the deployed
// key and no call fails. Freeing the deployed key anyway (the old behaviour) makes calls fail,
// which shows the count can fail.
func TestTUIRotationNeverLocksOutTheIntegration(t *testing.T) {
	const pay1 = "payments cron on pay-1"
	for _, c := range []struct {
		name       string
		down       int // rows to move the cursor down from the first key (AK-PAY-2025A)
		plan       func(r *rotationTUI)
		free, old  string
		wantFailed bool
	}{
		{name: "cursor on the deployed AK-PAY-2025A", plan: func(r *rotationTUI) { r.waitFor("Press enter to start"); r.key(tea.KeyEnter) },
			free: "AK-PAY-2026A", old: "AK-PAY-2025A"},
		{name: "cursor on AK-PAY-2026A: the plan stops, s swaps", down: 1, plan: func(r *rotationTUI) {
			r.waitFor("removing AK-PAY-2025A locks out " + pay1)
			r.press("s", "Press enter to start")
			r.key(tea.KeyEnter)
		}, free: "AK-PAY-2026A", old: "AK-PAY-2025A"},
		{name: "cursor on AK-PAY-2026A, freeing the deployed key anyway (the old behaviour)", down: 1, plan: func(r *rotationTUI) {
			r.waitFor("removing AK-PAY-2025A locks out " + pay1)
			r.enter("Remove AK-PAY-2025A anyway?")
			r.tm.Type("y")
		}, free: "AK-PAY-2025A", old: "AK-PAY-2026A", wantFailed: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := startRotationTUI(t, "payments-sync", "AK-PAY-2027A", "pay-secret-2027-never-shown",
				rotationKey{id: "AK-PAY-2025A", secret: "pay-secret-2025-never-shown", deployedTo: pay1, age: 300 * 24 * time.Hour},
				rotationKey{id: "AK-PAY-2026A", secret: "pay-secret-2026-never-shown", age: 30 * 24 * time.Hour})
			in := &integration{url: r.srv.URL}
			in.use(r.keys[0].id, r.keys[0].secret) // what is deployed on pay-1
			stop := make(chan struct{})
			done := make(chan struct{})
			// every 20ms, not every second: no moment between two steps goes unsampled
			go func() { defer close(done); in.run(20*time.Millisecond, stop) }()
			defer func() { close(stop); <-done }()
			in.waitCalls(t, 2)

			for range c.down {
				r.tm.Type("j")
			}
			r.tm.Type("r")
			c.plan(r)
			r.waitFor("step 1/6: free a slot")

			// Console visit 1: delete the freed key, generate the new one; proven live.
			r.enter("Make " + c.free + " INACTIVE?")
			r.press("y", "Not tested since it was made INACTIVE")
			r.srv.RemoveKey(c.free)
			r.srv.AddKey(m3tertest.Key{AccessKeyID: r.newKey, Secret: r.newSecret(), OrgID: r.orgID, ServiceUserID: "su-1", Admin: true})
			in.waitCalls(t, 3)
			r.press("t", "m3ter rejects "+c.free)
			r.enter("Remove " + c.free + "?")
			r.press("y", "step 2/6: new key")
			r.paste(r.newKey, r.newSecret())
			r.waitFor("step 4/6: deploy it") // proven valid

			// Deploy: the secret goes to pay-1, which runs on the new key from here.
			r.press("c", "Hand out the secret of "+r.newKey+" once?")
			r.press("y", "was handed out on")
			r.enter("Does the integration run on " + r.newKey + " now?")
			in.use(r.newKey, r.cb.texts()[0])
			in.waitCalls(t, 2)
			r.press("y", "step 5/6: retire the old key")

			// Console visit 2: inactivate and delete the old key; proven live.
			r.enter("Make " + c.old + " INACTIVE?")
			r.press("y", "Not tested since it was made INACTIVE")
			r.srv.RemoveKey(c.old)
			in.waitCalls(t, 3)
			r.press("t", "m3ter rejects "+c.old)
			r.enter("Remove " + c.old + "?")
			r.press("y", "step 6/6: done")
			r.enter("Rotated payments-sync's key")
			r.quit()

			calls, failed := in.counts()
			t.Logf("%d calls by the integration, %d failed", calls, failed)
			if c.wantFailed != (failed > 0) {
				t.Fatalf("%d of %d calls by the integration failed; want failures: %v", failed, calls, c.wantFailed)
			}
			u := r.stored()
			if len(u.Keys) != 1 || u.Keys[0].AccessKeyID != r.newKey || (!c.wantFailed && u.Keys[0].DeployedTo != pay1) {
				t.Fatalf("after the rotation payments-sync holds %d keys; the new key's note is kept: %v", len(u.Keys), u.Keys[0].DeployedTo == pay1)
			}
		})
	}
}
