package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

// leaves flattens a command into the commands a batch holds, without running the
// commands that do the work, so a test can deliver results in the order it wants.
func leaves(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Cmd{func() tea.Msg { return msg }}
	}
	var out []tea.Cmd
	for _, c := range batch {
		out = append(out, leaves(c)...)
	}
	return out
}

// stepRun delivers the results of a run one at a time: next handles one more result.
type stepRun struct {
	h       *harness
	pending []tea.Cmd
}

func (r *stepRun) add(cmd tea.Cmd) { r.pending = append(r.pending, leaves(cmd)...) }

// next runs pending commands until one check result has been handled; false when none is left.
func (r *stepRun) next() bool {
	for len(r.pending) > 0 {
		msg := r.pending[0]()
		r.pending = r.pending[1:]
		if msg == nil {
			continue
		}
		_, cmd := r.h.app.Update(msg)
		r.add(cmd)
		if _, ok := msg.(checkDoneMsg); ok {
			return true
		}
	}
	return false
}

func (r *stepRun) finish() {
	for r.next() {
	}
}

func (r *stepRun) press(key string) {
	_, cmd := r.h.app.Update(keyMsg(key))
	r.add(cmd)
}

// Issue 8 item 4: `t` on a key a `T` run already tested said "tested 8 keys" for 7.
// A key is tested once per run, and the user is told so.
func TestTestDuringARunCountsKeysOnce(t *testing.T) {
	h, _ := openAcme(t)
	run := &stepRun{h: h}
	run.press("T")
	if !run.next() { // AK-BILLING-OLD, the selected key, is done
		t.Fatal("no result")
	}
	run.press("t")
	h.wantView("AK-BILLING-OLD is already in this test run")
	run.finish()
	h.wantView("Acme production: tested 3 keys: 3 valid")
	if n := len(h.checker.called()); n != 3 {
		t.Errorf("%d checks for 3 keys", n)
	}
}

// Issue 8 item 12: one save per run, not one per result; nothing read from the store in Update.
func TestARunSavesItsResultsOnce(t *testing.T) {
	h, store := openAcme(t)
	counting := &countingStore{Store: store}
	h.app.c.store = counting
	h.press("T")
	if counting.updates != 1 {
		t.Errorf("%d saves for a run of 3 keys, want 1", counting.updates)
	}
	if counting.reads != 1 {
		t.Errorf("the document was read %d times, want once, in the save's command", counting.reads)
	}
	for _, id := range []string{"AK-BILLING-OLD", "AK-BILLING-NEW", "AK-REPORTS"} {
		if ref, _ := store.Document().Key(id); ref.Key.LastCheck == nil || ref.Key.LastCheck.At != testNow {
			t.Errorf("%s: result not saved: %+v", id, ref.Key.LastCheck)
		}
	}
}

// During a long run results are saved at most every flushEvery, never lost on quit.
func TestResultsInHandAreSavedOnQuit(t *testing.T) {
	h, store := openAcme(t)
	var ticks []tea.Msg
	h.app.c.after = func(_ time.Duration, msg tea.Msg) tea.Cmd { ticks = append(ticks, msg); return nil }
	run := &stepRun{h: h}
	run.press("T")
	run.next()
	run.next()
	if ref, _ := store.Document().Key("AK-BILLING-OLD"); ref.Key.LastCheck.At == testNow {
		t.Fatal("saved before the flush was due")
	}
	flushes := 0
	for _, m := range ticks {
		if _, ok := m.(flushChecksMsg); ok {
			flushes++
		}
	}
	if flushes != 1 {
		t.Fatalf("%d flushes scheduled for 2 results, want 1", flushes)
	}
	h.wantView("✓ valid 184ms just now") // shown before it is saved
	h.press("q")
	if !h.quit {
		t.Fatal("q did not quit once the results were saved")
	}
	for _, id := range []string{"AK-BILLING-OLD", "AK-BILLING-NEW"} {
		if ref, _ := store.Document().Key(id); ref.Key.LastCheck.At != testNow {
			t.Errorf("%s: result lost on quit: %+v", id, ref.Key.LastCheck)
		}
	}
}

// A failed save on quit keeps the program open and says what was not saved; ctrl+c then quits.
func TestQuitSaysWhatItCouldNotSave(t *testing.T) {
	h, store := openAcme(t)
	run := &stepRun{h: h}
	run.press("T")
	run.next()
	h.app.c.store = failingStore{Store: store, err: &keystore.LockTimeoutError{Path: "/s/lock", PID: 4242, Timeout: 10 * time.Second}}
	h.press("q")
	if h.quit {
		t.Fatal("quit with a result not saved")
	}
	h.wantView("not saved: 1 check result of this session", "another m3keys (pid 4242) is using the store", "ctrl+c to quit without it")
	h.press("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c after a failed save does not quit")
	}
}

// Issue 8 item 3: an organization whose server is down said "? untested".
func TestOrgsHealthTellsUnreachableFromUntested(t *testing.T) {
	cases := []struct {
		name   string
		checks map[string]keystore.Check // Acme production's keys
		want   string
	}{
		{"never tested", nil, "? 3 untested"},
		{"server down", map[string]keystore.Check{
			"AK-BILLING-OLD": {Result: "undetermined", Message: "connection refused"},
			"AK-BILLING-NEW": {Result: "undetermined", Message: "connection refused"},
			"AK-REPORTS":     {Result: "valid", Verified: true, HTTPStatus: 200},
		}, "? 2 unreachable 5m ago"},
		{"server erring", map[string]keystore.Check{
			"AK-BILLING-OLD": {Result: "undetermined", HTTPStatus: 503},
			"AK-BILLING-NEW": {Result: "undetermined", Message: "timeout"},
			"AK-REPORTS":     {Result: "valid", Verified: true, HTTPStatus: 200},
		}, "? 2 undetermined 5m ago"},
		{"failing first", map[string]keystore.Check{
			"AK-BILLING-OLD": {Result: "undetermined"},
			"AK-BILLING-NEW": {Result: "rejected", HTTPStatus: 401},
			"AK-REPORTS":     {Result: "valid", Verified: true, HTTPStatus: 200},
		}, "✗ 1 failing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vault, store := newTestStore(t)
			err := store.Update(func(tx *keystore.Tx) error {
				if err := tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme production", APIURL: "https://api.m3ter.com"}); err != nil {
					return err
				}
				if err := tx.AddUser(orgA, "u"); err != nil {
					return err
				}
				if err := tx.AddUser(orgA, "v"); err != nil {
					return err
				}
				for i, id := range []string{"AK-BILLING-OLD", "AK-BILLING-NEW", "AK-REPORTS"} {
					if err := tx.AddKey(orgA, []string{"u", "u", "v"}[i], keystore.NewKey{AccessKeyID: id, Secret: secret(t, testSecret), CreatedAt: testNow}); err != nil {
						return err
					}
					if ch, ok := c.checks[id]; ok {
						ch.At = testNow.Add(-5 * time.Minute)
						if err := tx.RecordCheck(id, ch); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase})
			h.send(tea.WindowSizeMsg{Width: 100, Height: 20})
			h.wantView(c.want)
		})
	}
}

// countingStore counts saves and document reads.
type countingStore struct {
	Store
	updates, reads int
}

func (s *countingStore) Update(change func(*keystore.Tx) error) error {
	s.updates++
	return s.Store.Update(change)
}

func (s *countingStore) Document() *keystore.Document {
	s.reads++
	return s.Store.Document()
}

// The results of a run tested from the organizations screen go into every organization.
func TestOrgsTestEveryOrganizationShowsResultsEverywhere(t *testing.T) {
	h, _ := unlocked(t)
	h.checker.results = map[string]authclient.Result{
		"AK-OPS": {Class: authclient.Undetermined, Message: "dial tcp: connection refused"},
	}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 20})
	h.press("T")
	h.wantView("2 organizations: tested 4 keys: 3 valid 1 undetermined", "? 1 unreachable just now")
	if strings.Contains(h.view(), "untested") {
		t.Fatalf("still untested after T:\n%s", h.view())
	}
}

// waitingFake is a Checker that, like authclient.Batch, tells of a wait before a retry.
type waitingFake struct {
	*fakeChecker
	waitFor string // the key whose check waits
}

func (f waitingFake) CheckWaiting(ctx context.Context, k authclient.Key, verify bool, onWait func(authclient.Wait)) authclient.Result {
	if k.AccessKeyID == f.waitFor {
		onWait(authclient.Wait{AccessKeyID: k.AccessKeyID, For: 7 * time.Second, Reason: "429"})
	}
	return f.Check(ctx, k, verify)
}

// A wait before a retry shows in the header's progress while it lasts: "waiting 7 s: 429".
func TestTestRunShowsTheWaitBeforeARetry(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: waitingFake{&fakeChecker{}, "AK-OPS"}, Passphrase: passphrase})
	h.press("T")
	run := h.app.c.checks
	if got := run.waits.current(testNow); got != "waiting 7 s: 429" {
		t.Fatalf("the run's wait is %q, want the checker's", got)
	}
	run.total, run.done = 4, 2 // as while the run went on
	if got := run.progress(testNow); got != "testing 2/4 · waiting 7 s: 429" {
		t.Errorf("progress %q during the wait", got)
	}
	if got := run.progress(testNow.Add(7 * time.Second)); got != "testing 2/4" {
		t.Errorf("progress %q after the wait", got)
	}
}
