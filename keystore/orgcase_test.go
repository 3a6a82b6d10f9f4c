package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/validate"
)

// Organization IDs are UUIDs: AAAA… and aaaa… are one m3ter organization, so one in the store.
func TestOrgIDInAnyCaseIsOneOrganization(t *testing.T) {
	upper := strings.ToUpper(orgA)
	d := &Document{Version: CurrentVersion}
	tx := d.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: upper, Name: "Acme", APIURL: validate.DefaultAPIURL}); err != nil {
		t.Fatal(err)
	}
	if got := d.Organizations[0].ID; got != orgA {
		t.Fatalf("stored ID %s, want the lower-case %s", got, orgA)
	}
	if err := tx.AddOrg(NewOrg{ID: orgA, APIURL: validate.DefaultAPIURL}); !errors.Is(err, ErrDuplicateOrg) {
		t.Errorf("AddOrg in the other case: got %v, want ErrDuplicateOrg", err)
	}
	if err := tx.EnsureOrg(NewOrg{ID: orgA, Name: "Acme"}); err != nil {
		t.Errorf("EnsureOrg in the other case: %v", err)
	}
	if err := tx.AddUser(orgA, "ci"); err != nil {
		t.Fatal(err)
	}
	if err := tx.EnsureUser(upper, "ci"); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{orgA, upper} {
		if err := tx.AddKey(id, "ci", NewKey{AccessKeyID: fmt.Sprintf("k%d", i+1), Secret: mustSecret(t, secret)}); err != nil {
			t.Fatalf("AddKey under %s: %v", id, err)
		}
	}
	// The two-key rule holds whatever the case of the ID.
	for _, id := range []string{upper, strings.ToUpper(orgA[:8]) + orgA[8:]} {
		if err := tx.AddKey(id, "ci", NewKey{AccessKeyID: "k3", Secret: mustSecret(t, secret)}); !errors.Is(err, ErrKeyLimit) {
			t.Errorf("third key under %s: got %v, want ErrKeyLimit", id, err)
		}
	}
	if err := tx.SetUserID(upper, "ci", "u-1"); err != nil {
		t.Error(err)
	}
	if err := tx.SetRotation(upper, "ci", &Rotation{Step: 1}); err != nil {
		t.Error(err)
	}
	if err := tx.EditOrg(NewOrg{ID: upper, Name: "Acme EU", APIURL: "https://api.eu.m3ter.com"}); err != nil {
		t.Error(err)
	}
	if err := tx.Record("rotation.done", upper, "ci", "k1", ""); err != nil {
		t.Error(err)
	}
	if len(d.Organizations) != 1 {
		t.Fatalf("%d organizations for one ID in two cases", len(d.Organizations))
	}
	if o, ok := d.Org(upper); !ok || o.Name != "Acme EU" || len(o.ServiceUsers) != 1 {
		t.Errorf("Org(upper case) = %v, %v", o, ok)
	}
	for _, e := range d.History {
		if e.OrgID != orgA {
			t.Errorf("history event %s names the organization as %s, want %s", e.Action, e.OrgID, orgA)
		}
	}
	if _, err := encodeAndDecode(d); err != nil {
		t.Fatal(err)
	}
	empty := &Document{Version: CurrentVersion}
	tx = empty.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: upper, APIURL: validate.DefaultAPIURL}); err != nil {
		t.Fatal(err)
	}
	if err := tx.RemoveOrg(orgA); err != nil || len(empty.Organizations) != 0 {
		t.Errorf("RemoveOrg in the other case: %v, %d left", err, len(empty.Organizations))
	}
}

// v2 writes a version 2 document: orgs are JSON objects; secrets are key ID → secret.
func v2(orgs ...string) []byte {
	return []byte(`{"version":2,"organizations":[` + strings.Join(orgs, ",") + `],"history":[],"secrets":{` +
		`"k1":"` + secret + `1","k2":"` + secret + `2","k3":"` + secret + `3","k4":"` + secret + `4"}}`)
}

func orgJSON(id, name, url, users string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"apiUrl":%q,"serviceUsers":[%s]}`, id, name, url, users)
}

func userJSON(name, id, rotation string, keys ...string) string {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = fmt.Sprintf(`{"accessKeyId":%q,"status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z"}`, k)
	}
	r := ""
	if rotation != "" {
		r = `,"rotation":{"step":1,"newKeyId":"` + rotation + `","startedAt":"2026-01-01T00:00:00Z"}`
	}
	return fmt.Sprintf(`{"name":%q,"id":%q,"keys":[%s]%s}`, name, id, strings.Join(ks, ","), r)
}

func TestLoadMergesOrganizationsThatDifferOnlyInCase(t *testing.T) {
	upper := strings.ToUpper(orgA)
	doc := v2(
		orgJSON(orgA, "", "https://api.m3ter.com", userJSON("ci", "", "", "k1")),
		orgJSON(orgB, "Other", "https://api.m3ter.com", ""),
		orgJSON(upper, "Acme", "https://API.m3ter.com/", userJSON("ci", "u-1", "k2", "k2")+","+userJSON("etl", "", "", "k3", "k4")),
	)
	d, err := DecodeDocument(doc)
	if err != nil {
		t.Fatalf("DecodeDocument: %v", err)
	}
	if len(d.Organizations) != 2 {
		t.Fatalf("%d organizations, want the two spellings merged into one beside %s", len(d.Organizations), orgB)
	}
	o, ok := d.Org(upper)
	if !ok || o.ID != orgA || o.Name != "Acme" || o.APIURL != "https://api.m3ter.com" || len(o.ServiceUsers) != 2 {
		t.Fatalf("merged organization = %+v", o)
	}
	ci, _ := o.User("ci")
	if len(ci.Keys) != 2 || ci.Keys[0].AccessKeyID != "k1" || ci.Keys[1].AccessKeyID != "k2" || ci.ID != "u-1" || ci.Rotation == nil {
		t.Errorf("ci after the merge = %+v", ci)
	}
	for i, id := range []string{"k1", "k2", "k3", "k4"} {
		ref, ok := d.Key(id)
		if !ok || ref.Key.Secret.Reveal() != fmt.Sprintf("%s%d", secret, i+1) {
			t.Errorf("%s lost or its secret changed in the merge", id)
		}
	}
	last := d.History[len(d.History)-1]
	if last.Action != "org.merge" || last.OrgID != orgA || !strings.Contains(last.Detail, upper) {
		t.Errorf("no history event for the merge: %+v", last)
	}
	enc, err := encodeDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeDocument(enc)
	if err != nil || len(back.History) != len(d.History) || back.Version != CurrentVersion {
		t.Errorf("a merged document does not load back as it is: %v", err)
	}
}

func TestLoadRefusesCaseDuplicatesItCannotMerge(t *testing.T) {
	upper := strings.ToUpper(orgA)
	url := "https://api.m3ter.com"
	cases := map[string]struct {
		a, b, want string
	}{
		"names differ": {orgJSON(orgA, "Acme", url, ""), orgJSON(upper, "Globex", url, ""), "names"},
		"API URLs differ": {orgJSON(orgA, "", url, ""), orgJSON(upper, "", "https://api.eu.m3ter.com", ""),
			"API URLs"},
		"three keys for one user": {orgJSON(orgA, "", url, userJSON("ci", "", "", "k1", "k2")), orgJSON(upper, "", url, userJSON("ci", "", "", "k3")),
			`"ci" would hold 3 keys`},
		"two m3ter IDs for one user": {orgJSON(orgA, "", url, userJSON("ci", "u-1", "", "k1")), orgJSON(upper, "", url, userJSON("ci", "u-2", "", "k2")),
			`"ci" has two m3ter IDs`},
		"two rotations for one user": {orgJSON(orgA, "", url, userJSON("ci", "", "k1", "k1")), orgJSON(upper, "", url, userJSON("ci", "", "k2", "k2")),
			`"ci" is in two rotations`},
		"one key twice": {orgJSON(orgA, "", url, userJSON("ci", "", "", "k1")), orgJSON(upper, "", url, userJSON("etl", "", "", "k1")),
			"k1 appears twice"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeDocument(v2(c.a, c.b))
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrCorrupt saying %q", err, c.want)
			}
			msg := err.Error()
			if c.want != "k1 appears twice" && (!strings.Contains(msg, orgA) || !strings.Contains(msg, upper) || !strings.Contains(msg, "nothing was changed")) {
				t.Errorf("message does not name both IDs and that nothing was changed: %s", msg)
			}
			if strings.Contains(msg, secret) {
				t.Error("message holds a secret")
			}
		})
	}
	// The same spelling twice is damage, not a difference of case.
	if _, err := DecodeDocument(v2(orgJSON(orgA, "", url, ""), orgJSON(orgA, "", url, ""))); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("one spelling twice: %v", err)
	}
}

// A store an older m3keys wrote with both spellings opens merged, and is saved in the current version.
func TestStoreWithCaseDuplicatesOpensMergedAndSavesTheNewVersion(t *testing.T) {
	s, dir := newStore(t)
	url := "https://api.m3ter.com"
	writeDocument(t, s, string(v2(orgJSON(orgA, "Acme", url, userJSON("ci", "", "", "k1")), orgJSON(strings.ToUpper(orgA), "", url, userJSON("ci", "", "", "k2")))))
	s2, err := Open(dir, testPass)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s2.Update(func(tx *Tx) error { return tx.AddUser(strings.ToUpper(orgA), "etl") }); err != nil {
		t.Fatal(err)
	}
	plain, err := decrypt(mustRead(t, filepath.Join(dir, DocumentFile)), s2.identity.id, DocumentFile)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Version       int
		Organizations []struct{ ID string }
	}
	if err := json.Unmarshal(plain, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.Version != CurrentVersion || len(saved.Organizations) != 1 || saved.Organizations[0].ID != orgA {
		t.Errorf("saved version %d with organizations %+v, want version %d with %s only", saved.Version, saved.Organizations, CurrentVersion, orgA)
	}
	if err := s2.Update(func(tx *Tx) error {
		return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k3", Secret: mustSecret(t, secret)})
	}); !errors.Is(err, ErrKeyLimit) {
		t.Errorf("third key for the merged user: got %v, want ErrKeyLimit", err)
	}
}

// The invalid UTF-8 bug left stores whose every load failed: two service users both named
// "svc\uFFFD" in one organization. They load again, and no key is lost.
func TestLoadSeparatesServiceUsersTheUTF8BugGaveOneName(t *testing.T) {
	const mangled = "svc\uFFFD"
	url := "https://api.m3ter.com"
	long := strings.Repeat("\uFFFD", 100)
	cases := map[string]struct {
		users     []string
		wantNames []string
		wantEvent string
	}{
		"no m3ter IDs: renamed": {[]string{userJSON(mangled, "", "", "k1", "k2"), userJSON(mangled, "", "", "k3")},
			[]string{mangled, mangled + " (2)"}, "user.rename"},
		"three, one already (2)": {[]string{userJSON(mangled, "", "", "k1"), userJSON(mangled+" (2)", "", "", "k2"), userJSON(mangled, "", "", "k3"), userJSON(mangled, "", "", "k4")},
			[]string{mangled, mangled + " (2)", mangled + " (3)", mangled + " (4)"}, "user.rename"},
		"two m3ter IDs: renamed": {[]string{userJSON(mangled, "u-1", "", "k1"), userJSON(mangled, "u-2", "", "k2")},
			[]string{mangled, mangled + " (2)"}, "user.rename"},
		"one m3ter ID, two keys: merged": {[]string{userJSON(mangled, "u-1", "", "k1"), userJSON(mangled, "u-1", "", "k2")},
			[]string{mangled}, "user.merge"},
		"one m3ter ID, three keys: renamed": {[]string{userJSON(mangled, "u-1", "", "k1", "k2"), userJSON(mangled, "u-1", "", "k3")},
			[]string{mangled, mangled + " (2)"}, "user.rename"},
		"100 characters: fits": {[]string{userJSON(long, "", "", "k1"), userJSON(long, "", "", "k2")},
			[]string{long, strings.Repeat("\uFFFD", 96) + " (2)"}, "user.rename"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := DecodeDocument(v2(orgJSON(orgA, "", url, strings.Join(c.users, ","))))
			if err != nil {
				t.Fatalf("DecodeDocument: %v", err)
			}
			var names []string
			keys := 0
			for _, u := range d.Organizations[0].ServiceUsers {
				names = append(names, u.Name)
				keys += len(u.Keys)
				if validate.Name("service user", u.Name) != nil {
					t.Errorf("name %q does not validate", u.Name)
				}
			}
			if strings.Join(names, "|") != strings.Join(c.wantNames, "|") {
				t.Errorf("service users %q, want %q", names, c.wantNames)
			}
			if keys != strings.Count(strings.Join(c.users, ""), `"accessKeyId"`) {
				t.Errorf("%d keys after the repair, some were lost", keys)
			}
			if last := d.History[len(d.History)-1]; last.Action != c.wantEvent || !strings.Contains(last.Detail, "invalid text") {
				t.Errorf("last event %+v, want %s explaining why", last, c.wantEvent)
			}
			if back, err := encodeAndDecode(d); err != nil || len(back.History) != len(d.History) {
				t.Errorf("the repaired document does not load back unchanged: %v", err)
			}
		})
	}
	// Any other name twice is damage, not the bug's trace.
	if _, err := DecodeDocument(v2(orgJSON(orgA, "", url, userJSON("ci", "", "", "k1")+","+userJSON("ci", "", "", "k2")))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("\"ci\" twice: got %v, want ErrCorrupt", err)
	}
}
