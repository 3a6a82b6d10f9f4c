package merge_test

import (
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

const (
	orgA = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	orgB = "7a2b3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
)

var (
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	t1  = t0.Add(time.Hour)     // ours edits at t1
	t2  = t0.Add(2 * time.Hour) // theirs edits at t2
	now = t0.Add(3 * time.Hour) // the merge
)

// secret is a recognisable marker, so tests can prove it never reaches a message.
func secret(t testing.TB, marker string) keystore.Secret {
	t.Helper()
	s, err := keystore.NewSecret("SECRET-" + marker)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// base: organization A with service users ci (k1 ACTIVE, k0 INACTIVE) and web (w1), organization B empty.
func base(t testing.TB) *keystore.Document {
	t.Helper()
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(t0)
	must(t, tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: validate.DefaultAPIURL}))
	must(t, tx.AddOrg(keystore.NewOrg{ID: orgB, APIURL: validate.DefaultAPIURL}))
	must(t, tx.AddUser(orgA, "ci"))
	must(t, tx.AddUser(orgA, "web"))
	must(t, tx.AddKey(orgA, "ci", keystore.NewKey{AccessKeyID: "k1", Secret: secret(t, "k1")}))
	must(t, tx.AddKey(orgA, "ci", keystore.NewKey{AccessKeyID: "k0", Secret: secret(t, "k0"), Status: keystore.Inactive}))
	must(t, tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w1", Secret: secret(t, "w1")}))
	return d
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// edit returns a copy of d changed by fn at time at.
func edit(t testing.TB, d *keystore.Document, at time.Time, fn func(*keystore.Tx) error) *keystore.Document {
	t.Helper()
	c := d.Clone()
	if fn != nil {
		must(t, fn(c.Edit(at)))
	}
	return c
}

func key(t *testing.T, d *keystore.Document, id string) *keystore.AccessKey {
	t.Helper()
	ref, ok := d.Key(id)
	if !ok {
		t.Fatalf("access key %s is missing from the merge", id)
	}
	return ref.Key
}

func mergeEvents(d *keystore.Document) []keystore.Event {
	var out []keystore.Event
	for _, e := range d.History {
		if e.Action == "merge" {
			out = append(out, e)
		}
	}
	return out
}

func hasMergeEvent(d *keystore.Document, keyID, detailPart string) bool {
	for _, e := range mergeEvents(d) {
		if e.AccessKeyID == keyID && strings.Contains(e.Detail, detailPart) {
			return true
		}
	}
	return false
}

func onlyConflict(t *testing.T, r merge.Result, field string) merge.Conflict {
	t.Helper()
	if len(r.Conflicts) != 1 || r.Conflicts[0].Field != field {
		t.Fatalf("conflicts %v, want one on %s", r.Conflicts, field)
	}
	return r.Conflicts[0]
}

func resolve(t *testing.T, r merge.Result, i int, side merge.Side) merge.Result {
	t.Helper()
	r, err := merge.Resolve(r, i, side)
	must(t, err)
	return r
}

func noConflicts(t *testing.T, r merge.Result) {
	t.Helper()
	if len(r.Conflicts) > 0 {
		t.Fatalf("unexpected conflicts: %v", r.Conflicts)
	}
}

func TestRules(t *testing.T) {
	check := func(at time.Time, verified bool, result string) keystore.Check {
		return keystore.Check{At: at, Result: outcome.Class(result), Verified: verified, HTTPStatus: 200}
	}
	tests := []struct {
		name         string
		ours, theirs func(*keystore.Tx) error
		want         func(t *testing.T, r merge.Result)
	}{
		{"NoChangeIsNoOp", nil, nil, func(t *testing.T, r merge.Result) {
			noConflicts(t, r)
			b := base(t)
			if !reflect.DeepEqual(r.Doc.Organizations, b.Organizations) || !reflect.DeepEqual(r.Doc.History, b.History) || len(r.OverLimit) > 0 {
				t.Fatalf("merging three equal documents changed it:\n%+v\nwant\n%+v", r.Doc, b)
			}
		}},
		{"ChangeOnOneSideWins",
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme Ltd", APIURL: validate.DefaultAPIURL})
			},
			func(tx *keystore.Tx) error { return tx.SetUserID(orgA, "web", "u-web") },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				o, _ := r.Doc.Org(orgA)
				u, _ := o.User("web")
				if o.Name != "Acme Ltd" || u.ID != "u-web" {
					t.Fatalf("name %q, user id %q: want both one-sided changes", o.Name, u.ID)
				}
			}},
		{"TheirAPIURLIsAskedNotTaken",
			nil,
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: "https://m3ter.evil.example"})
			},
			func(t *testing.T, r merge.Result) {
				if len(r.Conflicts) != 1 || r.Conflicts[0].Field != "apiUrl" || r.Conflicts[0].Ours != `"`+validate.DefaultAPIURL+`"` ||
					r.Conflicts[0].Theirs != `"https://m3ter.evil.example"` {
					t.Fatalf("conflicts %v: want the API URL asked, both URLs shown", r.Conflicts)
				}
				if o, _ := r.Doc.Org(orgA); o.APIURL != validate.DefaultAPIURL {
					t.Fatalf("API URL %q before it was settled", o.APIURL)
				}
				settled, err := merge.Resolve(r, 0, merge.Theirs)
				if o, _ := settled.Doc.Org(orgA); err != nil || o.APIURL != "https://m3ter.evil.example" {
					t.Fatalf("settled with theirs: %v, %q", err, o.APIURL)
				}
			}},
		{"OurAPIURLIsKept",
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: "https://api.eu.m3ter.com"})
			},
			nil,
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if o, _ := r.Doc.Org(orgA); o.APIURL != "https://api.eu.m3ter.com" {
					t.Fatalf("API URL %q", o.APIURL)
				}
			}},
		{"SameChangeOnBothSidesIsNoConflict",
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme Ltd", APIURL: validate.DefaultAPIURL})
			},
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme Ltd", APIURL: validate.DefaultAPIURL})
			},
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if o, _ := r.Doc.Org(orgA); o.Name != "Acme Ltd" {
					t.Fatalf("name %q", o.Name)
				}
			}},
		{"HistoryIsTheUnionByTime",
			func(tx *keystore.Tx) error { return tx.Record("note", orgA, "", "", "ours") },
			func(tx *keystore.Tx) error { return tx.Record("note", orgA, "", "", "theirs") },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				h := r.Doc.History
				n := len(base(t).History)
				if len(h) != n+2 || h[n].Detail != "ours" || h[n+1].Detail != "theirs" {
					t.Fatalf("history %+v: want the base's %d events once, then ours, then theirs", h, n)
				}
			}},
		{"LastCheckKeepsTheNewer",
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t2, true, "valid")) },
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t1, true, "rejected")) },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if c := key(t, r.Doc, "k1").LastCheck; c == nil || c.Result != "valid" {
					t.Fatalf("last check %+v, want the newer (valid)", c)
				}
			}},
		{"LastCheckTiePrefersVerified",
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t1, false, "valid")) },
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t1, true, "forbidden")) },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if c := key(t, r.Doc, "k1").LastCheck; c == nil || !c.Verified {
					t.Fatalf("last check %+v, want the verified one", c)
				}
			}},
		{"SecretCopiedAtKeepsTheEarlier",
			func(tx *keystore.Tx) error { return tx.MarkSecretCopied("k1") },
			func(tx *keystore.Tx) error { return tx.MarkSecretCopied("k1") },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if at := key(t, r.Doc, "k1").SecretCopiedAt; !at.Equal(t1) {
					t.Fatalf("secretCopiedAt %v, want the earlier %v", at, t1)
				}
				// Two hand-outs of one secret: both kept, the key flagged, history says so.
				if !key(t, r.Doc, "k1").HandedOutTwice {
					t.Fatal("two hand-outs merged without flagging the key handed out twice")
				}
				if !slices.ContainsFunc(r.Doc.History, func(ev keystore.Event) bool {
					return ev.AccessKeyID == "k1" && strings.HasPrefix(ev.Detail, "handed out twice — rotate")
				}) {
					t.Fatal("no history event says the secret was handed out twice")
				}
			}},
		{"OneHandOutIsNotTwice",
			func(tx *keystore.Tx) error { return tx.MarkSecretCopied("k1") },
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t2, true, "valid")) },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if k := key(t, r.Doc, "k1"); k.HandedOutTwice || !k.SecretCopiedAt.Equal(t1) {
					t.Fatalf("one hand-out merged as handedOutTwice=%v at %v", k.HandedOutTwice, k.SecretCopiedAt)
				}
			}},
		{"InactiveBeatsUnchangedActive",
			func(tx *keystore.Tx) error { return tx.RecordCheck("k1", check(t1, true, "valid")) },
			func(tx *keystore.Tx) error { return tx.SetStatus("k1", keystore.Inactive, true) },
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				k := key(t, r.Doc, "k1")
				if k.Status != keystore.Inactive || !k.InactivatedAt.Equal(t2) || k.LastCheck == nil {
					t.Fatalf("status %s inactivatedAt %v check %v: want INACTIVE at %v and the check kept", k.Status, k.InactivatedAt, k.LastCheck, t2)
				}
			}},
		{"InactiveBeatsActiveWhenBothAddedTheKey",
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2")})
			},
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2"), Status: keystore.Inactive, CreatedAt: t1})
			},
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if k := key(t, r.Doc, "w2"); k.Status != keystore.Inactive || !k.InactivatedAt.Equal(t2) {
					t.Fatalf("status %s at %v, want INACTIVE at %v", k.Status, k.InactivatedAt, t2)
				}
				if !hasMergeEvent(r.Doc, "w2", "INACTIVE on one side beats ACTIVE") {
					t.Fatalf("no history event for the status precedence: %+v", mergeEvents(r.Doc))
				}
			}},
		{"DifferentChangesToOneFieldConflict",
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "Acme Ltd", APIURL: validate.DefaultAPIURL})
			},
			func(tx *keystore.Tx) error {
				return tx.EditOrg(keystore.NewOrg{ID: orgA, Name: "ACME", APIURL: validate.DefaultAPIURL})
			},
			func(t *testing.T, r merge.Result) {
				c := onlyConflict(t, r, "name")
				if c.OrgID != orgA || c.Ours != `"Acme Ltd"` || c.Theirs != `"ACME"` {
					t.Fatalf("conflict %+v", c)
				}
				if o, _ := r.Doc.Org(orgA); o.Name != "Acme Ltd" {
					t.Fatalf("provisional name %q, want ours", o.Name)
				}
				r = resolve(t, r, 0, merge.Theirs)
				noConflicts(t, r)
				if o, _ := r.Doc.Org(orgA); o.Name != "ACME" {
					t.Fatalf("resolved name %q, want theirs", o.Name)
				}
				if !hasMergeEvent(r.Doc, "", `conflict on name resolved: kept "ACME" over "Acme Ltd"`) {
					t.Fatalf("no history event for the resolution: %+v", mergeEvents(r.Doc))
				}
			}},
		{"ChangeAgainstRemovalConflicts",
			func(tx *keystore.Tx) error { return tx.RemoveKey("k0") },
			func(tx *keystore.Tx) error { return tx.RecordCheck("k0", check(t2, true, "rejected")) },
			func(t *testing.T, r merge.Result) {
				c := onlyConflict(t, r, merge.FieldRemoved)
				if c.AccessKeyID != "k0" || c.Ours != "removed" || !strings.Contains(c.Theirs, "lastCheck") {
					t.Fatalf("conflict %+v", c)
				}
				kept := resolve(t, r, 0, merge.Theirs)
				noConflicts(t, kept)
				if k := key(t, kept.Doc, "k0"); k.LastCheck == nil || k.Secret.Reveal() != "SECRET-k0" {
					t.Fatal("keeping the changed key lost its check or its secret")
				}
				removed := resolve(t, r, 0, merge.Ours)
				if _, ok := removed.Doc.Key("k0"); ok || !hasMergeEvent(removed.Doc, "k0", "the removal was chosen") {
					t.Fatalf("choosing the removal: key still there or no event: %+v", mergeEvents(removed.Doc))
				}
			}},
		{"RemovalAppliedIsRecorded",
			func(tx *keystore.Tx) error { return tx.RemoveKey("k0") },
			nil,
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if _, ok := r.Doc.Key("k0"); ok || !hasMergeEvent(r.Doc, "k0", "removed on one side and unchanged on the other") {
					t.Fatalf("removal not applied or not recorded: %+v", mergeEvents(r.Doc))
				}
			}},
		{"AdditionsOnBothSidesSurvive",
			func(tx *keystore.Tx) error {
				if err := tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2")}); err != nil {
					return err
				}
				return tx.AddUser(orgB, "billing")
			},
			func(tx *keystore.Tx) error {
				if err := tx.AddOrg(keystore.NewOrg{ID: "0b0b0b0b-1e2f-4a5b-8c9d-0e1f2a3b4c5d", APIURL: validate.DefaultAPIURL}); err != nil {
					return err
				}
				return tx.AddUser(orgB, "ops")
			},
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				if key(t, r.Doc, "w2").Secret.Reveal() != "SECRET-w2" {
					t.Fatal("w2's secret differs after the merge")
				}
				o, _ := r.Doc.Org(orgB)
				_, billing := o.User("billing")
				_, ops := o.User("ops")
				if _, third := r.Doc.Org("0b0b0b0b-1e2f-4a5b-8c9d-0e1f2a3b4c5d"); !billing || !ops || !third {
					t.Fatalf("additions lost: billing %v ops %v org %v", billing, ops, third)
				}
			}},
		{"SameKeyAddedIdenticallyIsOneKey",
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2"), CreatedAt: t0})
			},
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2"), CreatedAt: t0})
			},
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				o, _ := r.Doc.Org(orgA)
				if u, _ := o.User("web"); len(u.Keys) != 2 || len(r.OverLimit) > 0 {
					t.Fatalf("web holds %d keys, want w1 and one w2", len(u.Keys))
				}
			}},
		{"SameKeyAddedWithDifferentSecretsConflicts",
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2-ours"), CreatedAt: t0})
			},
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2-theirs"), CreatedAt: t0})
			},
			func(t *testing.T, r merge.Result) {
				c := onlyConflict(t, r, merge.FieldSecret)
				if c.AccessKeyID != "w2" || !strings.HasSuffix(c.String(), "secret differs") {
					t.Fatalf("conflict %q on %s: want it to say only that the secret differs", c.Field, c.AccessKeyID)
				}
				r = resolve(t, r, 0, merge.Theirs)
				if key(t, r.Doc, "w2").Secret.Reveal() != "SECRET-w2-theirs" {
					t.Fatal("choosing theirs did not keep theirs' secret")
				}
			}},
		{"OverTheLimitAfterMergeKeepsEveryKey",
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w2", Secret: secret(t, "w2")})
			},
			func(tx *keystore.Tx) error {
				return tx.AddKey(orgA, "web", keystore.NewKey{AccessKeyID: "w3", Secret: secret(t, "w3")})
			},
			func(t *testing.T, r merge.Result) {
				noConflicts(t, r)
				want := []merge.OverLimit{{OrgID: orgA, User: "web", Keys: []string{"w1", "w2", "w3"}}}
				if !reflect.DeepEqual(r.OverLimit, want) {
					t.Fatalf("over the limit %+v, want %+v", r.OverLimit, want)
				}
				if !hasMergeEvent(r.Doc, "", "over the limit after merge") {
					t.Fatalf("no history event for the over-the-limit user: %+v", mergeEvents(r.Doc))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := base(t)
			ours, theirs := edit(t, b, t1, tc.ours), edit(t, b, t2, tc.theirs)
			r, err := merge.Documents(b, ours, theirs, now)
			must(t, err)
			noSecretShown(t, r, b, ours, theirs)
			tc.want(t, r)
		})
	}
}

// noSecretShown fails when any conflict, over-the-limit entry or history event holds a secret
// of any of the documents. It never prints the secret.
func noSecretShown(t *testing.T, r merge.Result, docs ...*keystore.Document) {
	t.Helper()
	var texts []string
	for _, c := range r.Conflicts {
		texts = append(texts, c.String(), c.Ours, c.Theirs, c.ID)
	}
	for _, e := range r.Doc.History {
		texts = append(texts, e.Action, e.Detail, e.AccessKeyID, e.ServiceUser, e.OrgID)
	}
	for _, o := range r.OverLimit {
		texts = append(texts, strings.Join(o.Keys, " "), o.User)
	}
	for _, d := range append(docs, r.Doc) {
		for _, o := range d.Organizations {
			for _, u := range o.ServiceUsers {
				for _, k := range u.Keys {
					s := k.Secret.Reveal()
					for _, text := range texts {
						if strings.Contains(text, s) {
							t.Fatalf("the secret of %s appears in a conflict, event or over-the-limit entry", k.AccessKeyID)
						}
					}
				}
			}
		}
	}
}

func TestHistoryIsCappedKeepingTheNewest(t *testing.T) {
	b := base(t)
	fill := func(at time.Time, who string) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error {
			for i := range keystore.MaxHistory {
				if err := tx.Record("note", orgA, "", "", who+" "+string(rune('a'+i%26))); err != nil {
					return err
				}
			}
			return nil
		}
	}
	ours := edit(t, b, t1, fill(t1, "ours"))
	theirs := edit(t, edit(t, b, t2, fill(t2, "theirs")), t2, func(tx *keystore.Tx) error { return tx.RemoveKey("k0") })
	r, err := merge.Documents(b, ours, theirs, now)
	must(t, err)
	h := r.Doc.History
	if len(h) != keystore.MaxHistory {
		t.Fatalf("history holds %d events, want %d", len(h), keystore.MaxHistory)
	}
	if last := h[len(h)-1]; last.Action != "merge" || h[0].At.Before(t2) {
		t.Fatalf("want the newest kept (theirs at t2, then the merge's removal event): first %+v, last %+v", h[0], last)
	}
}

func TestKeyMovedOnBothSidesIsALocationConflict(t *testing.T) {
	b := &keystore.Document{Version: keystore.CurrentVersion}
	tx := b.Edit(t0)
	must(t, tx.AddOrg(keystore.NewOrg{ID: orgA, APIURL: validate.DefaultAPIURL}))
	must(t, tx.AddUser(orgA, "ci"))
	must(t, tx.AddUser(orgA, "web"))
	add := func(user string) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error {
			return tx.AddKey(orgA, user, keystore.NewKey{AccessKeyID: "k9", Secret: secret(t, "k9"), CreatedAt: t0})
		}
	}
	r, err := merge.Documents(b, edit(t, b, t1, add("ci")), edit(t, b, t2, add("web")), now)
	must(t, err)
	c := onlyConflict(t, r, merge.FieldLocation)
	if c.AccessKeyID != "k9" || !strings.Contains(c.Ours, `"ci"`) || !strings.Contains(c.Theirs, `"web"`) {
		t.Fatalf("conflict %+v", c)
	}
	r = resolve(t, r, 0, merge.Theirs)
	if ref, ok := r.Doc.Key("k9"); !ok || ref.User.Name != "web" {
		t.Fatal("choosing theirs did not keep k9 under web")
	}
}

func TestInputsAreNotChanged(t *testing.T) {
	b := base(t)
	ours := edit(t, b, t1, func(tx *keystore.Tx) error { return tx.RecordCheck("k1", keystore.Check{At: t1, Result: "valid"}) })
	theirs := edit(t, b, t2, func(tx *keystore.Tx) error { return tx.SetStatus("k1", keystore.Inactive, true) })
	before := [3][]byte{wire(t, b), wire(t, ours), wire(t, theirs)}
	r, err := merge.Documents(b, ours, theirs, now)
	must(t, err)
	key(t, r.Doc, "k1").LastCheck.Result = "tampered"
	r.Doc.Organizations[0].Name = "tampered"
	for i, d := range []*keystore.Document{b, ours, theirs} {
		if string(wire(t, d)) != string(before[i]) {
			t.Fatalf("input %d changed by the merge", i)
		}
	}
	if _, err := merge.Resolve(r, 0, merge.Ours); err == nil {
		t.Fatal("Resolve of a conflict that does not exist succeeded")
	}
}

func TestAmbiguousDocumentIsRefused(t *testing.T) {
	b := base(t)
	bad := b.Clone()
	bad.Organizations = append(bad.Organizations, bad.Organizations[1])
	if _, err := merge.Documents(b, bad, b, now); err == nil || !strings.Contains(err.Error(), "ours") {
		t.Fatalf("err %v, want a refusal naming ours", err)
	}
}

// wire is the document as keystore.age holds it, for keystore.DecodeDocument.
func wire(t testing.TB, d *keystore.Document) []byte {
	t.Helper()
	data, err := keystore.EncodeDocument(d)
	must(t, err)
	return data
}
