package ui

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// unreachableTeam is a team store whose remote cannot be reached: a hand-out is refused
// unless made offline, and never pushed.
type unreachableTeam struct {
	*fakeTeam
	offline []bool // what each hand-out was asked with
}

func (f *unreachableTeam) HandOut(_ Store, offline bool) handout.Team {
	f.offline = append(f.offline, offline)
	return unreachableRemote{offline}
}

type unreachableRemote struct{ offline bool }

func (r unreachableRemote) BeforeMark(keyID string) (bool, error) {
	if r.offline {
		return true, nil
	}
	return false, &team.UnreachableError{KeyID: keyID, Err: errors.New("git fetch: could not read from remote repository")}
}

func (unreachableRemote) AfterDelivery(string) error { return team.ErrUnreachable }

func TestCopySecretAsksAgainWhenTheRemoteCannotBeReached(t *testing.T) {
	ut := &unreachableTeam{fakeTeam: &fakeTeam{status: team.Status{Team: true, HasRemote: true}}}
	vault, store := newTestStore(t)
	sample(t, store)
	fake := &clipboard.Fake{}
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase,
		Clipboard: fake, ClipTimeout: 30 * time.Second, Team: ut})
	h.openOrg("Acme production")
	h.selectRow("AK-BILLING-NEW")

	h.press("c", "y")
	if !fake.Empty() || fake.Writes() != 0 {
		t.Fatal("a hand-out the remote could not be asked about reached the clipboard without a second yes")
	}
	h.wantView("The remote cannot be reached: hand out the secret of AK-", "offline?", "recorded as unconfirmed")
	h.press("esc")
	if !fake.Empty() || !copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("declining the offline hand-out handed it out")
	}

	h.press("c", "y", "y")
	if !fake.Holds(testSecret + "2") {
		t.Fatal("the clipboard does not hold the secret after the second, explicit yes")
	}
	if want := []bool{false, false, true}; !slices.Equal(ut.offline, want) {
		t.Fatalf("hand-outs asked offline %v, want %v", ut.offline, want)
	}
	doc := store.Document()
	if ev := doc.History[len(doc.History)-1]; ev.Action != "secret.copy" || ev.Detail == "" {
		t.Fatalf("last history event %+v, want the hand-out recorded as offline", ev)
	}
	h.wantView("handed out offline, recorded as unconfirmed")
}

func TestHandedOutTwiceIsMarkedAndFailing(t *testing.T) {
	h, store, _, _ := copyHarness(t)
	// As a team store's merge leaves a key two members each handed out.
	if err := store.Update(func(tx *keystore.Tx) error {
		ref, _ := tx.Doc().Key("AK-BILLING-NEW")
		ref.Key.SecretCopiedAt, ref.Key.HandedOutTwice = testNow, true
		ref.Key.HandOuts = []keystore.HandOut{{Member: "alice", At: testNow}, {Member: "bob", At: testNow, Unconfirmed: true}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.app.c.setDoc(store.Document())
	h.wantView("handed out twice", "two team members each handed its secret out (alice 2026-11-26, bob 2026-11-26 offline)")
	if !h.app.c.needsAttention(mustKey(t, store, "AK-BILLING-NEW")) {
		t.Fatal("a key handed out twice is not kept by the failing filter")
	}
}

func mustKey(t *testing.T, s *keystore.Store, id string) *keystore.AccessKey {
	t.Helper()
	ref, ok := s.Document().Key(id)
	if !ok {
		t.Fatalf("no key %s", id)
	}
	return ref.Key
}
