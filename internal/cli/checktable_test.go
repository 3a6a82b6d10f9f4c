package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/textcut"
)

// wideFixture stores keys that test the table's limits: long IDs that differ only in the
// middle or only at the end, a 3-digit age, long and wide service user names.
func wideFixture(t *testing.T) (*harness, map[string]string) {
	h := newHarness(t)
	fake := m3tertest.NewServer()
	t.Cleanup(fake.Close)
	h.vars["M3KEYS_API_URL"] = fake.URL
	mid := strings.Repeat("x", 40)
	ids := map[string]string{
		"midA": "AK-PROD-" + mid + "-A-" + mid + "-2026",
		"midB": "AK-PROD-" + mid + "-B-" + mid + "-2026",
		"endA": "AK-STAGING-" + strings.Repeat("y", 50) + "-0001",
		"endB": "AK-STAGING-" + strings.Repeat("y", 50) + "-0002",
		"old":  "AK-OLD",
	}
	in := "org_id,service_user,access_key_id,api_secret,org_name,created_at\n" +
		org1 + ",a-very-long-service-user-name-for-the-billing-integration," + ids["midA"] + "," + secret + ",A rather long organization name that goes on and on,2026-11-01\n" +
		org1 + ",請求書発行サービスユーザー," + ids["midB"] + "," + secret + ",,2026-11-01\n" +
		org1 + ",etl," + ids["endA"] + "," + secret + ",,2026-11-01\n" +
		org1 + ",etl," + ids["endB"] + "," + secret + ",,2026-11-01\n" +
		org2 + ",legacy," + ids["old"] + "," + secret + ",,2024-01-01\n"
	h.mustRun(in, "import")
	fake.AddKey(m3tertest.Key{AccessKeyID: ids["endA"], Secret: secret, OrgID: org1, ServiceUserID: "su-etl", ServiceUserName: "etl", Admin: true})
	fake.AddKey(m3tertest.Key{AccessKeyID: ids["old"], Secret: secret, OrgID: org2, ServiceUserID: "su-legacy", ServiceUserName: "legacy", Admin: true})
	return h, ids
}

func TestCheckTableFits80ColumnsAndNoTwoKeysLookTheSame(t *testing.T) {
	h, ids := wideFixture(t)
	o := h.run("", "check")
	if o.code != ExitRefused {
		t.Fatalf("exit %d %q", o.code, o.stderr)
	}
	for _, line := range strings.Split(o.stdout, "\n") {
		if w := textcut.Width(line); w > 80 {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
	if !strings.Contains(o.stdout, "1060d STALE") {
		t.Errorf("no 4-digit STALE age:\n%s", o.stdout)
	}
	// Keys whose IDs differ only at their ends show both ends, cut in the middle.
	for _, k := range []string{"endA", "endB"} {
		if cut := textcut.Middle(ids[k], 22); !strings.Contains(o.stdout, cut) {
			t.Errorf("%s is not shown cut in the middle as %q:\n%s", k, cut, o.stdout)
		}
	}
	// Keys whose IDs differ only in the middle would look the same cut: their whole IDs are shown.
	for _, k := range []string{"midA", "midB"} {
		if !strings.Contains(strings.ReplaceAll(o.stdout, "\n      ", ""), ids[k]) {
			t.Errorf("%s, which a cut would confuse with another key, is not shown whole:\n%s", k, o.stdout)
		}
	}
}

func TestCheckJSONCarriesOrgNameAndVerified(t *testing.T) {
	h, fake := checkFixture(t)
	fake.RemoveKey("AK-GOOD")
	for _, c := range []struct {
		args     []string
		verified bool
	}{{nil, true}, {[]string{"--no-verify"}, false}} {
		o := h.run("", append([]string{"check", "--json"}, c.args...)...)
		var report struct{ Results []map[string]any }
		if err := json.Unmarshal([]byte(o.stdout), &report); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, o.stdout)
		}
		for _, r := range report.Results {
			if r["orgName"] != "Acme" || r["verified"] != c.verified {
				t.Errorf("%v: orgName %v verified %v, want Acme %v", c.args, r["orgName"], r["verified"], c.verified)
			}
		}
	}
}

func TestCheckJSONSummaryNamesTheFieldToLookAt(t *testing.T) {
	h, fake := checkFixture(t)
	fake.RemoveKey("AK-GOOD")
	o := h.run("", "check", "--json")
	if o.code != ExitRefused || !strings.Contains(o.stderr, `2 keys failing`) ||
		!strings.Contains(o.stderr, `.results[] where .result is "rejected" or "forbidden"`) || strings.ContainsAny(o.stderr, "✗!") {
		t.Errorf("exit %d %q", o.code, o.stderr)
	}
	if o := h.run("", "check"); !strings.Contains(o.stderr, "marked ✗ or !") {
		t.Errorf("the table's summary no longer points at its marks: %q", o.stderr)
	}
	h.mustRun("", "inactivate", "AK-NOPERM", "--force")
	fake.Close()
	o = h.run("", "check", "--json", "--timeout", "2s")
	if o.code != ExitUncertain || !strings.Contains(o.stderr, `.results[] where .result is "undetermined"`) {
		t.Errorf("exit %d %q", o.code, o.stderr)
	}
}

func TestCheckJSONStaleSummaryNamesTheField(t *testing.T) {
	h, _ := checkFixture(t)
	h.mustRun("", "inactivate", "AK-NOPERM", "--force")
	now = now.Add(100 * 24 * time.Hour)
	defer func() { now = now.Add(-100 * 24 * time.Hour) }()
	o := h.run("", "check", "--json", "--fail-on-stale")
	if o.code != ExitRefused || !strings.Contains(o.stderr, "1 key stale") || !strings.Contains(o.stderr, ".results[] where .stale is true") {
		t.Errorf("exit %d %q", o.code, o.stderr)
	}
}

// The table uses the TUI's words: a token for another organization is "wrong org", not
// "forbidden 200"; a token-only valid says so.
func TestCheckTableSaysWrongOrgAndTokenOnly(t *testing.T) {
	h, fake := checkFixture(t)
	if o := h.add("AK-OTHER", "other"); o.code != 0 {
		t.Fatalf("add: %s", o.stderr)
	}
	fake.AddKey(m3tertest.Key{AccessKeyID: "AK-OTHER", Secret: secret, OrgID: org2, ServiceUserID: "su-o", ServiceUserName: "other", Admin: true})
	o := h.run("", "check")
	if !strings.Contains(o.stdout, "! wrong org") || strings.Contains(o.stdout, "forbidden     200") {
		t.Errorf("a token for another organization does not read \"! wrong org\":\n%s", o.stdout)
	}
	o = h.run("", "check", "--no-verify", "AK-GOOD")
	if !strings.Contains(o.stdout, "✓ valid (token only)") {
		t.Errorf("a token-only check does not say so:\n%s", o.stdout)
	}
}
