package keystore

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDeployedTo(t *testing.T) {
	d := docWithUser(t)
	tx := d.Edit(t0)
	bad := map[string]string{
		"too long":     strings.Repeat("é", 201),
		"control":      "vault\x07",
		"bidi":         "vault \u202e",
		"invalid utf8": "vault\xff",
		"newline":      "a\nb",
	}
	for name, text := range bad {
		var v *ValidationError
		if err := tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret), DeployedTo: text}); !errors.As(err, &v) {
			t.Errorf("%s: AddKey got %v, want a validation error", name, err)
		}
	}
	if err := tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret), DeployedTo: strings.Repeat("é", 200)}); err != nil {
		t.Fatalf("200 characters: %v", err)
	}
	for name, text := range bad {
		if err := tx.SetDeployedTo("k1", text); err == nil {
			t.Errorf("%s: SetDeployedTo accepted it", name)
		}
	}
	if err := tx.SetDeployedTo("k1", "GitHub Actions secret M3TER_KEY in acme/billing"); err != nil {
		t.Fatal(err)
	}
	if h := d.History[len(d.History)-1]; h.Action != "key.deployed-to" || !strings.Contains(h.Detail, "acme/billing") {
		t.Errorf("history %+v", h)
	}
	if err := tx.SetDeployedTo("k1", ""); err != nil {
		t.Fatal(err)
	}
	if ref, _ := d.Key("k1"); ref.Key.DeployedTo != "" {
		t.Errorf("empty did not clear: %q", ref.Key.DeployedTo)
	}
	if err := tx.SetDeployedTo("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestChecksOfInactiveKeys(t *testing.T) {
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatal(err)
		}
	}
	tx := d.Edit(t0.Add(1))
	if err := tx.RecordCheck("k1", Check{At: t0, Result: "valid", Verified: true}); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if ref.Key.LastCheck.WhileInactive || ref.Key.StillAccepted() {
		t.Fatal("a check of an ACTIVE key is marked as made while INACTIVE")
	}
	if err := d.Edit(t0.Add(2)).SetStatus("k1", Inactive, false); err != nil {
		t.Fatal(err)
	}
	if ref, _ = d.Key("k1"); ref.Key.StillAccepted() || ref.Key.Retired() {
		t.Fatal("a check from before the inactivation counts for the INACTIVE key")
	}
	if err := d.Edit(t0.Add(3)).RecordCheck("k1", Check{At: t0.Add(3), Result: "valid", Verified: true}); err != nil {
		t.Fatal(err)
	}
	if ref, _ = d.Key("k1"); !ref.Key.LastCheck.WhileInactive || !ref.Key.StillAccepted() || ref.Key.Retired() {
		t.Fatalf("INACTIVE and valid: %+v", ref.Key.LastCheck)
	}
	if err := d.Edit(t0.Add(4)).RecordCheck("k1", Check{At: t0.Add(4), Result: "rejected", Verified: true}); err != nil {
		t.Fatal(err)
	}
	if ref, _ = d.Key("k1"); !ref.Key.Retired() || ref.Key.StillAccepted() {
		t.Fatalf("INACTIVE and rejected: %+v", ref.Key.LastCheck)
	}
	if err := d.Edit(t0.Add(5)).SetStatus("k1", Active, false); err != nil {
		t.Fatal(err)
	}
	if ref, _ = d.Key("k1"); ref.Key.Retired() || ref.Key.StillAccepted() {
		t.Fatal("an ACTIVE key's rejected check still reads as retired")
	}
}

func TestWrongServiceUserIsFlaggedNotLearned(t *testing.T) {
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatal(err)
		}
	}
	tx := d.Edit(t0)
	seen := func(key, id string) {
		t.Helper()
		if err := tx.RecordCheck(key, Check{At: t0, Result: "valid", Verified: true}); err != nil {
			t.Fatal(err)
		}
		if err := tx.SawServiceUser(key, id); err != nil {
			t.Fatal(err)
		}
	}
	seen("k1", "su-ci")
	seen("k2", "su-other")
	o, _ := d.Org(orgA)
	u, _ := o.User("ci")
	if u.ID != "su-ci" {
		t.Fatalf("the learned ID was overwritten: %q", u.ID)
	}
	ref, _ := d.Key("k2")
	if ref.Key.LastCheck.WrongServiceUser != "su-other" {
		t.Fatalf("k2 not flagged: %+v", ref.Key.LastCheck)
	}
	if h := d.History[len(d.History)-1]; h.Action != "key.wrong-user" || h.AccessKeyID != "k2" || !strings.Contains(h.Detail, "su-other") {
		t.Fatalf("history %+v", h)
	}
	n := len(d.History)
	seen("k2", "su-other")
	if len(d.History) != n {
		t.Error("the same flag recorded twice")
	}
	seen("k2", "su-ci")
	if ref, _ := d.Key("k2"); ref.Key.LastCheck.WrongServiceUser != "" {
		t.Error("a check naming the learned user did not clear the flag")
	}
}

func TestMarkExposed(t *testing.T) {
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Clone().Edit(t0).MarkExposed([]string{"k1", "gone"}, "bob removed"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if err := d.Edit(t0).MarkExposed([]string{"k1"}, "team member bob removed"); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit(t0.Add(1)).MarkExposed([]string{"k1"}, "again"); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if !ref.Key.Exposed || !ref.Key.ExposedAt.Equal(t0) {
		t.Fatalf("k1: exposed %v at %v, want the first time", ref.Key.Exposed, ref.Key.ExposedAt)
	}
	if ref, _ := d.Key("k2"); ref.Key.Exposed {
		t.Fatal("k2 was marked too")
	}
	if h := d.History[len(d.History)-2]; h.Action != "key.exposed" || h.Detail != "team member bob removed" {
		t.Fatalf("history %+v", h)
	}
}

// overLimitDoc is orgA's ci holding three keys, as a team merge leaves it, loaded through the codec.
func overLimitDoc(t *testing.T) *Document {
	t.Helper()
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatal(err)
		}
	}
	u := &d.Organizations[0].ServiceUsers[0]
	u.Keys = append(u.Keys, AccessKey{AccessKeyID: "k3", Secret: mustSecret(t, secret), Status: Active, CreatedAt: t0})
	if _, err := DecodeDocument(encode(t, d)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("three keys without the flag loaded: %v", err)
	}
	u.OverLimitAfterMerge = true
	back, err := DecodeDocument(encode(t, d))
	if err != nil {
		t.Fatalf("three keys with the flag: %v", err)
	}
	return back
}

func encode(t *testing.T, d *Document) []byte {
	t.Helper()
	data, err := EncodeDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestOverLimitAfterMerge(t *testing.T) {
	d := overLimitDoc(t)
	tx := d.Edit(t0)
	if err := tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k4", Secret: mustSecret(t, secret)}); !errors.Is(err, ErrKeyLimit) {
		t.Fatalf("add to an over-limit user: %v", err)
	}
	o, _ := d.Org(orgA)
	u, _ := o.User("ci")
	if err := u.FreeSlot(); !errors.Is(err, ErrKeyLimit) || !strings.Contains(err.Error(), "k1, k2 and k3") {
		t.Fatalf("FreeSlot: %v", err)
	}
	if err := tx.SetStatus("k1", Inactive, false); err != nil {
		t.Fatalf("inactivate: %v", err)
	}
	if err := tx.SetStatus("k1", Active, false); !errors.Is(err, ErrOverLimit) {
		t.Fatalf("activate on an over-limit user: %v", err)
	}
	if err := tx.RemoveKey("k1"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if u, _ = o.User("ci"); u.OverLimitAfterMerge {
		t.Fatal("the flag stayed with two keys left")
	}
	if h := d.History[len(d.History)-1]; h.Action != "user.within-limit" {
		t.Fatalf("history %+v", h)
	}
	// A flag left on a user with two keys (a hand edit) is dropped on load.
	u.OverLimitAfterMerge = true
	back, err := DecodeDocument(encode(t, d))
	if err != nil {
		t.Fatal(err)
	}
	if back.Organizations[0].ServiceUsers[0].OverLimitAfterMerge {
		t.Fatal("load kept the flag on a user within the limit")
	}
}

func TestSecretEqual(t *testing.T) {
	a, b, c := mustSecret(t, secret), mustSecret(t, " "+secret+"\n"), mustSecret(t, secret+"x")
	if !a.Equal(b) || a.Equal(c) || a.Equal(Secret{}) || !(Secret{}).Equal(Secret{}) {
		t.Fatal("Equal is wrong")
	}
}

func TestEncodeDocumentRoundTripsNewFields(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "k1", DeployedTo: "vault"}, NewKey{AccessKeyID: "k2"})
	tx := d.Edit(t0)
	for _, err := range []error{
		tx.MarkExposed([]string{"k1"}, "x"),
		tx.RecordCheck("k2", Check{At: t0, Result: "valid", Verified: true}),
		tx.SawServiceUser("k2", "su-other"),
		tx.StartRotation(orgA, "ci", "", false),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	data := encode(t, d)
	back, err := DecodeDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Organizations, d.Organizations) {
		t.Fatal("round trip changed the document")
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil || raw["version"] != float64(CurrentVersion) {
		t.Fatalf("version %v, %v", raw["version"], err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	d := rotationDoc(t, NewKey{AccessKeyID: "k1"})
	tx := d.Edit(t0)
	if err := tx.RecordCheck("k1", Check{At: t0, Result: "valid"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.StartRotation(orgA, "ci", "", false); err != nil {
		t.Fatal(err)
	}
	c := d.Clone()
	c.Organizations[0].ServiceUsers[0].Rotation.Step = StepDone
	c.Organizations[0].ServiceUsers[0].Keys[0].LastCheck.WrongServiceUser = "x"
	c.Organizations[0].ServiceUsers[0].Keys[0].DeployedTo = "x"
	u := d.Organizations[0].ServiceUsers[0]
	if u.Rotation.Step != StepNewKey || u.Keys[0].LastCheck.WrongServiceUser != "" || u.Keys[0].DeployedTo != "" {
		t.Fatal("changing the clone changed the original")
	}
}
