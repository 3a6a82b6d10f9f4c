package team_test

import (
	"testing"

	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// Issue 15 item 4: bob adds a key while alice removes carol; bob's commit, still encrypted to
// carol, reaches the remote and carol can read it: the merge flags that key exposed.
func TestKeyAddedDuringRemovalIsFlaggedExposed(t *testing.T) {
	remote, ms := newTeam(t, "bob", "carol")
	alice, bob, carol := ms[0], ms[1], ms[2]
	if _, err := team.Remove(alice.store, "carol"); err != nil {
		t.Fatal(err)
	}
	bob.addKey("ingest", "AK-BOB")
	bob.mustSync() // pushed, encrypted to carol
	carolMember, err := keystore.UnlockMember(carol.dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(git(t, remote, "cat-file", "blob", "main:"+keystore.DocumentFile))
	if doc, err := carolMember.DecryptDocument(data, "bob's version"); err != nil {
		t.Fatalf("carol cannot read bob's commit (%v): the race did not happen", err)
	} else if _, ok := doc.Key("AK-BOB"); !ok {
		t.Fatal("bob's commit does not hold AK-BOB")
	}
	r := alice.mustSync() // the merge
	if !r.Merged || len(r.Exposed) != 1 || r.Exposed[0] != "AK-BOB" {
		t.Fatalf("alice's merge = %+v, want AK-BOB flagged exposed", r)
	}
	if k, _ := alice.key("AK-BOB"); !k.Exposed {
		t.Fatal("a key carol could read after her removal is not flagged exposed")
	}
	bob.mustSync()
	if k, _ := bob.key("AK-BOB"); !k.Exposed {
		t.Fatal("bob does not see AK-BOB flagged exposed")
	}
}

// Issue 15 item 13: commit messages are opaque; the history inside the document names who
// made each change.
func TestHistoryNamesItsMember(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-ALICE")
	alice.mustSync()
	bob.mustSync()
	by := map[string]string{}
	for _, e := range bob.store.Document().History {
		if e.Action == "key.add" {
			by[e.AccessKeyID] = e.Member
		}
	}
	if by["AK-ALICE"] != "alice" {
		t.Fatalf("bob's history says AK-ALICE was added by %q, want alice", by["AK-ALICE"])
	}
	noSecretInRemote(t, remote, "AK-ALICE", "billing")
}
