package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// retireFixture: ci holds AK-NEW (ACTIVE) and two INACTIVE keys: AK-DEAD, which m3ter
// rejects (inactivated in the Console), and AK-ALIVE, which m3ter still accepts.
func retireFixture(t *testing.T) (*harness, *m3tertest.Server) {
	h := newHarness(t)
	fake := m3tertest.NewServer()
	t.Cleanup(fake.Close)
	h.vars["M3KEYS_API_URL"] = fake.URL
	for _, k := range []struct{ id, user string }{{"AK-NEW", "ci"}, {"AK-ALIVE", "ci"}, {"AK-DEAD", "web"}, {"AK-WEB", "web"}} {
		if o := h.add(k.id, k.user); o.code != 0 {
			t.Fatalf("add %s: %s", k.id, o.stderr)
		}
		if k.id != "AK-DEAD" {
			fake.AddKey(m3tertest.Key{AccessKeyID: k.id, Secret: secret, OrgID: org1, ServiceUserID: "su-" + k.user, ServiceUserName: k.user, Admin: true})
		}
	}
	h.mustRun("", "inactivate", "AK-ALIVE")
	h.mustRun("", "inactivate", "AK-DEAD")
	return h, fake
}

func TestCheckSkipsInactiveKeysUnlessAll(t *testing.T) {
	h, _ := retireFixture(t)
	o := h.run("", "check")
	if o.code != 0 || strings.Contains(o.stdout, "AK-ALIVE") || strings.Contains(o.stdout, "AK-DEAD") {
		t.Fatalf("plain check: exit %d\n%s", o.code, o.stdout)
	}
}

func TestCheckAllRetiredAndStillAccepted(t *testing.T) {
	h, _ := retireFixture(t)
	o := h.run("", "check", "--all")
	if o.code != ExitRefused || !strings.Contains(o.stderr, "1 key INACTIVE but still accepted by m3ter") {
		t.Fatalf("exit %d, stderr %q\n%s", o.code, o.stderr, o.stdout)
	}
	for _, want := range []string{"✓ retired (rejected)", "! still accepted by m3ter — inactivate it in the Console",
		"4 key(s): 3 valid, 0 rejected, 0 forbidden, 0 undetermined; 0 stale\n1 retired; 1 INACTIVE still accepted\n"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, o.stdout)
		}
	}
	for _, line := range strings.Split(o.stdout, "\n") {
		if w := textcut.Width(line); w > 80 {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
	// The stored checks read the same way in list (and in the TUI, through lastcheck).
	l := h.mustRun("", "list").stdout
	if !strings.Contains(l, "✓ retired (rejected) just now") || !strings.Contains(l, "! still accepted just now") {
		t.Errorf("list:\n%s", l)
	}

	o = h.run("", "check", "--all", "--json")
	var report struct {
		Results []checkResult
		Summary livecheck.Tally
	}
	if err := json.Unmarshal([]byte(o.stdout), &report); err != nil {
		t.Fatal(err)
	}
	by := map[string]checkResult{}
	for _, r := range report.Results {
		by[r.AccessKeyID] = r
	}
	if r := by["AK-ALIVE"]; r.Result != "valid" || !r.InactiveStillAccepted || r.Status != "INACTIVE" {
		t.Errorf("AK-ALIVE: %+v", r)
	}
	if r := by["AK-DEAD"]; r.Result != "rejected" || !r.Retired || r.InactiveStillAccepted {
		t.Errorf("AK-DEAD: %+v", r)
	}
	if s := report.Summary; s.Retired != 1 || s.Rejected != 0 || s.InactiveStillAccepted != 1 || s.Valid != 3 {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(o.stdout, `"inactiveStillAccepted": true`) {
		t.Errorf("JSON lacks the flag:\n%s", o.stdout)
	}
}

func TestCheckNamedKeysWhateverTheirStatus(t *testing.T) {
	h, fake := retireFixture(t)
	o := h.run("", "check", "AK-DEAD", "--json")
	if o.code != 0 {
		t.Fatalf("a retired key alone: exit %d %s", o.code, o.stderr)
	}
	if strings.Contains(o.stdout, "AK-NEW") || !strings.Contains(o.stdout, `"retired": true`) {
		t.Fatalf("check AK-DEAD:\n%s", o.stdout)
	}
	fake.RemoveKey("AK-ALIVE") // inactivated in the Console at last
	if o := h.run("", "check", "AK-ALIVE", "AK-NEW"); o.code != 0 || !strings.Contains(o.stdout, "2 key(s): 1 valid, 0 rejected") {
		t.Fatalf("exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if o := h.run("", "check", "AK-NOPE"); o.code != ExitUsage || !strings.Contains(o.stderr, "no access key AK-NOPE") {
		t.Fatalf("unknown key: exit %d %s", o.code, o.stderr)
	}
	if o := h.run("", "check", "AK-NEW", "--org", org2); o.code != ExitUsage {
		t.Fatalf("key outside --org: exit %d %s", o.code, o.stderr)
	}
}

func TestCheckFlagsAKeyOfAnotherServiceUser(t *testing.T) {
	h, fake := retireFixture(t)
	h.mustRun("", "check") // learns su-ci for ci from AK-NEW
	h.mustRun("", "activate", "AK-ALIVE")
	fake.AddKey(m3tertest.Key{AccessKeyID: "AK-ALIVE", Secret: secret, OrgID: org1, ServiceUserID: "su-web", ServiceUserName: "web", Admin: true})
	o := h.run("", "check", "--json")
	if o.code != 0 || !strings.Contains(o.stdout, `"wrongServiceUser": true`) {
		t.Fatalf("exit %d\n%s", o.code, o.stdout)
	}
	doc := h.store()
	ref, _ := doc.Key("AK-ALIVE")
	if ref.User.ID != "su-ci" || ref.Key.LastCheck.WrongServiceUser != "su-web" {
		t.Fatalf("user id %q, check %+v", ref.User.ID, ref.Key.LastCheck)
	}
	if h := doc.History[len(doc.History)-1]; h.Action != "key.wrong-user" {
		t.Errorf("history %+v", h)
	}
	if t1 := h.run("", "check").stdout; !strings.Contains(t1, "! wrong service user?") || !strings.Contains(t1, "1 wrong service user?") {
		t.Errorf("table:\n%s", t1)
	}
	if l := h.mustRun("", "list").stdout; !strings.Contains(l, "! wrong service user?") {
		t.Errorf("list:\n%s", l)
	}
}

func TestDeployedToFromAddToList(t *testing.T) {
	h := newHarness(t)
	if o := h.run(secret, "add", "--org", org1, "--user", "ci", "--key-id", "AK-1", "--deployed-to", "a\x1bb"); o.code != ExitUsage || !strings.Contains(o.stderr, "deployed-to") {
		t.Fatalf("a control character: exit %d %s", o.code, o.stderr)
	}
	h.mustRun(secret, "add", "--org", org1, "--user", "ci", "--key-id", "AK-1", "--deployed-to", "vault kv/billing/m3ter")
	o := h.mustRun("", "list", "--json")
	var l listJSON
	if err := json.Unmarshal([]byte(o.stdout), &l); err != nil {
		t.Fatal(err)
	}
	if k := l.Organizations[0].ServiceUsers[0].Keys[0]; k.DeployedTo != "vault kv/billing/m3ter" {
		t.Fatalf("list --json: %+v", k)
	}
	if o := h.mustRun("", "list"); !strings.Contains(o.stdout, "AK-1: deployed to vault kv/billing/m3ter") {
		t.Fatalf("list:\n%s", o.stdout)
	}
}

// A key flagged exposed, or handed out twice, is counted and shown by check, list and
// check --json; cron alerting must fire while one is: exit 1, whatever m3ter says of it.
func TestFlaggedKeysAreCountedAndShown(t *testing.T) {
	cases := []struct {
		flag      string // as check and list word it
		jsonField string
		mark      func(tx *keystore.Tx) error
		metric    string // the OpenMetrics series, where there is one
	}{
		{"exposed", "exposed", func(tx *keystore.Tx) error { return tx.MarkExposed([]string{"AK-NEW"}, "team member bob removed") }, ""},
		{"handed out twice", "handedOutTwice", func(tx *keystore.Tx) error { // as a team store's merge leaves a key two members each handed out
			ref, _ := tx.Doc().Key("AK-NEW")
			ref.Key.HandedOutTwice = true
			return nil
		}, "m3keys_key_handed_out_twice"},
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			h, _ := retireFixture(t)
			s, err := keystore.Open(h.home, pass)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Update(c.mark); err != nil {
				t.Fatal(err)
			}
			o := h.run("", "check")
			if o.code != 1 || !strings.Contains(o.stdout, "! "+c.flag+" — rotate") || !strings.Contains(o.stdout, "1 "+c.flag+" — rotate") || !strings.Contains(o.stderr, "1 key "+c.flag) {
				t.Fatalf("check: exit %d, want 1\n%s%s", o.code, o.stdout, o.stderr)
			}
			if l := h.mustRun("", "list").stdout; !strings.Contains(l, "AK-NEW: "+c.flag+" — rotate") {
				t.Errorf("list:\n%s", l)
			}
			if j := h.run("", "check", "--json"); j.code != 1 || !strings.Contains(j.stdout, `"`+c.jsonField+`": 1`) || !strings.Contains(j.stdout, `"`+c.jsonField+`": true`) || !strings.Contains(j.stderr, "."+c.jsonField+" is true") {
				t.Errorf("check --json: exit %d\n%s%s", j.code, j.stdout, j.stderr)
			}
			if c.metric == "" {
				return
			}
			if m := h.run("", "check", "--format", "openmetrics"); m.code != 1 || !regexp.MustCompile(c.metric+`\{[^}]*access_key_id="AK-NEW"[^}]*\} 1\n`).MatchString(m.stdout) {
				t.Errorf("check --format openmetrics: exit %d\n%s%s", m.code, m.stdout, m.stderr)
			}
		})
	}
}
