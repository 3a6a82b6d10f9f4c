package livecheck

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/testkit"
	"github.com/m3keys/m3keys/keystore"
)

const orgA, orgB = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "4f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"

// twoOrgs holds a1 (ACTIVE), a2 (INACTIVE) in orgA and b1 (ACTIVE) in orgB.
func twoOrgs(t *testing.T) *keystore.Document {
	t.Helper()
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(now)
	secret, err := keystore.NewSecret("s")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{orgA, orgB} {
		if err := tx.AddOrg(keystore.NewOrg{ID: o, APIURL: "https://api.m3ter.com"}); err != nil {
			t.Fatal(err)
		}
		if err := tx.AddUser(o, "ci"); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []struct{ org, id string }{{orgA, "a1"}, {orgA, "a2"}, {orgB, "b1"}} {
		if err := tx.AddKey(k.org, "ci", keystore.NewKey{AccessKeyID: k.id, Secret: secret}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.SetStatus("a2", keystore.Inactive, true); err != nil {
		t.Fatal(err)
	}
	return d
}

func ids(refs []keystore.KeyRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Key.AccessKeyID)
	}
	return out
}

func TestSelect(t *testing.T) {
	d := twoOrgs(t)
	for _, tt := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"ACTIVE keys of every organization", Selection{}, []string{"a1", "b1"}},
		{"with All the INACTIVE ones too", Selection{All: true}, []string{"a1", "a2", "b1"}},
		{"one organization", Selection{OrgID: orgA}, []string{"a1"}},
		{"named keys whatever their status, in the document's order", Selection{KeyIDs: []string{"b1", "a2"}}, []string{"a2", "b1"}},
		{"a named key in the organization", Selection{OrgID: orgA, KeyIDs: []string{"a2"}}, []string{"a2"}},
	} {
		refs, err := Select(d, tt.sel)
		if err != nil || !slices.Equal(ids(refs), tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, ids(refs), err, tt.want)
		}
	}
}

func TestSelectRefusesWhatItCannotTake(t *testing.T) {
	d := twoOrgs(t)
	var named *KeyError
	_, err := Select(d, Selection{KeyIDs: []string{"a1", "nope"}})
	if !errors.Is(err, keystore.ErrNotFound) || !errors.As(err, &named) || named.KeyID != "nope" || err.Error() != "no access key nope in the store" {
		t.Errorf("unknown key: %v", err)
	}
	_, err = Select(d, Selection{OrgID: orgA, KeyIDs: []string{"b1"}})
	if !errors.Is(err, ErrNotInOrg) || err.Error() != "access key b1 is not in organization "+orgA {
		t.Errorf("key of another organization: %v", err)
	}
	var bad *keystore.ValidationError
	if _, err := Select(d, Selection{KeyIDs: []string{"a b"}}); !errors.As(err, &bad) {
		t.Errorf("malformed key ID: %v", err)
	}
}

func TestKeyIsWhatTheOrganizationIsAskedWith(t *testing.T) {
	d := twoOrgs(t)
	ref, _ := d.Key("b1")
	k := Key(ref)
	if k != (authclient.Key{OrgID: orgB, APIURL: "https://api.m3ter.com", AccessKeyID: "b1", Secret: "s"}) {
		t.Errorf("Key = %+v", k)
	}
}

func TestRecordStoresEveryResultInOrder(t *testing.T) {
	d := twoOrgs(t)
	tx := d.Edit(now)
	err := Record(tx,
		Result{KeyID: "a1", Live: authclient.Result{Class: authclient.Rejected, HTTPStatus: 401}, At: now},
		Result{KeyID: "b1", Live: authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200}, At: now},
		Result{KeyID: "a1", Live: authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200}, At: later})
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := d.Key("a1")
	b1, _ := d.Key("b1")
	if c := a1.Key.LastCheck; c == nil || c.Result != outcome.Valid || !c.At.Equal(later) {
		t.Errorf("a1: %+v, want the later valid", c)
	}
	if c := b1.Key.LastCheck; c == nil || c.Result != outcome.Valid {
		t.Errorf("b1: %+v", c)
	}
}

func TestTallyCountsRetiredKeysApart(t *testing.T) {
	var tally Tally
	for _, c := range []Counted{
		{Outcome: outcome.Outcome{Class: outcome.Valid}, Stale: true},
		{Outcome: outcome.Outcome{Class: outcome.Rejected}},
		{Outcome: outcome.Outcome{Class: outcome.Rejected, WhileInactive: true}},
		{Outcome: outcome.Outcome{Class: outcome.Valid, WhileInactive: true}, Exposed: true},
		{Outcome: outcome.Outcome{Class: outcome.Forbidden}, HandedOutTwice: true, WrongServiceUser: true},
		{Outcome: outcome.Outcome{Class: outcome.Undetermined}},
	} {
		tally.Add(c)
	}
	want := Tally{Valid: 2, Rejected: 1, Forbidden: 1, Undetermined: 1, Stale: 1, Retired: 1,
		InactiveStillAccepted: 1, WrongServiceUser: 1, Exposed: 1, HandedOutTwice: 1}
	if tally != want || tally.Failing() != 2 {
		t.Errorf("tally %+v (failing %d), want %+v (failing 2)", tally, tally.Failing(), want)
	}
}

// TestFacesLeaveTheActToThisPackage: the CLI and the TUI make no live key and record no
// check themselves; they call Key and Record, so the rules stay in one place.
func TestFacesLeaveTheActToThisPackage(t *testing.T) {
	for _, dir := range []string{"../../ui", "../cli"} {
		for f, src := range testkit.Sources(t, dir) {
			for _, own := range []string{"authclient.Key{", ".RecordCheck(", ".SawServiceUser("} {
				if strings.Contains(src, own) {
					t.Errorf("%s does %s itself: call livecheck.Key / livecheck.Record", f, own)
				}
			}
		}
	}
}
