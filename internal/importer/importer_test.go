package importer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

const (
	org    = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	secret = "IMPORT-secret-never-printed"
	header = "org_id,service_user,access_key_id,api_secret\n"
)

func TestParseCSVFullRow(t *testing.T) {
	in := "\ufefforg_id,service_user,access_key_id,api_secret,org_name,api_url,status,created_at\n" +
		org + ",ci bot,AK-1, " + secret + " ,Acme,https://api.eu.m3ter.com,inactive,2026-01-02T03:04:05Z\n"
	rows, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.OrgID != org || r.ServiceUser != "ci bot" || r.AccessKeyID != "AK-1" || r.Secret.Reveal() != secret ||
		r.OrgName != "Acme" || r.APIURL != "https://api.eu.m3ter.com" || r.Status != keystore.Inactive ||
		!r.CreatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || r.Where != "line 2" {
		t.Fatalf("row: %+v", r)
	}
}

func TestParseCSVDefaults(t *testing.T) {
	rows, err := ParseCSV(strings.NewReader(header + org + ",ci,AK-1," + secret + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].APIURL != "" || rows[0].Status != keystore.Active || !rows[0].CreatedAt.IsZero() {
		t.Fatalf("defaults: %+v", rows[0])
	}
}

func TestParseErrorsNameTheLineAndNeverTheValue(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "no input"},
		{"header only", header, "no rows"},
		{"missing column", "org_id,service_user,access_key_id\n", "missing column api_secret"},
		{"unknown column", header[:len(header)-1] + ",colour\n", "line 1: column 5 of the header is not a known column"},
		{"bad org", header + "nope,ci,AK-1," + secret + "\n", "line 2: organization ID"},
		{"bad secret", header + org + ",ci,AK-1,a " + secret + "\n", "line 2: API secret"},
		{"bad status", "org_id,service_user,access_key_id,api_secret,status\n" + org + ",ci,AK-1," + secret + ",gone\n", "line 2: status"},
		{"bad date", "org_id,service_user,access_key_id,api_secret,created_at\n" + org + ",ci,AK-1," + secret + ",yesterday\n", "line 2: created_at"},
		{"short row", header + org + ",ci,AK-1," + secret + "\n" + org + ",ci\n", "line 3: has 2 fields"},
		{"bad quote", header + org + ",\"ci,AK-1," + secret + "\n", "line 2"},
		{"http api url", "org_id,service_user,access_key_id,api_secret,api_url\n" + org + ",ci,AK-1," + secret + ",http://example.com\n", "line 2: API URL"},
		{"deployed_to too long", "org_id,service_user,access_key_id,api_secret,deployed_to\n" + org + ",ci,AK-1," + secret + "," + strings.Repeat("x", 201) + "\n", "line 2: deployed-to note"},
		{"deployed_to control", "org_id,service_user,access_key_id,api_secret,deployed_to\n" + org + ",ci,AK-1," + secret + ",\"a\x1bb\"\n", "line 2: deployed-to note"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "IMPORT-secret") {
				t.Fatal("error quotes the secret")
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	rows, err := ParseJSON(strings.NewReader(`[{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-1","api_secret":"` + secret + `"}]`))
	if err != nil || len(rows) != 1 || rows[0].Where != "entry 1" {
		t.Fatalf("%v %+v", err, rows)
	}
	for _, bad := range []string{`{}`, `[]`, `[{"org_id":1}]`, `[{"org_id":"` + org + `","colour":"x"}]`, `[{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-1"}]`} {
		if _, err := ParseJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestApplyNamesTheLineOfARuleBreak(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
		line     string
	}{
		{"a third key for a user", header + org + ",ci,AK-1," + secret + "\n" + org + ",ci,AK-2," + secret + "\n" + org + ",ci,AK-3," + secret + "\n",
			keystore.ErrKeyLimit, "line 4"},
		// Two rows for one new organization that disagree: the second must not be silently ignored.
		{"an API URL that contradicts the stored one", "org_id,service_user,access_key_id,api_secret,api_url\n" +
			org + ",ci,AK-1," + secret + ",https://api.m3ter.com\n" +
			org + ",etl,AK-2," + secret + ",https://api.eu.m3ter.com\n",
			keystore.ErrOrgMismatch, "line 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ParseCSV(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			d := &keystore.Document{Version: keystore.CurrentVersion}
			err = Apply(d.Edit(time.Now()), rows, "https://api.m3ter.com")
			var re *RowError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || re.Where != c.line {
				t.Fatalf("got %v, want %v on %s", err, c.want, c.line)
			}
		})
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add(header + org + ",ci,AK-1," + secret + "\n")
	f.Add("org_id,service_user,access_key_id,api_secret,org_name,api_url,status,created_at\n" + org + ",ci,AK-1,s,Acme,https://api.m3ter.com,ACTIVE,2026-01-01\n")
	f.Add(header + "\"unterminated\n")
	f.Add("\ufeff" + header)
	f.Add(header + org + ",ci\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rows {
			// Everything accepted must pass the keystore's own validation.
			if validate.OrgID(r.OrgID) != nil || validate.KeyID(r.AccessKeyID) != nil ||
				validate.Name("service user", r.ServiceUser) != nil || r.Secret.IsZero() {
				t.Fatalf("accepted an invalid row: %+v", r)
			}
		}
		d := &keystore.Document{Version: keystore.CurrentVersion}
		_ = Apply(d.Edit(time.Now()), rows, "https://api.m3ter.com")
	})
}

func TestHeaderlessInputNeverQuotesTheFirstLine(t *testing.T) {
	// A file without its header: the first line is a row, and its first field could be the secret.
	in := "SecretFirst" + secret + "," + org + ",ci,AK-1\n"
	_, err := ParseCSV(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "line 1: column 1") {
		t.Fatalf("got %v, want an error naming line 1, column 1", err)
	}
	if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(secret)) {
		t.Fatalf("error quotes the first line: %v", err)
	}
}

func TestInputBeyondTheLimitIsRefusedNotCut(t *testing.T) {
	// Blank lines (which CSV skips) push the limit into the middle of the last row's secret:
	// cut there, the row would still parse, with half a secret.
	last := org + ",ci,AK-2," + secret + "\n"
	head := header + org + ",ci,AK-1," + secret + "\n"
	blanks := strings.Repeat("\n", MaxInput-len(head)-len(last)+10)
	if _, err := ParseCSV(strings.NewReader(head + blanks + last)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("CSV: got %v, want ErrTooLarge", err)
	}
	jsonIn := `[{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-1","api_secret":"` + secret + `"}]`
	if _, err := ParseJSON(strings.NewReader(jsonIn + strings.Repeat(" ", MaxInput))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("JSON: got %v, want ErrTooLarge", err)
	}
	exact := head + strings.Repeat("\n", MaxInput-len(head)-len(last)) + last
	if rows, err := ParseCSV(strings.NewReader(exact)); err != nil || len(rows) != 2 {
		t.Errorf("input of exactly MaxInput bytes: %d rows, %v", len(rows), err)
	}
}

func TestJSONWithDataAfterTheArrayIsRefused(t *testing.T) {
	entry := `{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-%d","api_secret":"` + secret + `"}`
	for _, in := range []string{
		"[" + fmt.Sprintf(entry, 1) + "]\n[" + fmt.Sprintf(entry, 2) + "]",
		"[" + fmt.Sprintf(entry, 1) + "] trailing",
	} {
		if rows, err := ParseJSON(strings.NewReader(in)); err == nil {
			t.Errorf("accepted %d row(s) and dropped what follows the array", len(rows))
		}
	}
	if _, err := ParseJSON(strings.NewReader("[" + fmt.Sprintf(entry, 1) + "]\n\n")); err != nil {
		t.Errorf("trailing whitespace refused: %v", err)
	}
}

func TestApplyUsesTheDefaultAPIURLForNewOrganizationsOnly(t *testing.T) {
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(time.Now())
	if err := tx.AddOrg(keystore.NewOrg{ID: org, APIURL: "https://api.eu.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	const other = "11111111-2222-4333-8444-555555555555"
	in := "org_id,service_user,access_key_id,api_secret,api_url\n" +
		org + ",ci,AK-1," + secret + ",\n" +
		other + ",etl,AK-2," + secret + ",\n"
	rows, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(tx, rows, "https://api.m3ter.com"); err != nil {
		t.Fatal(err)
	}
	if o, _ := d.Org(org); o.APIURL != "https://api.eu.m3ter.com" {
		t.Errorf("existing organization's API URL became %s", o.APIURL)
	}
	if o, _ := d.Org(other); o.APIURL != "https://api.m3ter.com" {
		t.Errorf("new organization's API URL is %s, want the default", o.APIURL)
	}
}

func TestParseJSONErrorsNameEntryAndFieldButNoValue(t *testing.T) {
	cases := []struct{ in, want string }{
		{`[{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-1","api_secret":"` + secret + `"},{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-2","api_secret":42}]`, "entry 2: api_secret must be a string"},
		{`[{"` + secret + `":"x"}]`, "entry 1: has a field that is not one of"},
	}
	for _, c := range cases {
		_, err := ParseJSON(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "IMPORT-secret") {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
}

func TestParseJSONRefusesARepeatedFieldByNameNotValue(t *testing.T) {
	entry := `{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-%d","api_secret":"` + secret + `"%s}`
	for _, c := range []struct{ extra, want string }{
		{`,"api_secret":"other-IMPORT-secret"`, "entry 2: api_secret appears twice"},
		{`,"service_user":"ci"`, "entry 2: service_user appears twice"}, // even with the same value
		{`,"` + secret + `":"x","` + secret + `":"y"`, "entry 2: has a field that is not one of"},
	} {
		in := "[" + fmt.Sprintf(entry, 1, "") + "," + fmt.Sprintf(entry, 2, c.extra) + "]"
		_, err := ParseJSON(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "IMPORT-secret") {
			t.Errorf("error quotes a value: %v", err)
		}
	}
	for _, bad := range []string{`null`, `[null]`, `[1]`, `[{"org_id":"` + org + `"]`, `[{}`} {
		if _, err := ParseJSON(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "not one JSON array") {
			t.Errorf("%s: got %v", bad, err)
		}
	}
}

func TestApplyTreatsAnOrgIDInAnyCaseAsOneOrganization(t *testing.T) {
	d := &keystore.Document{Version: keystore.CurrentVersion}
	const fresh = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	in := header + strings.ToUpper(org) + ",ci,AK-1," + secret + "\n" + org + ",ci,AK-2," + secret + "\n" +
		fresh + ",etl,AK-3," + secret + "\n" + strings.ToUpper(fresh) + ",etl,AK-4," + secret + "\n" +
		strings.ToUpper(org) + ",ci,AK-5," + secret + "\n"
	rows, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	// ci would hold three keys if the two spellings were one organization: refused on line 6.
	var re *RowError
	if err := Apply(d.Clone().Edit(time.Now()), rows, "https://api.m3ter.com"); !errors.Is(err, keystore.ErrKeyLimit) || !errors.As(err, &re) || re.Where != "line 6" {
		t.Fatalf("got %v, want the key limit on line 6", err)
	}
	if err := Apply(d.Edit(time.Now()), rows[:4], "https://api.m3ter.com"); err != nil {
		t.Fatal(err)
	}
	if len(d.Organizations) != 2 {
		t.Errorf("%d organizations, want 2", len(d.Organizations))
	}
	if o, ok := d.Org(strings.ToUpper(fresh)); !ok || len(o.ServiceUsers) != 1 || len(o.ServiceUsers[0].Keys) != 2 {
		t.Errorf("Org in upper case: ok=%v", ok)
	}
	// Stored canonical, whichever spelling came first, so users/me is asked with it.
	for _, o := range d.Organizations {
		if o.ID != strings.ToLower(o.ID) {
			t.Errorf("organization stored as %s, want lower case", o.ID)
		}
	}
}

func TestDeployedToColumn(t *testing.T) {
	csvIn := "org_id,service_user,access_key_id,api_secret,deployed_to\n" + org + ",ci,AK-1," + secret + ", vault: kv/billing/m3ter \n" + org + ",ci,AK-2," + secret + ",\n"
	rows, err := ParseCSV(strings.NewReader(csvIn))
	if err != nil {
		t.Fatal(err)
	}
	jsonRows, err := ParseJSON(strings.NewReader(`[{"org_id":"` + org + `","service_user":"ci","access_key_id":"AK-3","api_secret":"` + secret + `","deployed_to":"GitHub secret M3TER"}]`))
	if err != nil {
		t.Fatal(err)
	}
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(time.Now())
	if err := Apply(tx, rows, validate.DefaultAPIURL); err != nil {
		t.Fatal(err)
	}
	jsonRows[0].ServiceUser = "web"
	if err := Apply(tx, jsonRows, validate.DefaultAPIURL); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"AK-1": "vault: kv/billing/m3ter", "AK-2": "", "AK-3": "GitHub secret M3TER"} {
		if ref, ok := d.Key(id); !ok || ref.Key.DeployedTo != want {
			t.Errorf("%s deployed to %q, want %q", id, ref.Key.DeployedTo, want)
		}
	}
}
