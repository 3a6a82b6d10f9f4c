package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// copyHarness is the organization screen of the sample store with a fake clipboard and a
// clock the test moves; the cursor is on AK-BILLING-NEW, whose secret was never handed out.
func copyHarness(t *testing.T) (*harness, *keystore.Store, *clipboard.Fake, *time.Time) {
	t.Helper()
	h, store := unlocked(t)
	fake := h.app.c.deps.Clipboard.(*clipboard.Fake)
	now := testNow
	h.app.c.deps.Clock = func() time.Time { return now }
	h.openOrg("Acme production")
	h.selectRow("AK-BILLING-NEW")
	return h, store, fake, &now
}

func copiedAt(t *testing.T, s *keystore.Store, keyID string) time.Time {
	t.Helper()
	ref, ok := s.Document().Key(keyID)
	if !ok {
		t.Fatalf("no key %s", keyID)
	}
	return ref.Key.SecretCopiedAt
}

func TestCopySecretOnce(t *testing.T) {
	h, store, fake, _ := copyHarness(t)
	h.press("c", "y")
	if !fake.Holds(testSecret + "2") {
		t.Fatal("the clipboard does not hold AK-BILLING-NEW's secret after c")
	}
	if copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("the store does not say the secret was handed out")
	}
	h.wantView("secret of AK-BILLING-NEW copied — clipboard clears in 30s", "AK-BILLING-NEW ACTIVE 3d copied 2026-11-26")

	h.press("c")
	if fake.Writes() != 1 {
		t.Fatalf("%d writes after a second c, want 1", fake.Writes())
	}
	h.wantView("the secret of AK-BILLING-NEW was handed out on 2026-11-26 12:00",
		"add a new key in the m3ter Console, then retire this one")
}

// The store is the judge: a secret handed out by another m3keys (m3keys copy) since the
// screen was drawn is refused, and nothing reaches the clipboard.
func TestCopySecretRefusedWhenTheStoreSaysCopied(t *testing.T) {
	h, _, fake, _ := copyHarness(t)
	other, err := keystore.Open(h.app.c.deps.Vault.Dir(), passphrase)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Update(func(tx *keystore.Tx) error { return tx.MarkSecretCopied("AK-BILLING-NEW") }); err != nil {
		t.Fatal(err)
	}
	h.press("c", "y")
	if !fake.Empty() || fake.Writes() != 0 {
		t.Fatal("a secret the store says was handed out reached the clipboard")
	}
	h.wantView("the secret of AK-BILLING-NEW was handed out on", "AK-BILLING-NEW ACTIVE 3d copied")
}

func TestCopySecretRollsBackWhenTheWriteFails(t *testing.T) {
	h, store, fake, _ := copyHarness(t)
	fake.FailWrites(errors.New("xclip: exit status 1"))
	before := len(store.Document().History)
	h.press("c", "y")
	if !copiedAt(t, store, "AK-BILLING-NEW").IsZero() {
		t.Fatal("the mark stayed after the clipboard write failed")
	}
	if h.app.clip.pending.Held() {
		t.Fatal("a failed write left a countdown")
	}
	h.wantView("the secret of AK-BILLING-NEW was not copied: xclip: exit status 1",
		"install xclip or wl-clipboard, or run with --clipboard osc52", "nothing was handed out", "AK-BILLING-NEW ACTIVE 3d copy once")
	hist := store.Document().History[before:]
	if len(hist) != 2 || hist[0].Action != "secret.copy" || hist[1].Action != "secret.copy-failed" {
		t.Fatalf("history after a failed copy: %+v", hist)
	}

	fake.FailWrites(nil)
	h.press("c", "y")
	if !fake.Holds(testSecret + "2") {
		t.Fatal("c after a failed write did not copy")
	}
}

func TestCopyCountsDownAndClears(t *testing.T) {
	h, _, fake, now := copyHarness(t)
	h.press("c", "y")
	tick := clipTickMsg{seq: h.app.clip.seq}
	*now = now.Add(time.Second)
	h.send(tick)
	h.wantView("clipboard clears in 29s")
	*now = now.Add(22 * time.Second)
	h.send(tick)
	h.wantView("secret of AK-BILLING-NEW copied — clipboard clears in 7s")
	*now = now.Add(7 * time.Second)
	h.send(tick)
	if !fake.Empty() {
		t.Fatal("the clipboard still holds the secret after the timeout")
	}
	h.wantView("clipboard cleared")
	h.wantNotView("clipboard clears in")
}

// Something else copied during the countdown is left alone; OSC 52, which cannot read back, clears blindly.
func TestCopyClearsOnlyWhatItPutThere(t *testing.T) {
	h, _, fake, now := copyHarness(t)
	h.press("c", "y")
	fake.Set("the user's own text")
	*now = now.Add(30 * time.Second)
	h.send(clipTickMsg{seq: h.app.clip.seq})
	if !fake.Holds("the user's own text") {
		t.Fatal("the timeout cleared what another program copied")
	}
	h.wantView("clipboard left alone: it holds something else now")
}

// The next copy replaces the one pending: it is cleared first, and its countdown goes.
func TestNextCopyReplacesThePendingOne(t *testing.T) {
	h, _, fake, _ := copyHarness(t)
	h.press("c", "y")
	first := h.app.clip.seq
	h.selectRow("AK-BILLING-OLD")
	h.press("c", "y")
	if fake.Clears() != 1 || !fake.Holds(testSecret) {
		t.Fatalf("after a second copy: %d clears, holds the second secret: %v", fake.Clears(), fake.Holds(testSecret))
	}
	h.wantView("secret of AK-BILLING-OLD copied")
	h.wantNotView("secret of AK-BILLING-NEW copied")
	h.send(clipTickMsg{seq: first})
	if fake.Clears() != 1 {
		t.Fatal("a tick of the replaced copy did something")
	}
}

func TestQuitClearsTheClipboard(t *testing.T) {
	for _, quit := range []func(h *harness){
		func(h *harness) { h.press("q") },
		func(h *harness) { h.press("ctrl+c") },
		func(h *harness) { h.send(Hangup{}) },
	} {
		h, _, fake, _ := copyHarness(t)
		h.press("c", "y")
		quit(h)
		if !h.quit {
			t.Fatal("did not quit")
		}
		if !fake.Empty() {
			t.Fatal("quitting left the secret on the clipboard")
		}
	}
}

// A hang-up quits even when the save it makes first fails: the terminal is gone.
func TestHangupQuitsWhenTheSaveFails(t *testing.T) {
	h, store, fake, _ := copyHarness(t)
	h.press("c", "y")
	h.app.c.store = failingStore{Store: store, err: lockTimeout}
	h.app.saves.unsaved = []livecheck.Result{{KeyID: "AK-BILLING-NEW", Live: resultWith("ok"), At: testNow}}
	h.send(Hangup{})
	if !h.quit || !fake.Empty() {
		t.Fatalf("after a hang-up with a failing save: quit %v, clipboard empty %v", h.quit, fake.Empty())
	}
}

func TestCopyKeysOnlyWhereTheyWork(t *testing.T) {
	h, _, _, _ := copyHarness(t)
	k := h.app.c.keys
	if !k.Copy.Enabled() || !k.CopyToken.Enabled() {
		t.Fatal("c and y are off on a key row")
	}
	h.selectRow("new-integration")
	if k.Copy.Enabled() || k.CopyToken.Enabled() {
		t.Fatal("c and y are on for a service user without keys")
	}
	h.press("esc")
	if k.Copy.Enabled() || k.CopyToken.Enabled() {
		t.Fatal("c and y are on on the organizations screen")
	}

	vault, store := newTestStore(t)
	sample(t, store)
	h = newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.openOrg("Acme production")
	h.press("?")
	h.wantNotView("copy")
	h.press("esc", "c", "y")
	h.wantNotView("copied —", "clipboard")
	if !copiedAt(t, store, "AK-BILLING-OLD").IsZero() {
		t.Fatal("c without a clipboard marked the secret as handed out")
	}
}

// tokenHarness is an organization on a fake m3ter with one key, a fake clipboard and a movable clock.
func tokenHarness(t *testing.T) (*harness, *m3tertest.Server, *clipboard.Fake, *time.Time) {
	t.Helper()
	srv := m3tertest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddKey(m3tertest.Key{AccessKeyID: "AK-LIVE", Secret: testSecret, OrgID: orgA, ServiceUserID: "su-1", Admin: true})
	vault, store := newTestStore(t)
	if err := store.Update(func(tx *keystore.Tx) error {
		return errors.Join(
			tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Live", APIURL: srv.URL}),
			tx.AddUser(orgA, "ops"),
			tx.AddKey(orgA, "ops", keystore.NewKey{AccessKeyID: "AK-LIVE", Secret: secret(t, testSecret)}),
			tx.AddKey(orgA, "ops", keystore.NewKey{AccessKeyID: "AK-UNKNOWN", Secret: secret(t, testSecret+"x")}),
		)
	}); err != nil {
		t.Fatal(err)
	}
	fake := &clipboard.Fake{}
	now := testNow
	h := newHarness(t, Deps{Vault: fixedVault{vault, store}, Passphrase: passphrase, Verify: true,
		Checker: authclient.New(authclient.Options{Timeout: 5 * time.Second}), Clipboard: fake, ClipTimeout: 30 * time.Second,
		Clock: func() time.Time { return now }})
	h.openOrg("Live")
	h.selectRow("AK-LIVE")
	return h, srv, fake, &now
}

func tokenRequests(srv *m3tertest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "token") {
			n++
		}
	}
	return n
}

// y copies the token of the last test, any number of times, and fetches a fresh one when
// there is none or it expires within 5 minutes. The harness checks no frame shows it.
func TestCopyTokenFromTheLastTest(t *testing.T) {
	h, srv, fake, now := tokenHarness(t)
	h.press("t")
	held, ok := h.app.c.tokens.Get(liveKey(h))
	if !ok {
		t.Fatal("a valid test left no token to copy")
	}
	token := held.BearerToken()
	before := tokenRequests(srv)
	h.press("y", "y")
	if !fake.Holds(token) || tokenRequests(srv) != before {
		t.Fatalf("y after a test: holds the test's token %v, %d new token requests", fake.Holds(token), tokenRequests(srv)-before)
	}
	h.wantView("Bearer token for AK-LIVE copied — clipboard clears in 30s")

	*now = now.Add(m3tertest.TokenLifetime - 4*time.Minute)
	h.press("y")
	if tokenRequests(srv) != before+1 {
		t.Fatal("a token expiring within 5 minutes was copied instead of a fresh one")
	}
	if fresh, _ := h.app.c.tokens.Get(liveKey(h)); fresh.BearerToken() == "" || !fake.Holds(fresh.BearerToken()) {
		t.Fatal("the fresh token is not on the clipboard")
	}
	if fake.Writes() != 3 {
		t.Fatalf("%d writes for three y, want 3", fake.Writes())
	}
}

func TestCopyTokenWithoutATestFetchesOne(t *testing.T) {
	h, srv, fake, _ := tokenHarness(t)
	h.press("y")
	if tokenRequests(srv) != 1 || fake.Empty() {
		t.Fatalf("y with no test: %d token requests, clipboard empty %v", tokenRequests(srv), fake.Empty())
	}
	// The token is a token-only check of the key, which is no longer untested.
	if _, k := h.org().selected(); k == nil || k.LastCheck == nil || k.LastCheck.Result != "valid" || k.LastCheck.Verified {
		t.Fatalf("y on an untested key left its last check %+v, want a token-only valid check", k.LastCheck)
	}
	h.wantView("✓ valid (token only)")
	h.selectRow("AK-UNKNOWN")
	h.press("y")
	h.wantView("AK-UNKNOWN: no token:", "press t to test the key")
	if fake.Writes() != 1 {
		t.Fatal("a refused token request wrote the clipboard")
	}
	if fake.Empty() {
		t.Fatal("a refused token request cleared the last copy")
	}
}

// liveKey is AK-LIVE as the token cache holds it: by ID and a hash naming URL and secret.
func liveKey(h *harness) authclient.Key {
	ref, _ := h.app.c.doc.Key("AK-LIVE")
	return authclient.Key{OrgID: ref.Org.ID, APIURL: ref.Org.APIURL, AccessKeyID: "AK-LIVE", Secret: ref.Key.Secret.Reveal()}
}
