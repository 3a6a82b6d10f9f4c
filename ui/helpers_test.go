package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/keystore"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC // times on screen are local: the same on every machine; a test may pin another zone
	os.Exit(m.Run())
}

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const (
	orgA       = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	orgB       = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
	passphrase = "correct horse battery staple"
	// testSecret must never appear on screen.
	testSecret = "SEKRET-zebra-42-never-on-screen"
)

func clock() time.Time { return testNow }

// fakeChecker answers from a table of results by Access Key ID; valid otherwise, with
// users/me naming the key's m3ter service user (see serviceUserOf).
type fakeChecker struct {
	mu      sync.Mutex
	results map[string]authclient.Result
	// users is the m3ter service user of keys the sample does not have (a key a test adds).
	users map[string]string
	calls []authclient.Key
}

// sampleServiceUsers are the m3ter service users of the sample's keys: one per service user,
// as in m3ter (billing-sync's two keys are one user's; its id is the one the goldens show).
var sampleServiceUsers = map[string]string{
	"AK-BILLING-OLD": "su-AK-BILLING-NEW",
	"AK-BILLING-NEW": "su-AK-BILLING-NEW",
}

// serviceUserOf is the m3ter service user users/me names for a key: the sample's, a test's,
// else a user of its own.
func (f *fakeChecker) serviceUserOf(keyID string) string {
	if id, ok := f.users[keyID]; ok {
		return id
	}
	if id, ok := sampleServiceUsers[keyID]; ok {
		return id
	}
	return "su-" + keyID
}

func (f *fakeChecker) Check(_ context.Context, k authclient.Key, _ bool) authclient.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, k)
	if r, ok := f.results[k.AccessKeyID]; ok {
		return r
	}
	return authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200, TokenLatency: 120 * time.Millisecond,
		VerifyLatency: 64 * time.Millisecond, ExpiresIn: 5 * time.Hour, ServiceUserID: f.serviceUserOf(k.AccessKeyID),
		Message: "token works for the organization"}
}

func (f *fakeChecker) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, k := range f.calls {
		ids = append(ids, k.AccessKeyID)
	}
	return ids
}

// failingStore refuses every change with err, to see store errors reach the user.
type failingStore struct {
	Store
	err error
}

func (s failingStore) Update(func(*keystore.Tx) error) error { return s.err }

type fixedVault struct {
	Vault
	store Store
}

func (v fixedVault) Unlock(pass string) (Store, error) {
	if _, err := v.Vault.Unlock(pass); err != nil {
		return nil, err
	}
	return v.store, nil
}

// newTestStore makes a real keystore in a temp dir, with a fixed clock.
func newTestStore(t testing.TB) (Vault, *keystore.Store) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store") // the store insists on a private directory
	s, err := keystore.Create(dir, passphrase)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(clock)
	return NewVault(dir), s
}

func secret(t testing.TB, s string) keystore.Secret {
	t.Helper()
	sec, err := keystore.NewSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// sample fills a store with what the screens show: two organizations, a user with
// two keys (one stale), a rejected key, a forbidden one, a user without keys.
func sample(t testing.TB, s *keystore.Store) {
	t.Helper()
	days := func(n int) time.Time { return testNow.Add(-time.Duration(n) * 24 * time.Hour) }
	err := s.Update(func(tx *keystore.Tx) error {
		steps := []error{
			tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme production", APIURL: "https://api.m3ter.com"}),
			tx.AddOrg(keystore.NewOrg{ID: orgB, Name: "Acme staging", APIURL: "https://api.staging.m3ter.com"}),
			tx.AddUser(orgA, "billing-sync"),
			tx.AddUser(orgA, "reports"),
			tx.AddUser(orgA, "new-integration"),
			tx.AddUser(orgB, "ops"),
			tx.AddKey(orgA, "billing-sync", keystore.NewKey{AccessKeyID: "AK-BILLING-OLD", Secret: secret(t, testSecret), CreatedAt: days(120)}),
			tx.AddKey(orgA, "billing-sync", keystore.NewKey{AccessKeyID: "AK-BILLING-NEW", Secret: secret(t, testSecret+"2"), CreatedAt: days(3)}),
			tx.AddKey(orgA, "reports", keystore.NewKey{AccessKeyID: "AK-REPORTS", Secret: secret(t, testSecret+"3"), CreatedAt: days(30)}),
			tx.AddKey(orgB, "ops", keystore.NewKey{AccessKeyID: "AK-OPS", Secret: secret(t, testSecret+"4"), CreatedAt: days(45)}),
			tx.RecordCheck("AK-BILLING-OLD", keystore.Check{At: testNow.Add(-2 * time.Hour), Result: "valid", Verified: true, HTTPStatus: 200, LatencyMs: 184, Message: "token works"}),
			tx.RecordCheck("AK-REPORTS", keystore.Check{At: testNow.Add(-26 * time.Hour), Result: "rejected", Verified: true, HTTPStatus: 401, LatencyMs: 90, Message: "m3ter refused the credentials"}),
			tx.RecordCheck("AK-OPS", keystore.Check{At: testNow.Add(-5 * time.Minute), Result: "forbidden", Verified: true, HTTPStatus: 403, LatencyMs: 150, Message: "service user lacks permission"}),
			tx.MarkSecretCopied("AK-REPORTS"),
		}
		return errors.Join(steps...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// harness drives an App the way the program would, running every command
// synchronously; timers are switched off (tests send clearStatusMsg themselves).
type harness struct {
	t       testing.TB
	app     *App
	checker *fakeChecker
	quit    bool
}

func newHarness(t testing.TB, deps Deps) *harness {
	t.Helper()
	if deps.Clock == nil {
		deps.Clock = clock
	}
	h := &harness{t: t, app: New(deps)}
	if fc, ok := deps.Checker.(*fakeChecker); ok {
		h.checker = fc
	}
	h.app.c.after = func(time.Duration, tea.Msg) tea.Cmd { return nil }
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(h.app.Init())
	return h
}

// unlocked is a harness past the unlock screen on a sample store.
func unlocked(t testing.TB) (*harness, *keystore.Store) {
	t.Helper()
	vault, store := newTestStore(t)
	sample(t, store)
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase,
		Clipboard: &clipboard.Fake{}, ClipTimeout: 30 * time.Second})
	if !on[*orgsScreen](h) {
		t.Fatalf("not on the organizations screen after unlocking:\n%s", h.view())
	}
	return h, store
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.app.Update(msg)
	v := h.app.View()
	if strings.Contains(v, testSecret) || strings.Contains(flat(v), testSecret) {
		h.t.Fatalf("a secret is on screen after %#v:\n%s", msg, v)
	}
	h.app.c.tokens.Range(func(id string, r authclient.Result) {
		if t := r.BearerToken(); t != "" && (strings.Contains(v, t) || strings.Contains(flat(v), t)) {
			h.t.Fatalf("the Bearer token of %s is on screen after %T (not shown here)", id, msg)
		}
	})
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	default:
		h.send(msg)
	}
}

// press sends keys: names like "enter", "esc", "down", "ctrl+c", or runes.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

// typeText types s into the focused field, as a paste.
func (h *harness) typeText(s string) {
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
}

func keyMsg(k string) tea.KeyMsg {
	special := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "ctrl+c": tea.KeyCtrlC,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace,
	}
	if t, ok := special[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) view() string { return h.app.View() }

// flat is the view as one line of words, so wrapped sentences can be found.
func flat(v string) string {
	v = strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(v)
	return strings.Join(strings.Fields(v), " ")
}

func (h *harness) wantView(substrs ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range substrs {
		if !strings.Contains(flat(v), s) {
			h.t.Fatalf("view lacks %q:\n%s", s, v)
		}
	}
}

func (h *harness) wantNotView(substrs ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range substrs {
		if strings.Contains(v, s) || strings.Contains(flat(v), s) {
			h.t.Fatalf("view shows %q:\n%s", s, v)
		}
	}
}

// openOrg goes from the organizations screen into the organization named.
func (h *harness) openOrg(name string) {
	h.t.Helper()
	for range len(h.orgs().rows) {
		if r := h.orgs().selected(); r != nil && r.name == name {
			h.press("enter")
			return
		}
		h.press("down")
	}
	h.t.Fatalf("no organization %q", name)
}

// selectRow moves the organization screen's cursor to a key or a user without keys.
func (h *harness) selectRow(name string) {
	h.t.Helper()
	h.press("home")
	for range len(h.org().lines) {
		u, k := h.org().selected()
		if (k != nil && k.AccessKeyID == name) || (k == nil && u != nil && u.Name == name) {
			return
		}
		h.press("down")
	}
	h.t.Fatalf("no row %q:\n%s", name, h.view())
}

func resultWith(message string) authclient.Result {
	return authclient.Result{Class: authclient.Valid, HTTPStatus: 200, Message: message}
}

// on reports whether the screen on top of the stack (under an overlay) is a T.
func on[T screen](h *harness) bool {
	_, ok := h.app.stack.top().(T)
	return ok
}

// over reports whether the overlay up is a T.
func over[T screen](h *harness) bool {
	if h.app.stack.over == nil {
		return false
	}
	_, ok := h.app.stack.over.s.(T)
	return ok
}

// topmost is the highest screen of type T on the stack, nil when there is none.
func topmost[T screen](a *App) T {
	for i := len(a.stack.entries) - 1; i >= 0; i-- {
		if s, ok := a.stack.entries[i].s.(T); ok {
			return s
		}
	}
	var none T
	return none
}

func (h *harness) unlock() *unlockScreen            { return topmost[*unlockScreen](h.app) }
func (h *harness) orgs() *orgsScreen                { return topmost[*orgsScreen](h.app) }
func (h *harness) org() *orgScreen                  { return topmost[*orgScreen](h.app) }
func (h *harness) history() *historyScreen          { return topmost[*historyScreen](h.app) }
func (h *harness) addKey() *formScreen[*addKeyForm] { return topmost[*formScreen[*addKeyForm]](h.app) }
func (h *harness) orgForm() *formScreen[*orgForm]   { return topmost[*formScreen[*orgForm]](h.app) }
func (h *harness) userForm() *formScreen[*userForm] { return topmost[*formScreen[*userForm]](h.app) }
