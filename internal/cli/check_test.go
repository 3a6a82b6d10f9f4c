package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/authclient/m3tertest"
)

// checkFixture stores four keys that the fake m3ter treats differently.
func checkFixture(t *testing.T) (*harness, *m3tertest.Server) {
	h := newHarness(t)
	fake := m3tertest.NewServer()
	t.Cleanup(fake.Close)
	h.vars["M3KEYS_API_URL"] = fake.URL
	add := func(keyID, user string, admin, register bool) {
		if o := h.add(keyID, user); o.code != 0 {
			t.Fatalf("add %s: %s", keyID, o.stderr)
		}
		if register {
			fake.AddKey(m3tertest.Key{AccessKeyID: keyID, Secret: secret, OrgID: org1, ServiceUserID: "su-" + user, ServiceUserName: user, Admin: admin})
		}
	}
	add("AK-GOOD", "good", true, true)
	add("AK-NOPERM", "noperm", false, true)
	return h, fake
}

func TestCheckClassesAndExitCodes(t *testing.T) {
	h, fake := checkFixture(t)
	o := h.run("", "check")
	if o.code != ExitRefused {
		t.Fatalf("a forbidden key must exit 1, got %d: %s", o.code, o.stderr)
	}
	for _, want := range []string{"AK-GOOD", "✓ valid", "AK-NOPERM", "! forbidden", "2 key(s): 1 valid, 0 rejected, 1 forbidden"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, o.stdout)
		}
	}
	for _, line := range strings.Split(o.stdout, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	ref, _ := h.store().Key("AK-GOOD")
	if ref.Key.LastCheck == nil || ref.Key.LastCheck.Result != "valid" || ref.User.ID != "su-good" {
		t.Errorf("last check not recorded: %+v user id %q", ref.Key.LastCheck, ref.User.ID)
	}

	// Only the good key left ACTIVE: exit 0.
	h.mustRun("", "inactivate", "AK-NOPERM", "--force")
	if o := h.run("", "check"); o.code != 0 {
		t.Fatalf("all valid: exit %d %s", o.code, o.stderr)
	}

	// m3ter gone: exit 3 with a clear message.
	fake.Close()
	o = h.run("", "check", "--timeout", "2s")
	if o.code != ExitUncertain || !strings.Contains(o.stdout, "? undetermined") || !strings.Contains(o.stderr, "could not be checked") {
		t.Fatalf("fake down: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
}

func TestCheckRejectedAndJSON(t *testing.T) {
	h, fake := checkFixture(t)
	fake.RemoveKey("AK-GOOD") // as if inactivated in the Console
	o := h.run("", "check", "--json")
	if o.code != ExitRefused {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	var report struct {
		Results []map[string]any
		Summary map[string]int
	}
	if err := json.Unmarshal([]byte(o.stdout), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, o.stdout)
	}
	if report.Summary["rejected"] != 1 || report.Summary["forbidden"] != 1 || len(report.Results) != 2 {
		t.Fatalf("summary: %+v", report.Summary)
	}
	r := report.Results[0]
	for _, f := range []string{"orgId", "serviceUser", "accessKeyId", "result", "httpStatus", "latencyMs", "expiresIn", "message", "ageDays", "stale"} {
		if _, ok := r[f]; !ok {
			t.Errorf("result lacks %s", f)
		}
	}
	if r["result"] != "rejected" || r["httpStatus"] != float64(401) {
		t.Errorf("first result: %v", r)
	}
}

func TestCheckStaleAndOrgFilter(t *testing.T) {
	h, _ := checkFixture(t)
	h.mustRun("", "inactivate", "AK-NOPERM", "--force")
	if o := h.run("", "check", "--max-age", "0d", "--fail-on-stale"); o.code != 0 {
		t.Fatalf("max-age 0 disables staleness: %d %s", o.code, o.stderr)
	}
	now = now.Add(100 * 24 * time.Hour)
	defer func() { now = now.Add(-100 * 24 * time.Hour) }()
	o := h.run("", "check", "--fail-on-stale")
	if o.code != ExitRefused || !strings.Contains(o.stdout, "STALE") {
		t.Fatalf("stale: %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if o := h.run("", "check"); o.code != 0 {
		t.Errorf("stale without --fail-on-stale: %d", o.code)
	}
	if o := h.run("", "check", "--org", org2); o.code != ExitUsage {
		t.Errorf("unknown org: %d", o.code)
	}
	if o := h.run("", "check", "--max-age", "soon"); o.code != ExitUsage {
		t.Errorf("bad max-age: %d", o.code)
	}
}

func TestTokenPrintsOnlyTheToken(t *testing.T) {
	h, fake := checkFixture(t)
	o := h.mustRun("", "token", "AK-GOOD")
	tok := strings.TrimSpace(o.stdout)
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \n") {
		t.Fatalf("stdout is not just a JWT: %q", o.stdout)
	}
	if o := h.run("", "token", "AK-NONE"); o.code != ExitUsage || o.stdout != "" {
		t.Errorf("unknown key: %d %q", o.code, o.stdout)
	}
	fake.RemoveKey("AK-GOOD")
	if o := h.run("", "token", "AK-GOOD"); o.code != ExitRefused || o.stdout != "" {
		t.Errorf("rejected: %d %q", o.code, o.stdout)
	}
	fake.Close()
	if o := h.run("", "token", "AK-GOOD"); o.code != ExitUncertain || o.stdout != "" {
		t.Errorf("down: %d %q", o.code, o.stdout)
	}
}

// TestTokenIsReusedWithinAProcess: a second token for the same key, in the same process, is
// the first one while it has more than 5 minutes left: no second request to m3ter.
func TestTokenIsReusedWithinAProcess(t *testing.T) {
	h, fake := checkFixture(t)
	h.tokens = authclient.NewTokenCache(func() time.Time { return time.Now() })
	first := h.mustRun("", "token", "AK-GOOD").stdout
	second := h.mustRun("", "token", "AK-GOOD").stdout
	if first != second {
		t.Error("the second token differs from the first: it was fetched again")
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests to m3ter for two tokens, want 1", n)
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		{"a bb ccc dddd", 6, []string{"a bb", "ccc", "dddd"}},
		{"abcdefghij xy", 4, []string{"abcd", "efgh", "ij", "xy"}},
		{"", 5, nil},
		{"ID: abcdefghijkl", 6, []string{"ID: ab", "cdefgh", "ijkl"}},
		{"ID:  abcdefgh", 4, []string{"ID:", "abcd", "efgh"}},
	}
	for _, c := range cases {
		if got := wrap(c.in, c.width); !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

func TestCheckProgressOnlyOnATerminal(t *testing.T) {
	h, _ := checkFixture(t)
	if o := h.run("", "check"); strings.Contains(o.stderr, "checking") {
		t.Errorf("progress printed when stderr is not a terminal: %q", o.stderr)
	}
	h.stderrTTY = true
	if o := h.run("", "check"); !strings.Contains(o.stderr, "\rchecking 2/2 keys") {
		t.Errorf("no progress on a terminal: %q", o.stderr)
	}
}

// TestCheckRetriesABlip: a 500 from the token endpoint is retried, the wait shows in the
// progress line, and the JSON says the key took two attempts.
func TestCheckRetriesABlip(t *testing.T) {
	h, fake := checkFixture(t)
	fake.AddFault(m3tertest.Fault{KeyID: "AK-GOOD", Endpoint: m3tertest.TokenEndpoint, Status: 500, Times: 1})
	h.stderrTTY = true
	o := h.run("", "check", "--json", "AK-GOOD")
	if o.code != 0 {
		t.Fatalf("exit %d, want 0 after a retry: %s", o.code, o.stderr)
	}
	if !strings.Contains(o.stderr, "waiting 0.") || !strings.Contains(o.stderr, " s: 500") {
		t.Errorf("progress does not show the wait: %q", o.stderr)
	}
	var report struct{ Results []map[string]any }
	if err := json.Unmarshal([]byte(o.stdout), &report); err != nil || len(report.Results) != 1 {
		t.Fatalf("not JSON with one result: %v\n%s", err, o.stdout)
	}
	if r := report.Results[0]; r["result"] != "valid" || r["attempts"] != float64(2) {
		t.Errorf("result %v, attempts %v; want valid after 2", r["result"], r["attempts"])
	}
}

// TestCheckTableEndsWithTheFailures: the last lines name each failing key with its reason,
// within 80 columns, so an 80×24 terminal shows them without scrolling.
func TestCheckTableEndsWithTheFailures(t *testing.T) {
	h, fake := checkFixture(t)
	fake.RemoveKey("AK-GOOD")
	o := h.run("", "check")
	lines := strings.Split(strings.TrimRight(o.stdout, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("table too short:\n%s", o.stdout)
	}
	tail := lines[len(lines)-3:]
	want := []string{"needs action:", "  AK-GOOD ✗ rejected: m3ter refused the credentials (401)", "  AK-NOPERM ! forbidden: token issued, but users/me refused it (403)"}
	for i, w := range want {
		if !strings.HasPrefix(tail[i], w) {
			t.Errorf("line %d from the end is %q, want it to start %q\n%s", 3-i, tail[i], w, o.stdout)
		}
		if n := len([]rune(tail[i])); n > 80 {
			t.Errorf("line of %d columns: %q", n, tail[i])
		}
	}
	fake.AddKey(m3tertest.Key{AccessKeyID: "AK-GOOD", Secret: secret, OrgID: org1, ServiceUserID: "su-good", ServiceUserName: "good", Admin: true})
	h.mustRun("", "inactivate", "AK-NOPERM", "--force")
	if o := h.run("", "check"); strings.Contains(o.stdout, "needs action") {
		t.Errorf("all valid, yet a failure list:\n%s", o.stdout)
	}
}

// TestOrgByName: --org takes an organization's name in any case, or its ID, in check and
// add; a name two organizations share is refused with both IDs.
func TestOrgByName(t *testing.T) {
	h, _ := checkFixture(t)
	o := h.run("", "check", "--org", "acme", "--json")
	if o.code != ExitRefused || !strings.Contains(o.stdout, "AK-NOPERM") {
		t.Fatalf("check --org acme: exit %d %s", o.code, o.stderr)
	}
	if o := h.run(secret+"\n", "add", "--org", "ACME", "--user", "third", "--key-id", "AK-THIRD"); o.code != 0 {
		t.Fatalf("add --org ACME: exit %d %s", o.code, o.stderr)
	}
	if ref, ok := h.store().Key("AK-THIRD"); !ok || ref.Org.ID != org1 {
		t.Fatalf("add --org by name did not add to %s", org1)
	}
	h.mustRun(secret+"\n", "add", "--org", org2, "--user", "u", "--key-id", "AK-OTHER", "--org-name", "acme")
	o = h.run("", "check", "--org", "Acme")
	if o.code != ExitUsage || !strings.Contains(o.stderr, org1) || !strings.Contains(o.stderr, org2) {
		t.Errorf("ambiguous name: exit %d, stderr %q; want a usage error naming both IDs", o.code, o.stderr)
	}
	if o := h.run("", "check", "--org", "nobody"); o.code != ExitUsage || !strings.Contains(o.stderr, "m3keys list") {
		t.Errorf("unknown name: exit %d %q", o.code, o.stderr)
	}
}

// TestAddAsksThePassphraseFirst: on a terminal, add asks for the store's passphrase, says it
// is unlocking, then asks for the API secret.
func TestAddAsksThePassphraseFirst(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	delete(h.vars, "M3KEYS_PASSPHRASE")
	ft := &fakeTerminal{answers: []string{pass, secret}}
	h.term, h.tty, h.stderrTTY = ft, true, true
	o := h.run("", "add", "--org", org1, "--user", "ci-bot", "--key-id", "AK-2")
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	if len(ft.prompts) != 2 || !strings.HasPrefix(ft.prompts[0], "Passphrase") || !strings.HasPrefix(ft.prompts[1], "API Secret") {
		t.Errorf("prompts %q, want the passphrase, then the API secret", ft.prompts)
	}
	if !strings.Contains(o.stderr, "unlocking…") {
		t.Errorf("stderr %q does not say it is unlocking", o.stderr)
	}
}
