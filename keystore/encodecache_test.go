package keystore

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestSaveWritesNoStaleOrganization changes the middle one of three organizations by every
// kind of Tx change, one save each, and checks each time that keystore.age holds what a
// full encoding of the document gives and that a fresh Open reads the same document: a save
// that reused the bytes of a changed organization, event or secret fails here.
func TestSaveWritesNoStaleOrganization(t *testing.T) {
	s, dir := newStore(t)
	now := t0
	s.SetClock(func() time.Time { now = now.Add(time.Minute); return now })
	update := func(name string, change func(tx *Tx) error) {
		t.Helper()
		if err := s.Update(change); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := encodeDocument(s.current())
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, DocumentFile))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := decrypt(data, s.identity.id, DocumentFile); err != nil || string(got) != string(want) {
			t.Fatalf("%s: keystore.age holds\n%s\nwant\n%s (%v)", name, got, want, err)
		}
		again, err := Open(dir, testPass)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := encodeDocument(again.current()); string(got) != string(want) {
			t.Fatalf("%s: opened again\n%s\nwant\n%s", name, got, want)
		}
	}
	const orgC = "22222222-3333-4444-8555-666666666666"
	update("seed", func(tx *Tx) error {
		for _, id := range []string{orgB, orgC} {
			if err := tx.AddOrg(NewOrg{ID: id, Name: "Org", APIURL: "https://api.m3ter.com"}); err != nil {
				return err
			}
			if err := tx.AddUser(id, "ci"); err != nil {
				return err
			}
			if err := tx.AddKey(id, "ci", NewKey{AccessKeyID: "k-" + id[:4], Secret: mustSecret(t, secret)}); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(id, result string) func(tx *Tx) error {
		return func(tx *Tx) error {
			return tx.RecordCheck(id, Check{At: tx.Now(), Result: "valid", Verified: true, HTTPStatus: 200, Message: result})
		}
	}
	rejected := func(id string) func(tx *Tx) error {
		return func(tx *Tx) error {
			return tx.RecordCheck(id, Check{At: tx.Now(), Result: "rejected", Verified: true, HTTPStatus: 401})
		}
	}
	for _, c := range []struct {
		name   string
		change func(tx *Tx) error
	}{
		{"edit org", func(tx *Tx) error {
			return tx.EditOrg(NewOrg{ID: orgB, Name: "Renamed", APIURL: "https://api.m3ter.com"})
		}},
		{"add user", func(tx *Tx) error { return tx.AddUser(orgB, "ops") }},
		{"ensure user", func(tx *Tx) error { return tx.EnsureUser(orgB, "ops2") }},
		{"set user id", func(tx *Tx) error { return tx.SetUserID(orgB, "ci", "su-ci") }},
		{"add key", func(tx *Tx) error {
			return tx.AddKey(orgB, "ops", NewKey{AccessKeyID: "k-ops", Secret: mustSecret(t, "other")})
		}},
		{"set status", func(tx *Tx) error { return tx.SetStatus("k-ops", Inactive, true) }},
		{"set deployed to", func(tx *Tx) error { return tx.SetDeployedTo("k-1111", "vault:ci") }},
		{"mark exposed", func(tx *Tx) error { return tx.MarkExposed([]string{"k-1111"}, "left") }},
		{"mark copied", func(tx *Tx) error { return tx.MarkSecretCopied("k-1111") }},
		{"unmark copied", func(tx *Tx) error { return tx.UnmarkSecretCopied("k-1111", "undo") }},
		{"mark copied unconfirmed", func(tx *Tx) error { return tx.MarkSecretCopiedUnconfirmed("k-1111") }},
		{"record check", check("k-1111", "first")},
		{"record the same outcome again", check("k-1111", "second")},
		{"saw service user", func(tx *Tx) error { return tx.SawServiceUser("k-1111", "su-other") }},
		{"remove key", func(tx *Tx) error { return tx.RemoveKey("k-ops") }},
		{"start rotation", func(tx *Tx) error { return tx.StartRotation(orgB, "ci", "", false) }},
		{"rotation new key", func(tx *Tx) error { return tx.RotationAddNewKey(orgB, "ci", "k-new", mustSecret(t, "new"), "") }},
		{"check the new key", check("k-new", "")},
		{"rotation proved", func(tx *Tx) error { return tx.RotationProved(orgB, "ci") }},
		{"rotation deployed", func(tx *Tx) error { return tx.RotationDeployed(orgB, "ci") }},
		{"rotation retire", func(tx *Tx) error { return tx.RotationRetireOld(orgB, "ci") }},
		{"check the old key", rejected("k-1111")},
		{"rotation remove old", func(tx *Tx) error { return tx.RotationRemoveOld(orgB, "ci", false) }},
		{"finish rotation", func(tx *Tx) error { return tx.FinishRotation(orgB, "ci") }},
		{"second key", func(tx *Tx) error {
			return tx.AddKey(orgB, "ci", NewKey{AccessKeyID: "k-two", Secret: mustSecret(t, "two")})
		}},
		{"start to free a slot", func(tx *Tx) error { return tx.StartRotation(orgB, "ci", "", false) }},
		{"inactivate the free key", func(tx *Tx) error { return tx.RotationInactivateFree(orgB, "ci") }},
		{"check the free key", func(tx *Tx) error {
			return rejected(tx.doc.Organizations[1].ServiceUsers[0].Rotation.FreeKeyID)(tx)
		}},
		{"free the slot", func(tx *Tx) error { return tx.RotationFreeSlot(orgB, "ci", false) }},
		{"cancel rotation", func(tx *Tx) error { return tx.CancelRotation(orgB, "ci") }},
		{"set rotation", func(tx *Tx) error {
			return tx.SetRotation(orgB, "ci", &Rotation{Step: StepNewKey, StartedAt: tx.Now()})
		}},
		{"record", func(tx *Tx) error { return tx.Record("note", orgB, "ci", "", "by hand") }},
		{"change through Doc", func(tx *Tx) error {
			tx.Doc().Organizations[1].ServiceUsers[0].Keys[0].DeployedTo = "direct"
			return nil
		}},
		{"change through a KeyRef", func(tx *Tx) error { ref, _ := tx.Key("k-new"); ref.Key.LastCheck.LatencyMs = 7; return nil }},
		{"remove org", func(tx *Tx) error {
			o, _ := tx.Org(orgB)
			for _, u := range o.ServiceUsers {
				for _, k := range u.Keys {
					if err := tx.SetStatus(k.AccessKeyID, Inactive, true); err != nil {
						return err
					}
					if err := tx.RemoveKey(k.AccessKeyID); err != nil {
						return err
					}
				}
			}
			return tx.RemoveOrg(orgB)
		}},
		{"add org back", func(tx *Tx) error {
			return tx.EnsureOrg(NewOrg{ID: orgB, Name: "Back", APIURL: "https://api.m3ter.com"})
		}},
	} {
		update(c.name, c.change)
	}
	// History fills up, then drops its oldest event at every save.
	update("fill the history", func(tx *Tx) error {
		for i := range MaxHistory {
			if err := tx.Record("note", orgB, "", "", fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	for i := range 3 {
		update(fmt.Sprint("event at the cap ", i), func(tx *Tx) error { return tx.Record("note", "", "", "", fmt.Sprint(i)) })
	}
}

// TestEncodeReusingSeesEveryField changes each field of the sample document in turn, every
// organization's, key's and event's, and checks that an encoding reusing the sample's gives
// what a full encoding does: a field the comparisons (sameOrg and the rest) miss fails here.
func TestEncodeReusingSeesEveryField(t *testing.T) {
	base := sampleWireDocument().Clone()
	prev, err := encodeReusing(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := changeLeaf(reflect.ValueOf(base).Elem(), -1)
	if n < 60 {
		t.Fatalf("only %d fields found in the sample", n)
	}
	for i := range n {
		d := base.Clone()
		changeLeaf(reflect.ValueOf(d).Elem(), i)
		full, err := encodeDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeReusing(d, prev)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.plain) != string(full) {
			t.Errorf("field %d: reusing gives\n%s\nwant\n%s", i, got.plain, full)
		}
	}
}

// changeLeaf makes the which-th change of v: a field that holds a value (a string, number,
// bool, time, secret or nil pointer) changed, a list one shorter, an empty list null or null
// an empty list; it walks structs, slices and pointers, and returns how many changes it found.
func changeLeaf(v reflect.Value, which int) int {
	n := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		leaf := func(change func()) {
			if n == which {
				change()
			}
			n++
		}
		switch v.Kind() {
		case reflect.String:
			leaf(func() { v.SetString(v.String() + "x") })
		case reflect.Bool:
			leaf(func() { v.SetBool(!v.Bool()) })
		case reflect.Int, reflect.Int64:
			leaf(func() { v.SetInt(v.Int() + 1) })
		case reflect.Pointer:
			if v.IsNil() {
				leaf(func() { v.Set(reflect.New(v.Type().Elem())) })
			} else {
				walk(v.Elem())
			}
		case reflect.Slice:
			if v.Len() == 0 { // null and [] encode differently
				leaf(func() {
					if v.IsNil() {
						v.Set(reflect.MakeSlice(v.Type(), 0, 0))
					} else {
						v.SetZero()
					}
				})
			} else {
				leaf(func() { v.SetLen(v.Len() - 1) })
			}
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			switch x := v.Addr().Interface().(type) {
			case *time.Time:
				leaf(func() { *x = x.Add(time.Second) })
			case *Secret:
				leaf(func() { *x = Secret{value: new(x.Reveal() + "x")} })
			default:
				for i := range v.NumField() {
					walk(v.Field(i))
				}
			}
		default:
			panic("changeLeaf: a field of kind " + v.Kind().String())
		}
	}
	walk(v)
	return n
}

// TestCloneAppendsStayApart: a clone's users and keys share one allocation each, and a key
// appended to one user must not land on the next user's keys.
func TestCloneAppendsStayApart(t *testing.T) {
	d := docWithUser(t)
	tx := d.Edit(t0)
	for _, k := range []struct{ user, id string }{{"ci", "k1"}, {"ops", "k2"}} {
		if err := tx.EnsureUser(orgA, k.user); err != nil {
			t.Fatal(err)
		}
		if err := tx.AddKey(orgA, k.user, NewKey{AccessKeyID: k.id, Secret: mustSecret(t, secret)}); err != nil {
			t.Fatal(err)
		}
	}
	c := d.Clone()
	if err := c.Edit(t0).AddKey(orgA, "ci", NewKey{AccessKeyID: "k3", Secret: mustSecret(t, secret)}); err != nil {
		t.Fatal(err)
	}
	users := c.Organizations[0].ServiceUsers
	if len(users[0].Keys) != 2 || len(users[1].Keys) != 1 || users[1].Keys[0].AccessKeyID != "k2" {
		t.Fatalf("after adding k3 to ci: ci %+v, ops %+v", users[0].Keys, users[1].Keys)
	}
	if len(d.Organizations[0].ServiceUsers[0].Keys) != 1 {
		t.Fatal("adding to the clone changed the original")
	}
}
