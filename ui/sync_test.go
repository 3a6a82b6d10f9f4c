package ui

import (
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// fakeTeam is a team store's git side: a status the test sets, and one answer per sync.
type fakeTeam struct {
	mu      sync.Mutex
	status  team.Status
	answers []syncAnswer // one per sync, in order; then up to date
	syncs   []SyncChoices
	trusted []*team.RecipientChange
}

type syncAnswer struct {
	res team.Result
	err error
}

func (f *fakeTeam) Status() (team.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, nil
}

func (f *fakeTeam) setStatus(st team.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = st
}

func (f *fakeTeam) Sync(_ Store, c SyncChoices) (team.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs = append(f.syncs, c)
	if len(f.answers) == 0 {
		return team.Result{Tries: 1}, nil
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a.res, a.err
}

func (f *fakeTeam) Trust(c *team.RecipientChange) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trusted = append(f.trusted, c)
	return nil
}

func (f *fakeTeam) syncCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.syncs)
}

var teamInSync = team.Status{Team: true, HasRemote: true}

// teamHarness opens the sample store as a team store; the sync on opening has run.
func teamHarness(t *testing.T, ft *fakeTeam) (*harness, *keystore.Store) {
	t.Helper()
	vault, store := newTestStore(t)
	sample(t, store)
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase, Team: ft})
	return h, store
}

// header is the view's first line.
func (h *harness) header() string { return strings.SplitN(h.view(), "\n", 2)[0] }

func TestTeamSingleStoreShowsNothingNew(t *testing.T) {
	without, _ := unlocked(t)
	notTeam := &fakeTeam{status: team.Status{Team: false}}
	vault, store := newTestStore(t)
	sample(t, store)
	with := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase,
		Clipboard: &clipboard.Fake{}, ClipTimeout: 30 * time.Second, Team: notTeam}) // as unlocked's, with a Team

	for _, h := range []*harness{without, with} {
		h.wantNotView("⇅", "S sync", "sync")
		h.press("S")
		h.press("?")
		h.wantNotView("sync")
		h.press("esc", "enter")
		h.wantNotView("⇅", "S sync")
	}
	if n := notTeam.syncCount(); n != 0 {
		t.Fatalf("a single-person store synced %d times", n)
	}
	if a, b := without.view(), with.view(); a != b {
		t.Fatalf("a store that is not a team store looks different with a Team:\n%s\n---\n%s", a, b)
	}
}

func TestTeamBadge(t *testing.T) {
	cases := []struct {
		status team.Status
		want   string
	}{
		{teamInSync, "⇅ in sync"},
		{team.Status{Team: true, HasRemote: true, Ahead: 2}, "⇅ 2 ahead"},
		{team.Status{Team: true, HasRemote: true, Behind: 3}, "⇅ 3 behind"},
		{team.Status{Team: true, HasRemote: true, Untrusted: true}, "⇅ trust needed"},
		{team.Status{Team: true}, "⇅ no remote"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			ft := &fakeTeam{status: tc.status}
			h, _ := teamHarness(t, ft)
			if !strings.HasSuffix(strings.TrimRight(h.header(), " "), tc.want) {
				t.Fatalf("header %q, want it to end in %q", h.header(), tc.want)
			}
			want := 1 // the sync on opening
			if !tc.status.HasRemote {
				want = 0
			}
			if n := ft.syncCount(); n != want {
				t.Fatalf("synced %d times on opening, want %d", n, want)
			}
			h.wantView("S sync")
		})
	}
}

func TestTeamSyncKeyShowsProgressAndRefreshesTheBadge(t *testing.T) {
	ft := &fakeTeam{status: teamInSync}
	h, _ := teamHarness(t, ft)
	h.openOrg("Acme production")

	// A save is a local commit: the badge is read again after it.
	ft.setStatus(team.Status{Team: true, HasRemote: true, Ahead: 1})
	h.selectRow("AK-BILLING-OLD")
	h.press("s", "y")
	if !strings.Contains(h.header(), "⇅ 1 ahead") {
		t.Fatalf("badge not refreshed after a save: %q", h.header())
	}

	ft.answers = []syncAnswer{{res: team.Result{Tries: 1, Pushed: true, Received: 2}}}
	ft.setStatus(teamInSync)
	_, cmd := h.app.Update(keyMsg("S"))
	if !strings.Contains(h.header(), "syncing…") {
		t.Fatalf("no progress while syncing: %q", h.header())
	}
	now := testNow
	h.app.c.deps.Clock = func() time.Time { return now }
	now = now.Add(30 * time.Second) // a stalled remote
	if !strings.Contains(h.header(), "waiting for the remote, 30 s") {
		t.Fatalf("a sync 30 s in does not say it waits for the remote: %q", h.header())
	}
	h.run(cmd)
	if n := ft.syncCount(); n != 2 {
		t.Fatalf("S synced %d times in all, want 2 (opening, S)", n)
	}
	h.wantView("⇅ in sync", "synced: took in 2 commit(s), pushed")
}

func TestTeamConflictsAreSettledOneByOneThenSyncedAgain(t *testing.T) {
	conflicts := []team.Conflict{
		{ID: "0a1b2c3d", Conflict: merge.Conflict{OrgID: orgA, User: "billing-sync", AccessKeyID: "AK-BILLING-NEW", Field: "deployedTo", Ours: "prod-eu", Theirs: "prod-us"}},
		{ID: "4e5f6a7b", Conflict: merge.Conflict{OrgID: orgA, User: "reports", Field: "name", Ours: "reports", Theirs: "reporting"}},
	}
	ft := &fakeTeam{status: teamInSync, answers: []syncAnswer{
		{res: team.Result{Tries: 1, Conflicts: conflicts}, err: team.ErrConflicts},
		{res: team.Result{Tries: 1, Merged: true, Pushed: true}},
	}}
	h, _ := teamHarness(t, ft)

	if _, ok := h.app.stack.top().(*conflictsScreen); !ok {
		t.Fatalf("no conflicts screen after a sync stopped on conflicts:\n%s", h.view())
	}
	h.app.Update(tea100x30)
	h.wantView("⇅ conflict", "0a1b2c3d", "billing-sync", "deployedTo", "prod-eu", "prod-us", "4e5f6a7b", "reporting", "nothing was saved")

	h.press("enter") // not every conflict is settled: enter does nothing yet
	if ft.syncCount() != 1 {
		t.Fatal("enter synced before every conflict was settled")
	}
	h.press("o", "t")
	h.wantView("enter syncs again")
	h.press("enter")

	if n := ft.syncCount(); n != 2 {
		t.Fatalf("synced %d times, want 2", n)
	}
	want := map[string]merge.Side{"0a1b2c3d": merge.Ours, "4e5f6a7b": merge.Theirs}
	if got := ft.syncs[1].Choose; !maps.Equal(got, want) {
		t.Fatalf("choices %v, want %v", got, want)
	}
	if _, ok := h.app.stack.top().(*orgsScreen); !ok {
		t.Fatalf("the conflicts screen stayed:\n%s", h.view())
	}
	h.wantView("⇅ in sync", "synced: merged both sides' changes, pushed")
}

func TestTeamConflictsAllTheirs(t *testing.T) {
	conflicts := []team.Conflict{
		{ID: "0a1b2c3d", Conflict: merge.Conflict{OrgID: orgA, Field: "name", Ours: "a", Theirs: "b"}},
		{ID: "4e5f6a7b", Conflict: merge.Conflict{OrgID: orgB, Field: "name", Ours: "c", Theirs: "d"}},
	}
	ft := &fakeTeam{status: teamInSync, answers: []syncAnswer{{res: team.Result{Conflicts: conflicts}, err: team.ErrConflicts}}}
	h, _ := teamHarness(t, ft)
	h.press("T", "enter")
	want := map[string]merge.Side{"0a1b2c3d": merge.Theirs, "4e5f6a7b": merge.Theirs}
	if n := ft.syncCount(); n != 2 || !maps.Equal(ft.syncs[1].Choose, want) {
		t.Fatalf("syncs %+v, want a second with %v", ft.syncs, want)
	}
}

func TestTeamTrustShowsWhoAndConfirms(t *testing.T) {
	change := &team.RecipientChange{
		Added:   []team.Changed{{Recipient: keystore.Recipient{Name: "carol", Key: "age1carolcarolcarol"}, Commit: "abc1234", Author: "bob", Date: "2026-11-25"}},
		Removed: []team.Changed{{Recipient: keystore.Recipient{Name: "dave", Key: "age1davedavedave"}, Commit: "def5678", Author: "alice", Date: "2026-11-24"}},
	}
	ft := &fakeTeam{status: team.Status{Team: true, HasRemote: true, Untrusted: true}, answers: []syncAnswer{
		{res: team.Result{Tries: 1, Pending: change}, err: team.ErrUntrusted},
	}}
	h, _ := teamHarness(t, ft)
	h.app.Update(tea100x30)
	h.wantView("⇅ trust needed", "Added:", "carol", "by bob in commit abc1234 on 2026-11-25",
		"Removed:", "dave", "by alice in commit def5678 on 2026-11-24", "y trust it")

	ft.setStatus(teamInSync)
	h.press("y")
	if len(ft.trusted) != 1 || ft.trusted[0] != change {
		t.Fatalf("trusted %v, want the change shown", ft.trusted)
	}
	if n := ft.syncCount(); n != 2 {
		t.Fatalf("synced %d times, want a sync after trusting", n)
	}
	h.wantView("⇅ in sync")
	if _, ok := h.app.stack.top().(*trustScreen); ok {
		t.Fatal("the trust screen stayed after y")
	}
}

func TestTeamTrustNotNow(t *testing.T) {
	change := &team.RecipientChange{Added: []team.Changed{{Recipient: keystore.Recipient{Name: "carol", Key: "age1carol"}}}}
	ft := &fakeTeam{status: teamInSync, answers: []syncAnswer{{res: team.Result{Pending: change}}}}
	h, _ := teamHarness(t, ft)
	h.wantView("not committed yet")
	h.press("n")
	if len(ft.trusted) != 0 {
		t.Fatal("n trusted the change")
	}
	h.wantView("not trusted: saves stay refused")
}

func TestTeamSyncErrorIsSaid(t *testing.T) {
	ft := &fakeTeam{status: teamInSync, answers: []syncAnswer{{err: errors.New("fetch failed: no route to host")}}}
	h, _ := teamHarness(t, ft)
	h.wantView("sync: fetch failed: no route to host")
}

// The organization screen marks a user a merge left over the limit, and a key a removed
// member could read; the organizations screen counts the exposed keys in its health.
func TestTeamOverLimitAndExposedAreMarked(t *testing.T) {
	vault, store := newTestStore(t)
	sample(t, store)
	doc := store.Document().Clone()
	o, _ := doc.Org(orgA)
	u, _ := o.User("billing-sync")
	u.Keys = append(u.Keys, keystore.AccessKey{AccessKeyID: "AK-BILLING-THIRD", Status: keystore.Active, CreatedAt: testNow})
	u.OverLimitAfterMerge = true
	r, _ := o.User("reports")
	r.Keys[0].Exposed = true
	h := newHarness(t, Deps{Vault: fixedVault{vault, docStore{store, doc}}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.app.Update(tea100x30)
	h.wantView("! 1 exposed")
	h.wantNotView("! 2 exposed") // INACTIVE or not, only the exposed key counts
	h.openOrg("Acme production")
	h.app.Update(tea100x30)
	h.wantView("3/2 slots", "over the limit after merge — inactivate and remove one", "exposed — rotate")
	h.selectRow("AK-REPORTS")
	h.wantView("a removed team member could read its secret")
}

// docStore shows a document the keystore's own rules would not let a test build.
type docStore struct {
	Store
	doc *keystore.Document
}

func (s docStore) Document() *keystore.Document { return s.doc }

var tea100x30 = tea.WindowSizeMsg{Width: 100, Height: 30}

// The screens a sync opens draw without changing anything, at every size.
func TestTeamScreensViewIsPure(t *testing.T) {
	change := &team.RecipientChange{Added: []team.Changed{{Recipient: keystore.Recipient{Name: "carol", Key: "age1carol"}, Commit: "abc1234", Author: "bob", Date: "2026-11-25"}}}
	conflicts := []team.Conflict{{ID: "0a1b2c3d", Conflict: merge.Conflict{OrgID: orgA, Field: "name", Ours: "a", Theirs: "b"}}}
	for name, answer := range map[string]syncAnswer{
		"conflicts": {res: team.Result{Conflicts: conflicts}, err: team.ErrConflicts},
		"trust":     {res: team.Result{Pending: change}, err: team.ErrUntrusted},
	} {
		t.Run(name, func(t *testing.T) {
			h, _ := teamHarness(t, &fakeTeam{status: teamInSync, answers: []syncAnswer{answer}})
			for _, size := range [][2]int{{60, 15}, {80, 24}, {200, 60}} {
				h.app.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				before := snapshot(h.app)
				if first, second := h.app.View(), h.app.View(); first != second {
					t.Fatalf("%dx%d: two views differ", size[0], size[1])
				}
				if lines := strings.Count(h.app.View(), "\n") + 1; lines != size[1] {
					t.Fatalf("%dx%d: %d lines", size[0], size[1], lines)
				}
				if after := snapshot(h.app); after != before {
					t.Fatalf("%dx%d: View changed the model", size[0], size[1])
				}
			}
		})
	}
}

// At 80×24 the conflicts screen shows the selected conflict whole: both values, however long,
// wrapped, and who made each side and when.
func TestTeamConflictDetailIsReadableAt80x24(t *testing.T) {
	conflicts := []team.Conflict{{ID: "0a1b2c3d",
		Conflict: merge.Conflict{OrgID: orgA, User: "billing-sync", AccessKeyID: "AK-BILLING-NEW", Field: "deployedTo",
			Ours: "vault kv/billing/m3ter/production/eu-west-1/primary", Theirs: "k8s secret billing-m3ter in namespace integrations-prod"},
		OursBy: "bob, 2026-12-01 14:03 UTC", TheirsBy: "alice, 2026-12-01 14:05 UTC"}}
	ft := &fakeTeam{status: teamInSync, answers: []syncAnswer{{res: team.Result{Tries: 1, Conflicts: conflicts}, err: team.ErrConflicts}}}
	h, _ := teamHarness(t, ft)
	h.app.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.wantView("eu-west-1/primary", "namespace integrations-prod", "bob, 2026-12-01 14:03 UTC", "alice, 2026-12-01 14:05 UTC", "o keeps yours")
	if n := strings.Count(h.view(), "\n") + 1; n > 24 {
		t.Fatalf("the conflicts screen is %d lines at 80×24", n)
	}
}
