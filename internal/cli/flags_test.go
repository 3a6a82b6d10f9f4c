package cli

import (
	"os"
	"strings"
	"testing"
)

// Every refusal of a flag value is exit 2, one line in the m3keys: what: why — what to do form,
// and states what is allowed; none opens or creates a store.
func TestCheckRefusesFlagValuesOutOfRange(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string // part of the message that says what is allowed
	}{
		{"rate NaN", []string{"--rate", "NaN"}, "between 0.1 and 1000"},
		{"rate Inf", []string{"--rate", "+Inf"}, "between 0.1 and 1000"},
		{"rate tiny", []string{"--rate", "1e-9"}, "between 0.1 and 1000"},
		{"rate zero", []string{"--rate", "0"}, "between 0.1 and 1000"},
		{"rate negative", []string{"--rate", "-5"}, "between 0.1 and 1000"},
		{"rate huge", []string{"--rate", "1e12"}, "between 0.1 and 1000"},
		{"concurrency zero", []string{"--concurrency", "0"}, "between 1 and 100"},
		{"concurrency negative", []string{"--concurrency", "-1"}, "between 1 and 100"},
		{"concurrency huge", []string{"--concurrency", "100000"}, "between 1 and 100"},
		{"timeout zero", []string{"--timeout", "0"}, "between 100ms and 10m"},
		{"timeout negative", []string{"--timeout", "-1s"}, "between 100ms and 10m"},
		{"timeout huge", []string{"--timeout", "8760h"}, "between 100ms and 10m"},
		{"max-age overflow days", []string{"--max-age", "99999999999d"}, "100 years"},
		{"max-age beyond 100 years", []string{"--max-age", "36501d"}, "100 years"},
		{"max-age beyond 100 years as hours", []string{"--max-age", "876100h"}, "100 years"},
		{"max-age negative", []string{"--max-age", "-1d"}, "90d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.run("", append([]string{"check"}, c.args...)...)
			if o.code != ExitUsage || !strings.Contains(o.stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 saying %q", o.code, o.stderr, c.want)
			}
			if !strings.HasPrefix(o.stderr, "m3keys: ") || strings.Count(o.stderr, " — ") != 1 || strings.Count(o.stderr, "\n") != 1 {
				t.Errorf("not one line m3keys: what — what to do: %q", o.stderr)
			}
			if _, err := os.Stat(h.home); err == nil {
				t.Error("a store was created for a refused command")
			}
		})
	}
}

func TestMaxAgeAcceptsTheRangeItStates(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	for _, v := range []string{"0d", "36500d", "90d", "2160h"} {
		h.mustRun("", "list", "--max-age", v)
	}
	if o := h.run("", "list", "--max-age", "99999999999d"); o.code != ExitUsage || !strings.Contains(o.stderr, "100 years") {
		t.Errorf("list --max-age overflow: exit %d %q", o.code, o.stderr)
	}
}

func TestAddRefusesAMultiLineSecretOnStdin(t *testing.T) {
	cases := []struct {
		name, stdin string
		ok          bool
	}{
		{"one line", secret, true},
		{"trailing newline", secret + "\n", true},
		{"trailing CRLF", secret + "\r\n", true},
		{"second line", secret + "\nsecond-line-MARKER\n", false},
		{"blank second line", secret + "\n\n", false},
		{"CR inside", secret + "\rsecond-line-MARKER", false},
		{"too long", secret + strings.Repeat("x", 5000), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.run(c.stdin, "add", "--org", org1, "--user", "u", "--key-id", "AK-1")
			if strings.Contains(o.stdout+o.stderr, "MARKER") {
				t.Fatalf("output quotes the input: %q", o.stderr)
			}
			if c.ok {
				if o.code != 0 {
					t.Fatalf("exit %d: %q", o.code, o.stderr)
				}
				if ref, _ := h.store().Key("AK-1"); ref.Key.Secret.Reveal() != secret {
					t.Error("stored secret differs from the one piped in")
				}
				return
			}
			if o.code != ExitUsage || !strings.Contains(o.stderr, "one line") || strings.Count(o.stderr, " — ") != 1 {
				t.Fatalf("exit %d, stderr %q; want 2 saying a secret is one line", o.code, o.stderr)
			}
			if _, err := os.Stat(h.home); err == nil {
				t.Error("a store was created for a refused secret")
			}
		})
	}
}

func TestImportJSONRefusesARepeatedField(t *testing.T) {
	h := newHarness(t)
	in := `[{"org_id":"` + org1 + `","service_user":"ci","access_key_id":"AK-1","api_secret":"` + secret + `"},
	{"org_id":"` + org1 + `","service_user":"etl","access_key_id":"AK-2","api_secret":"first-MARKER","api_secret":"` + secret + `"}]`
	o := h.run(in, "import", "--json")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "entry 2") || !strings.Contains(o.stderr, "api_secret") ||
		!strings.Contains(o.stderr, "twice") || strings.Contains(o.stderr, "MARKER") {
		t.Fatalf("exit %d: %q", o.code, o.stderr)
	}
	if _, err := os.Stat(h.home); err == nil {
		t.Error("a store was created for a refused import")
	}
}
