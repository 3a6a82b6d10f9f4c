package cli

import (
	"strings"
	"testing"
)

// Organization IDs are UUIDs, so case-insensitive: upper case beside lower case is one organization.
func TestOrgIDsInAnyCaseAreOneOrganization(t *testing.T) {
	h, _ := checkFixture(t) // org1, lower case, with AK-GOOD and AK-NOPERM
	upper := strings.ToUpper(org1)
	h.mustRun(secret+"\n", "add", "--org", upper, "--user", "etl", "--key-id", "AK-UP")
	in := "org_id,service_user,access_key_id,api_secret\n" + upper + ",etl,AK-UP2," + secret + "\n"
	h.mustRun(in, "import")
	doc := h.store()
	if len(doc.Organizations) != 1 {
		t.Fatalf("%d organizations for one ID in two cases", len(doc.Organizations))
	}
	if ref, ok := doc.Key("AK-UP"); !ok || !strings.EqualFold(ref.Org.ID, org1) {
		t.Fatalf("AK-UP not under %s", org1)
	}
	// The two-key rule holds across cases: etl has AK-UP and AK-UP2.
	if o := h.run(secret+"\n", "add", "--org", upper, "--user", "etl", "--key-id", "AK-UP3"); o.code != ExitRefused {
		t.Errorf("third key for etl: exit %d %q", o.code, o.stderr)
	}
	o := h.run("", "check", "--org", upper, "--json")
	if o.code != ExitRefused || !strings.Contains(o.stdout, "AK-GOOD") || !strings.Contains(o.stdout, "AK-UP") {
		t.Errorf("check --org in upper case: exit %d %q\n%s", o.code, o.stderr, o.stdout)
	}
}
