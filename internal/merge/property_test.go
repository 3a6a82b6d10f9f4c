package merge_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// chooser drives the generator: a seeded random source for the property test, the fuzzer's
// bytes for FuzzMerge.
type chooser interface{ IntN(n int) int }

// byteChooser reads choices from bytes; when they run out every choice is 0.
type byteChooser struct{ data []byte }

func (c *byteChooser) IntN(n int) int {
	if len(c.data) == 0 || n <= 1 {
		return 0
	}
	v := int(c.data[0])
	c.data = c.data[1:]
	return v % n
}

var (
	orgPool    = []string{orgA, orgB, "0B0B0B0B-1E2F-4A5B-8C9D-0E1F2A3B4C5D"}
	userPool   = []string{"ci", "web", "ops"}
	keyPool    = []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	namePool   = []string{"", "Acme", "ACME", "Acme Ltd"}
	urlPool    = []string{validate.DefaultAPIURL, "https://api.dev.m3ter.com"}
	resultPool = []string{"valid", "rejected", "forbidden"}
)

func pick[T any](c chooser, list []T) T { return list[c.IntN(len(list))] }

// randomEdits makes n random changes to d through keystore's own Tx, one a minute from start;
// the Tx refuses what the rules forbid, so d stays a document m3keys could have written.
func randomEdits(c chooser, d *keystore.Document, start time.Time, n int, side string) {
	for i := range n {
		tx := d.Edit(start.Add(time.Duration(i) * time.Minute))
		org, user, id := pick(c, orgPool), pick(c, userPool), pick(c, keyPool)
		if c.IntN(4) > 0 { // mostly what exists, so that most changes are accepted
			org, user, id = existing(c, d, org, user, id)
		}
		switch c.IntN(14) {
		case 0, 1:
			_ = tx.AddOrg(keystore.NewOrg{ID: org, Name: pick(c, namePool), APIURL: pick(c, urlPool)})
		case 2:
			_ = tx.EditOrg(keystore.NewOrg{ID: org, Name: pick(c, namePool), APIURL: pick(c, urlPool)})
		case 3:
			_ = tx.RemoveOrg(org)
		case 4, 5:
			_ = tx.AddUser(org, user)
		case 6:
			_ = tx.SetUserID(org, user, pick(c, []string{"u1", "u2"}))
		case 7, 8:
			if removedBefore(d, id) { // an Access Key ID is never given out twice by m3ter
				continue
			}
			marker := id // the same key added on two sides has the same secret, mostly
			if c.IntN(4) == 0 {
				marker += "-" + side
			}
			s, _ := keystore.NewSecret("SECRET-" + marker)
			_ = tx.AddKey(org, user, keystore.NewKey{AccessKeyID: id, Secret: s, Status: pick(c, []keystore.Status{keystore.Active, keystore.Active, keystore.Inactive})})
		case 9:
			_ = tx.SetStatus(id, pick(c, []keystore.Status{keystore.Active, keystore.Inactive}), true)
		case 10:
			_ = tx.RemoveKey(id)
		case 11:
			_ = tx.RecordCheck(id, keystore.Check{At: tx.Now(), Result: outcome.Class(pick(c, resultPool)), Verified: c.IntN(2) == 0, HTTPStatus: 200, LatencyMs: int64(c.IntN(500))})
		case 12:
			_ = tx.MarkSecretCopied(id)
		case 13:
			_ = tx.SetRotation(org, user, pick(c, []*keystore.Rotation{nil, {Step: 1, NewKeyID: id}, {Step: 2, OldKeyID: id}}))
		}
	}
}

// existing picks a service user of d and, when it has one, a key of that user.
func existing(c chooser, d *keystore.Document, org, user, id string) (string, string, string) {
	if len(d.Organizations) == 0 {
		return org, user, id
	}
	o := d.Organizations[c.IntN(len(d.Organizations))]
	if len(o.ServiceUsers) == 0 {
		return o.ID, user, id
	}
	u := o.ServiceUsers[c.IntN(len(o.ServiceUsers))]
	if len(u.Keys) == 0 || c.IntN(3) == 0 { // a key to add to this user
		return o.ID, u.Name, id
	}
	return o.ID, u.Name, u.Keys[c.IntN(len(u.Keys))].AccessKeyID
}

func removedBefore(d *keystore.Document, id string) bool {
	for _, e := range d.History {
		if e.Action == "key.remove" && e.AccessKeyID == id {
			return true
		}
	}
	return false
}

// generate builds a random base (sometimes none, sometimes with a history near the cap) and
// two sides edited from it.
func generate(c chooser) (base, ours, theirs *keystore.Document) {
	base = &keystore.Document{Version: keystore.CurrentVersion}
	if c.IntN(4) == 0 {
		tx := base.Edit(t0.Add(-time.Hour))
		for i := range keystore.MaxHistory - 40 + c.IntN(40) {
			_ = tx.Record("note", "", "", "", fmt.Sprint(i))
		}
	}
	randomEdits(c, base, t0, 10+c.IntN(40), "base")
	ours, theirs = base.Clone(), base.Clone()
	if c.IntN(8) == 0 { // no common ancestor
		base = nil
		ours, theirs = &keystore.Document{Version: keystore.CurrentVersion}, &keystore.Document{Version: keystore.CurrentVersion}
	}
	randomEdits(c, ours, t1, c.IntN(20), "ours")
	randomEdits(c, theirs, t1.Add(30*time.Second), c.IntN(20), "theirs")
	return base, ours, theirs
}

func TestMergeProperties(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 50
	}
	for seed := range uint64(n) {
		base, ours, theirs := generate(rand.New(rand.NewPCG(seed, 11)))
		checkMerge(t, fmt.Sprintf("seed %d", seed), base, ours, theirs, func(i int) merge.Side { return merge.Side(1 + (int(seed)+i)%2) })
	}
}

func FuzzMerge(f *testing.F) {
	for seed := range uint64(8) {
		b := make([]byte, 64)
		r := rand.New(rand.NewPCG(seed, 3))
		for i := 0; i < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], r.Uint64())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &byteChooser{data: data}
		base, ours, theirs := generate(c)
		checkMerge(t, "fuzz input", base, ours, theirs, func(int) merge.Side { return merge.Side(1 + c.IntN(2)) })
	})
}

// checkMerge merges, checks the invariants, settles every conflict one at a time with choose
// (checking again after each), and checks that the settled document passes keystore's validation.
func checkMerge(t *testing.T, label string, base, ours, theirs *keystore.Document, choose func(i int) merge.Side) {
	t.Helper()
	r, err := merge.Documents(base, ours, theirs, now)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	again, _ := merge.Documents(base, ours, theirs, now)
	if !reflect.DeepEqual(r.Doc, again.Doc) || !reflect.DeepEqual(r.Conflicts, again.Conflicts) {
		t.Fatalf("%s: two merges of the same documents differ", label)
	}
	seen := append([]merge.Conflict(nil), r.Conflicts...)
	checkInvariants(t, label, base, ours, theirs, r, seen)
	for i := 0; !r.Resolved(); i++ {
		if i > 100 {
			t.Fatalf("%s: conflicts never settle: %v", label, r.Conflicts)
		}
		if r, err = merge.Resolve(r, 0, choose(i)); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		seen = append(seen, r.Conflicts...)
		checkInvariants(t, label, base, ours, theirs, r, seen)
	}
	settled := 0
	for _, e := range r.Doc.History {
		if e.Action == "merge" && (strings.Contains(e.Detail, "resolved") || strings.Contains(e.Detail, "was chosen") || strings.Contains(e.Detail, "kept under this one")) {
			settled++
		}
	}
	if settled != len(r.Choices()) {
		t.Fatalf("%s: %d conflicts settled, %d recorded in history", label, len(r.Choices()), settled)
	}
	passesValidation(t, label, r)
	if base != nil {
		for _, side := range []*keystore.Document{ours, theirs} {
			one, err := merge.Documents(base, base, side, now)
			// A changed API URL is asked of the member even when only the other side changed it;
			// taking the other side's answer gives the other side's organizations.
			for err == nil && len(one.Conflicts) > 0 {
				if f := one.Conflicts[0].Field; f != "apiUrl" {
					t.Fatalf("%s: one side unchanged: conflict on %s", label, f)
				}
				one, err = merge.Resolve(one, 0, merge.Theirs)
			}
			if err != nil || !reflect.DeepEqual(sorted(one.Doc), sorted(side)) {
				t.Fatalf("%s: one side unchanged: the merge is not the other side (err %v, conflicts %v)", label, err, one.Conflicts)
			}
		}
	}
}

// sorted is d's organizations, service users and keys in identity order: the merge keeps
// ours' order, which is no part of the content.
func sorted(d *keystore.Document) []keystore.Organization {
	orgs := d.Clone().Organizations
	slices.SortFunc(orgs, func(a, b keystore.Organization) int { return strings.Compare(a.ID, b.ID) })
	for i := range orgs {
		users := orgs[i].ServiceUsers
		slices.SortFunc(users, func(a, b keystore.ServiceUser) int { return strings.Compare(a.Name, b.Name) })
		for j := range users {
			slices.SortFunc(users[j].Keys, func(a, b keystore.AccessKey) int { return strings.Compare(a.AccessKeyID, b.AccessKeyID) })
		}
	}
	return orgs
}

func checkInvariants(t *testing.T, label string, base, ours, theirs *keystore.Document, r merge.Result, conflicts []merge.Conflict) {
	t.Helper()
	if base == nil {
		base = &keystore.Document{}
	}
	noSecretShown(t, r, base, ours, theirs)
	ids := map[string]bool{}
	for _, o := range r.Doc.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				if ids[k.AccessKeyID] {
					t.Fatalf("%s: access key %s stored twice", label, k.AccessKeyID)
				}
				ids[k.AccessKeyID] = true
			}
		}
	}
	keysSurvive(t, label, base, ours, theirs, r, conflicts)
	keysSurvive(t, label, base, theirs, ours, r, conflicts)
	historySurvives(t, label, ours, theirs, r)
	var over []merge.OverLimit
	for _, o := range r.Doc.Organizations {
		for _, u := range o.ServiceUsers {
			if len(u.Keys) > keystore.MaxKeysPerUser {
				ol := merge.OverLimit{OrgID: o.ID, User: u.Name}
				for _, k := range u.Keys {
					ol.Keys = append(ol.Keys, k.AccessKeyID)
				}
				over = append(over, ol)
				if !hasMergeEventFor(r.Doc, o.ID, u.Name, "over the limit after merge") {
					t.Fatalf("%s: %s %q is over the limit with no history event", label, o.ID, u.Name)
				}
			}
		}
	}
	if !reflect.DeepEqual(over, r.OverLimit) {
		t.Fatalf("%s: over the limit %v, want %v", label, r.OverLimit, over)
	}
}

func hasMergeEventFor(d *keystore.Document, org, user, detailPart string) bool {
	for _, e := range d.History {
		if e.Action == "merge" && e.OrgID == org && e.ServiceUser == user && strings.Contains(e.Detail, detailPart) {
			return true
		}
	}
	return false
}

// keysSurvive: a key that side holds survives with a secret one of the sides holds, unless the
// other side removed it and side left it unchanged, or a conflict names it or what holds it.
func keysSurvive(t *testing.T, label string, base, side, other *keystore.Document, r merge.Result, conflicts []merge.Conflict) {
	t.Helper()
	for _, o := range side.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				theirs, inOther := other.Key(k.AccessKeyID)
				was, inBase := base.Key(k.AccessKeyID)
				changed := !inBase || !reflect.DeepEqual(*was.Key, k) || was.Org.ID != o.ID || was.User.Name != u.Name
				if (!inOther && !changed) || named(conflicts, k.AccessKeyID, o.ID, u.Name) {
					continue
				}
				got, ok := r.Doc.Key(k.AccessKeyID)
				if !ok {
					t.Fatalf("%s: access key %s lost (in %s %q, inOther %v, changed %v)", label, k.AccessKeyID, o.ID, u.Name, inOther, changed)
				}
				s := got.Key.Secret.Reveal()
				if s != k.Secret.Reveal() && (!inOther || s != theirs.Key.Secret.Reveal()) {
					t.Fatalf("%s: access key %s: its secret is neither side's", label, k.AccessKeyID)
				}
				if inOther && theirs.Key.Secret.Reveal() == k.Secret.Reveal() && s != k.Secret.Reveal() {
					t.Fatalf("%s: access key %s: both sides hold one secret, the merge another", label, k.AccessKeyID)
				}
			}
		}
	}
}

// named reports whether a conflict is about the key, or about removing its service user or organization.
func named(conflicts []merge.Conflict, id, org, user string) bool {
	for _, c := range conflicts {
		if c.AccessKeyID == id || c.Field == merge.FieldRemoved && c.AccessKeyID == "" && c.OrgID == org && (c.User == "" || c.User == user) {
			return true
		}
	}
	return false
}

// historySurvives: every event of either side is in the merge unless the cap pushed it out,
// and the merge invents none but its own.
func historySurvives(t *testing.T, label string, ours, theirs *keystore.Document, r merge.Result) {
	t.Helper()
	h := r.Doc.History
	if len(h) > keystore.MaxHistory {
		t.Fatalf("%s: history holds %d events", label, len(h))
	}
	in := map[keystore.Event]bool{}
	for i, e := range h {
		in[e] = true
		if i > 0 && e.At.Before(h[i-1].At) {
			t.Fatalf("%s: history out of time order at %d", label, i)
		}
	}
	sides := map[keystore.Event]bool{}
	for _, d := range []*keystore.Document{ours, theirs} {
		for _, e := range d.History {
			e.At = e.At.UTC()
			sides[e] = true
			if !in[e] && (len(h) < keystore.MaxHistory || e.At.After(h[0].At)) {
				t.Fatalf("%s: history event %s %s %s lost", label, e.At, e.Action, e.AccessKeyID)
			}
		}
	}
	for _, e := range h {
		if !sides[e] && (e.Action != "merge" || !e.At.Equal(now)) {
			t.Fatalf("%s: history event %s %s %s came from neither side", label, e.At, e.Action, e.AccessKeyID)
		}
	}
}

// passesValidation loads the settled merge through keystore.DecodeDocument, over-the-limit
// users included (the merge marks them, and the keystore loads them so).
func passesValidation(t *testing.T, label string, r merge.Result) {
	t.Helper()
	d := r.Doc
	back, err := keystore.DecodeDocument(wire(t, d))
	if err != nil {
		t.Fatalf("%s: the settled merge fails keystore's validation: %v", label, err)
	}
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				if got, ok := back.Key(k.AccessKeyID); !ok || got.Key.Secret.Reveal() != k.Secret.Reveal() {
					t.Fatalf("%s: access key %s or its secret did not load back", label, k.AccessKeyID)
				}
			}
		}
	}
}
