package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

func newRecipient(t *testing.T, name string) (Recipient, *age.X25519Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return Recipient{Key: id.Recipient().String(), Name: name}, id
}

func TestRecipientsParse(t *testing.T) {
	a, _ := newRecipient(t, "alice")
	b, _ := newRecipient(t, "bob smith")
	rs, err := ParseRecipients([]byte("# the team\n\n" + a.Key + " # alice\n  " + b.Key + "   #   bob smith  \n"))
	if err != nil || len(rs) != 2 || rs[1] != b {
		t.Fatalf("parse = %+v, %v", rs, err)
	}
	again, err := ParseRecipients(rs.Marshal())
	if err != nil || !again.SameSet(rs) || again[0] != a {
		t.Fatalf("round trip = %+v, %v", again, err)
	}
	for name, text := range map[string]string{
		"empty":     "# nobody\n",
		"not age":   "ssh-ed25519 AAAA # carol\n",
		"no name":   a.Key + "\n",
		"twice":     a.Key + " # a\n" + a.Key + " # b\n",
		"long name": a.Key + " # " + strings.Repeat("x", 101) + "\n",
	} {
		if _, err := ParseRecipients([]byte(text)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: parse = %v, want ErrCorrupt", name, err)
		}
	}
	if err := ValidateMemberName("a#b"); err == nil {
		t.Error("a name with # was accepted")
	}
	added, removed := Recipients{a}.Diff(Recipients{b})
	if len(added) != 1 || added[0] != b || len(removed) != 1 || removed[0] != a {
		t.Errorf("diff = +%v -%v", added, removed)
	}
}

// A team store encrypts to every trusted member; a list changed behind this member's back
// (as a sync brings it) stops every save until it is trusted.
func TestRecipientChangeRefusesSavesUntilTrusted(t *testing.T) {
	s, dir := newStore(t)
	var summaries []string
	s.opts.afterSave = func(summary string) error { summaries = append(summaries, summary); return nil }
	me := Recipient{Key: s.Member().Recipient(), Name: "me"}
	bob, bobID := newRecipient(t, "bob")
	if err := s.SetRecipients(Recipients{me, bob}, func(tx *Tx) error { return tx.Record("member.add", "", "", "", "bob") }); err != nil {
		t.Fatal(err)
	}
	if !IsTeam(dir) || len(summaries) != 1 || summaries[0] != "member.add bob" {
		t.Fatalf("team = %v, summaries %q", IsTeam(dir), summaries)
	}
	data, _ := os.ReadFile(filepath.Join(dir, DocumentFile))
	if _, err := (&Member{id: fromSecret(bobID)}).DecryptDocument(data, "keystore.age"); err != nil {
		t.Fatalf("bob cannot read the store he was added to: %v", err)
	}

	carol, carolID := newRecipient(t, "carol")
	if err := os.WriteFile(filepath.Join(dir, RecipientsFile), Recipients{me, bob, carol}.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "ingest") })
	if !errors.Is(err, ErrUntrustedRecipients) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("save with an untrusted list = %v", err)
	}
	if after := snapshot(t, dir); string(after[DocumentFile]) != string(before[DocumentFile]) {
		t.Fatal("a refused save wrote keystore.age")
	}
	if err := Trust(dir, Recipients{me, bob, carol}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k2", Secret: mustSecret(t, secret+"2")})
	}); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, DocumentFile))
	if _, err := (&Member{id: fromSecret(carolID)}).DecryptDocument(data, "keystore.age"); err != nil {
		t.Fatalf("carol cannot read a save made after she was trusted: %v", err)
	}
	last := summaries[len(summaries)-1]
	if !strings.Contains(last, "key.add k2") || strings.Contains(last, secret) {
		t.Fatalf("commit summary = %q", last)
	}
	if err := s.SetRecipients(Recipients{bob}, nil); !errors.Is(err, ErrNotMember) || !errors.Is(err, ErrLeftOut) {
		t.Fatalf("a list leaving this member out = %v, want ErrLeftOut", err)
	}
}

func TestNotYetAMemberSaysWhatToSend(t *testing.T) {
	s, dir := newStore(t)
	me := Recipient{Key: s.Member().Recipient(), Name: "me"}
	if err := s.SetRecipients(Recipients{me}, nil); err != nil {
		t.Fatal(err)
	}
	// Another member's identity in the same directory: the store is not encrypted to it.
	if err := os.Remove(filepath.Join(dir, IdentityFile)); err != nil {
		t.Fatal(err)
	}
	m, err := JoinTeam(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, testPass)
	var unlisted *UnlistedError
	if !errors.Is(err, ErrNotMember) || !errors.As(err, &unlisted) || unlisted.Recipient != m.Recipient() {
		t.Fatalf("open before being added = %v, want an UnlistedError naming %s", err, m.Recipient())
	}
}

func TestMemberNeverPrintsItsKey(t *testing.T) {
	s, _ := newStore(t)
	m := s.Member()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if out := fmt.Sprintf(verb, m); strings.Contains(strings.ToUpper(out), "AGE-SECRET-KEY") || !strings.Contains(out, m.Recipient()) {
			t.Errorf("%s of a Member = %q", verb, out)
		}
	}
}

func TestSummaryBoundsAndNewEvents(t *testing.T) {
	prev := []Event{{At: t0, Action: "org.add", OrgID: orgA}}
	next := append(append([]Event(nil), prev...),
		Event{At: t0, Action: "key.add", OrgID: orgA, ServiceUser: "ci", AccessKeyID: "k1", Detail: "free text"},
		Event{At: t0, Action: "key.add", OrgID: orgA, ServiceUser: "ci", AccessKeyID: "k2"},
		Event{At: t0, Action: "key.add", OrgID: orgA, ServiceUser: "ci", AccessKeyID: "k3"},
		Event{At: t0, Action: "key.add", OrgID: orgA, ServiceUser: "ci", AccessKeyID: "k4"})
	got := Summary(newEvents(prev, next))
	want := `key.add k1 "ci" org 3f1c2a4e; key.add k2 "ci" org 3f1c2a4e; key.add k3 "ci" org 3f1c2a4e; and 1 more`
	if got != want {
		t.Fatalf("summary = %q, want %q", got, want)
	}
	// History capped: prev's oldest event is gone from next.
	if ev := newEvents(next, next[1:]); len(ev) != 0 {
		t.Fatalf("new events of a capped history = %v", ev)
	}
}

// passwd --new-identity in a team store would re-encrypt keystore.age to this member alone:
// every other member locked out at the next sync, and this member's own saves refused, since
// the new identity is not in recipients.txt. It is refused, with nothing changed.
func TestChangeIdentityRefusedInATeamStore(t *testing.T) {
	s, dir := newStore(t)
	me := Recipient{Key: s.Member().Recipient(), Name: "me"}
	bob, bobID := newRecipient(t, "bob")
	if err := s.SetRecipients(Recipients{me, bob}, nil); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	if err := s.ChangeIdentity(testPass); err == nil {
		t.Fatal("ChangeIdentity in a team store was accepted")
	}
	assertUnchanged(t, dir, before)
	data, _ := os.ReadFile(filepath.Join(dir, DocumentFile))
	if _, err := (&Member{id: fromSecret(bobID)}).DecryptDocument(data, "keystore.age"); err != nil {
		t.Fatalf("bob lost the store: %v", err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "ingest") }); err != nil {
		t.Fatalf("a save after the refusal: %v", err)
	}
}
