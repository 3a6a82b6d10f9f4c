//go:build linux

package leaktest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/keystore"
	"github.com/m3keys/m3keys/ui"
)

// frames records every frame the program model renders, and scans each as it is drawn.
type frames struct {
	sec  *secrets
	mu   sync.Mutex
	n    int
	last string
	// drawn are the frames since the test last looked: a status line that came and went
	// between two looks (a busy machine) is still seen.
	drawn []string
	// leaky counts the frames that held a secret; first is what the first of them held.
	leaky, lastLeaky int
	first            []string
}

func (f *frames) record(v string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.last = v
	f.drawn = append(f.drawn, v)
	// Words can be cut by the layout, so the frame is also scanned as one line of words.
	for _, data := range []string{v, strings.Join(strings.Fields(stripBox(v)), "")} {
		if found := f.sec.scan(fmt.Sprintf("TUI frame %d", f.n), []byte(data), scanOpts{}); len(found) > 0 {
			if f.leaky == 0 {
				f.first = found
			}
			f.leaky++
			f.lastLeaky = f.n
			return
		}
	}
}

// findings are the first leaky frame's findings and how many more frames leaked.
func (f *frames) findings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	found := append([]string(nil), f.first...)
	if f.leaky > 1 {
		found = append(found, fmt.Sprintf("and %d more TUI frame(s) up to frame %d", f.leaky-1, f.lastLeaky))
	}
	return found
}

func (f *frames) lastFrame() (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.n
}

// take returns the frames drawn since the last take, and forgets them.
func (f *frames) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.drawn
	f.drawn = nil
	return d
}

// seen says whether a frame drawn since the last look satisfies ok, or, when none was drawn,
// the screen as it stands.
func (f *frames) seen(ok func(frame string) bool) bool {
	d := f.take()
	if len(d) == 0 {
		last, _ := f.lastFrame()
		d = []string{last}
	}
	return slices.ContainsFunc(d, ok)
}

func stripBox(v string) string {
	return strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(v)
}

// recorder wraps the real program model so that every View it renders is recorded.
type recorder struct {
	inner tea.Model
	f     *frames
}

func (r recorder) Init() tea.Cmd { return r.inner.Init() }

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.inner.Update(msg)
	r.inner = m
	return r, cmd
}

func (r recorder) View() string {
	v := r.inner.View()
	r.f.record(v)
	return v
}

// TestTUINeverLeaks drives the real program model through unlock (a wrong passphrase
// first), organizations, tests of valid, rejected, forbidden and unreachable keys, the
// add-key form with a typed and a pasted secret (and a bad one), toggles, history, help
// and filter; then scans every frame, the terminal output, the store and $TMPDIR.
func TestTUINeverLeaks(t *testing.T) {
	sec := newSecrets(t)
	root := t.TempDir()
	tmp, dir := filepath.Join(root, "tmp"), filepath.Join(root, "store")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	pass := "PASSMARKER-" + sec.nonce
	sec.passphrase(pass)

	srv := m3tertest.NewServer()
	defer srv.Close()
	down := deadURL(t)
	m := map[string]string{}
	for _, id := range []string{"AK-VALID", "AK-REJ", "AK-FORBID", "AK-DOWN", "AK-TYPED", "AK-PASTED"} {
		m[id] = sec.marker()
		sec.credentials(id, m[id])
	}
	for id, admin := range map[string]bool{"AK-VALID": true, "AK-FORBID": false, "AK-TYPED": true, "AK-PASTED": true} {
		srv.AddKey(m3tertest.Key{AccessKeyID: id, Secret: m[id], OrgID: orgA, ServiceUserID: "su-1", ServiceUserName: "billing", Admin: admin})
	}
	srv.AddKey(m3tertest.Key{AccessKeyID: "AK-REJ", Secret: "not-the-stored-secret", OrgID: orgA})

	store, err := keystore.Create(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	key := func(id string) keystore.NewKey {
		s, err := keystore.NewSecret(m[id])
		if err != nil {
			t.Fatal(err)
		}
		return keystore.NewKey{AccessKeyID: id, Secret: s}
	}
	if err := store.Update(func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: srv.URL}),
			tx.AddOrg(keystore.NewOrg{ID: orgB, Name: "Down Org", APIURL: down}),
			tx.AddUser(orgA, "billing"), tx.AddUser(orgA, "reports"), tx.AddUser(orgA, "spare"), tx.AddUser(orgB, "ops"),
			tx.AddKey(orgA, "billing", key("AK-VALID")), tx.AddKey(orgA, "billing", key("AK-REJ")),
			tx.AddKey(orgA, "reports", key("AK-FORBID")), tx.AddKey(orgB, "ops", key("AK-DOWN")),
		)
	}); err != nil {
		t.Fatal(err)
	}

	f := &frames{sec: sec}
	model := recorder{f: f, inner: ui.New(ui.Deps{
		Vault:   ui.NewVault(dir),
		Checker: &authclient.Batch{Client: authclient.New(authclient.Options{Timeout: 3 * time.Second})},
		Verify:  true,
	})}
	tm := teatest.NewTestModel(t, model, teatest.WithInitialTermSize(100, 30))
	var output bytes.Buffer // what the terminal was sent, drained as we go
	drain := func() { _, _ = io.Copy(&output, tm.Output()) }
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			drain()
			if f.seen(func(v string) bool { return strings.Contains(strings.Join(strings.Fields(stripBox(v)), " "), what) }) {
				return
			}
			if time.Now().After(deadline) {
				v, _ := f.lastFrame()
				shown := v
				if len(sec.scan("", []byte(v), scanOpts{})) > 0 {
					shown = "(frame withheld: it holds a secret)"
				}
				t.Fatalf("the screen never showed %q; last frame:\n%s", what, shown)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// waitStatus waits for the status line that gives a key's test result.
	waitStatus := func(id, result string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			drain()
			if f.seen(func(v string) bool {
				for _, line := range strings.Split(v, "\n") {
					if strings.HasPrefix(strings.TrimSpace(line), id+":") && strings.Contains(line, result) {
						return true
					}
				}
				return false
			}) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no status line for %s %s", id, result)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	press := func(keys ...string) {
		for _, k := range keys {
			tm.Send(keyMsg(k))
			time.Sleep(30 * time.Millisecond) // let the frame for each key be drawn
		}
	}
	paste := func(s string) { tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true}) }

	// Unlock: a wrong passphrase, then the right one.
	waitFor("Unlock your keystore")
	tm.Type("wrong " + pass)
	press("enter")
	waitFor("incorrect passphrase")
	press("ctrl+u")
	tm.Type(pass)
	press("enter")
	waitFor("Down Org")

	// Organizations: test every key.
	press("T")
	waitFor("2 failing")
	press("?")
	waitFor("help")
	press("esc", "/")
	tm.Type("Acme")
	press("enter")

	// One organization: test each key, add keys, toggle, history.
	press("home", "enter")
	waitFor("AK-VALID")
	press("a") // billing has two keys
	waitFor("already has two")
	press("t")
	waitStatus("AK-VALID", "valid")
	press("down", "t")
	waitStatus("AK-REJ", "rejected")
	press("down", "a") // reports
	waitFor("New access key for reports")
	tm.Type("AK-TYPED")
	press("tab")
	tm.Type(m["AK-TYPED"] + " x") // not a valid secret
	press("enter", "enter")
	waitFor("API secret")
	press("esc")
	press("a")
	waitFor("New access key for reports")
	tm.Type("AK-TYPED")
	press("tab")
	tm.Type(m["AK-TYPED"])
	press("enter", "enter")
	waitFor("added AK-TYPED")
	press("t")
	waitStatus("AK-TYPED", "valid")
	press("down", "down", "a") // spare, no keys
	waitFor("New access key for spare")
	tm.Type("AK-PASTED")
	press("tab")
	paste(m["AK-PASTED"] + "\n")
	press("enter")
	tm.Type(orgB) // the popup names another organization
	press("enter")
	waitFor("organization ID")
	press("ctrl+u")
	press("enter")
	waitFor("added AK-PASTED")
	press("t")
	waitStatus("AK-PASTED", "valid")
	press("s")
	waitFor("INACTIVE?")
	press("y")
	waitFor("last ACTIVE key")
	press("y")
	press("h")
	waitFor("History")
	press("esc", "?")
	press("esc", "/")
	tm.Type("AK")
	press("esc", "esc", "esc")

	// The organization m3ter cannot be reached for.
	waitFor("Down Org")
	press("end", "enter")
	waitFor("AK-DOWN")
	press("t")
	waitStatus("AK-DOWN", "undetermined")
	press("esc", "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	drain()
	_, n := f.lastFrame()

	findings := f.findings()
	findings = append(findings, sec.scan("TUI terminal output", output.Bytes(), scanOpts{})...)
	for _, tree := range []struct{ label, dir string }{{"store", dir}, {"$TMPDIR", tmp}} {
		found, _ := sec.scanTree(t, tree.label, tree.dir, storeFiles)
		findings = append(findings, found...)
	}
	report(t, findings)

	// The session did what it says: the secrets typed and pasted are stored as given.
	reopened, err := keystore.Open(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"AK-TYPED", "AK-PASTED"} {
		if ref, ok := reopened.Document().Key(id); !ok || ref.Key.Secret.Reveal() != m[id] {
			t.Errorf("%s is not stored with the secret entered", id)
		}
	}
	t.Logf("%d frames, %d bytes of terminal output scanned", n, output.Len())
}

// keyMsg is a key by name ("enter", "ctrl+u") or runes.
func keyMsg(k string) tea.KeyMsg {
	special := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown,
		"tab": tea.KeyTab, "ctrl+u": tea.KeyCtrlU, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace,
	}
	if t, ok := special[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
