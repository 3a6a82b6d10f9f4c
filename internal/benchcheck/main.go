// Command benchcheck measures `m3keys check` on 200 keys across 10 organizations against
// a fake m3ter that answers every request after 50 ms, next to curl doing the same work
// (token and users/me for a full check, the token only for --no-verify) one key after
// another and 8 at a time with xargs; then the medians of the store's and the TUI's Go
// benchmarks against their targets (see targets). Run from the repository root:
//
//	go run ./internal/benchcheck
//
// Every timed run is checked: m3keys must exit 0 with every key valid, and every curl
// request must be answered 200; anything else aborts the run, since a figure for requests
// that failed means nothing. It prints figures and ratios and does not fail on them, since
// shared machines are noisy.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

const (
	orgs        = 10
	keysPerOrg  = 20
	latency     = 50 * time.Millisecond
	concurrency = 8
	runs        = 3
)

// curlScript checks one key with curl as m3keys does: `one VERIFY ID SECRET ORG` prints
// "ID TOKEN_STATUS" and, when VERIFY is 1, the users/me status after it. Run with
// arguments, it checks that key; sourced, it defines `one` for a loop.
const curlScript = `one() {
	local verify=$1 id=$2 secret=$3 org=$4 resp code tok me
	resp=$(curl -sS --noproxy '*' -X POST -u "$id:$secret" \
		-H 'Content-Type: application/json' -H 'Accept: application/json' \
		-d '{"grant_type":"client_credentials"}' -w '\n%{http_code}' "$M3_API/oauth/token") || resp=$'\ncurl-error'
	code=${resp##*$'\n'}
	if [[ $verify != 1 ]]; then
		echo "$id $code"
		return
	fi
	tok=${resp%$'\n'*}
	tok=${tok#*'"access_token":"'}
	tok=${tok%%'"'*}
	me=$(curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $tok" -H 'Accept: application/json' \
		"$M3_API/organizations/$org/users/me") || me=curl-error
	echo "$id $code $me"
}
if [[ $# -gt 0 ]]; then one "$@"; fi
`

type key struct{ id, secret, org string }

// xargsFullAt and xargsTokenAt are the xargs baselines, for the unlocked figures printed last.
var xargsFullAt, xargsTokenAt time.Duration

func main() {
	for _, step := range []func() error{run, targets} {
		if err := step(); err != nil {
			fmt.Fprintln(os.Stderr, "benchcheck:", err)
			os.Exit(1)
		}
	}
}

func run() error {
	if _, err := exec.LookPath("curl"); err != nil {
		return errors.New("curl is needed for the comparison: apt-get install curl")
	}
	tmp, err := os.MkdirTemp("", "benchcheck-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	bin := filepath.Join(tmp, "m3keys")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}

	fake := m3tertest.NewServer()
	defer fake.Close()
	fake.AddFault(m3tertest.Fault{Latency: latency}) // both endpoints

	var keys []key
	var csv, lines strings.Builder
	csv.WriteString("org_id,service_user,access_key_id,api_secret\n")
	for o := 0; o < orgs; o++ {
		org := fmt.Sprintf("00000000-0000-4000-8000-%012d", o)
		for k := 0; k < keysPerOrg; k++ {
			kk := key{id: fmt.Sprintf("AK-%02d-%02d", o, k), secret: fmt.Sprintf("bench-secret-%02d-%02d", o, k), org: org}
			user := fmt.Sprintf("svc-%02d", k)
			fake.AddKey(m3tertest.Key{AccessKeyID: kk.id, Secret: kk.secret, OrgID: org, ServiceUserID: user, ServiceUserName: user, Admin: true})
			fmt.Fprintf(&csv, "%s,%s,%s,%s\n", org, user, kk.id, kk.secret)
			fmt.Fprintf(&lines, "%s %s %s\n", kk.id, kk.secret, kk.org)
			keys = append(keys, kk)
		}
	}

	// The unlock agent's socket goes in a runtime directory of the benchmark's own.
	rt := filepath.Join(tmp, "rt")
	if err := os.Mkdir(rt, 0o700); err != nil {
		return err
	}
	env := append(os.Environ(), "M3KEYS_HOME="+filepath.Join(tmp, "store"), "M3KEYS_PASSPHRASE=bench-passphrase", "M3KEYS_API_URL="+fake.URL, "XDG_RUNTIME_DIR="+rt)
	m := m3keysRunner{bin: bin, env: env, keys: len(keys)}
	if _, err := m.run(csv.String(), "import"); err != nil {
		return err
	}

	keysFile, scriptFile := filepath.Join(tmp, "keys"), filepath.Join(tmp, "check.sh")
	if err := os.WriteFile(keysFile, []byte(lines.String()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(scriptFile, []byte(curlScript), 0o600); err != nil {
		return err
	}
	c := curlRunner{env: append(os.Environ(), "M3_API="+fake.URL), script: scriptFile, keysFile: keysFile, keys: keys}

	// Unlock is timed next to each check, so that its best comes from the same moments of
	// a shared machine's load as the checks' it is subtracted from.
	var unlock, full, tokenOnly time.Duration
	for i := 0; i < runs; i++ {
		for _, step := range []struct {
			best *time.Duration
			run  func() error
		}{
			{&unlock, func() error { _, err := m.run("", "list"); return err }},
			{&full, func() error { return m.check(true) }},
			{&unlock, func() error { _, err := m.run("", "list"); return err }},
			{&tokenOnly, func() error { return m.check(false) }},
		} {
			d, err := timed(step.run)
			if err != nil {
				return err
			}
			if *step.best == 0 || d < *step.best {
				*step.best = d
			}
		}
	}
	// Unlocked (m3keys unlock): the same checks with no scrypt, and no passphrase in the environment.
	if _, err := m.run("", "unlock"); err != nil {
		return err
	}
	unlocked := m3keysRunner{bin: bin, keys: m.keys, env: append(append([]string(nil), env...), "M3KEYS_PASSPHRASE=")}
	fullUnlocked, err := best(func() error { return unlocked.check(true) })
	if err == nil {
		var tokenUnlocked time.Duration
		tokenUnlocked, err = best(func() error { return unlocked.check(false) })
		defer func() {
			fmt.Printf("unlocked (m3keys unlock, then no M3KEYS_PASSPHRASE):\n")
			fmt.Printf("  m3keys check (token + users/me)        %8v                xargs -P %d curl: %s\n", round(fullUnlocked), concurrency, speed(xargsFullAt, fullUnlocked))
			fmt.Printf("  m3keys check --no-verify (token only)  %8v                xargs -P %d curl: %s\n", round(tokenUnlocked), concurrency, speed(xargsTokenAt, tokenUnlocked))
		}()
	}
	if _, lerr := m.run("", "lock"); err == nil {
		err = lerr
	}
	if err != nil {
		return err
	}
	loopFull, err := best(func() error { return c.loop(true) })
	if err != nil {
		return err
	}
	xargsFull, err := best(func() error { return c.xargs(true) })
	if err != nil {
		return err
	}
	xargsFullAt = xargsFull
	loopToken, err := best(func() error { return c.loop(false) })
	if err != nil {
		return err
	}
	xargsToken, err := best(func() error { return c.xargs(false) })
	if err != nil {
		return err
	}
	xargsTokenAt = xargsToken

	n := len(keys)
	idealFull := time.Duration(2*n) * latency / concurrency
	idealToken := time.Duration(n) * latency / concurrency
	fullNet, tokenNet := full-unlock, tokenOnly-unlock
	fmt.Printf("m3keys check benchmark: %d ACTIVE keys in %d organizations; the fake m3ter answers each request after %v; best of %d runs\n",
		n, orgs, latency, runs)
	fmt.Printf("checked in every run: m3keys exited 0 with %d × valid; curl got 200 for every token request and every users/me request\n", n)
	fmt.Printf("  unlock (m3keys list, scrypt 2^18)             %8v\n", round(unlock))
	fmt.Printf("                                       end-to-end  less unlock\n")
	fmt.Printf("  m3keys check (token + users/me)        %8v     %8v   %.2f× ideal (%v = %d × 2 requests × %v ÷ %d)\n",
		round(full), round(fullNet), ratio(fullNet, idealFull), idealFull, n, latency, concurrency)
	fmt.Printf("  m3keys check --no-verify (token only)  %8v     %8v   %.2f× ideal (%v = %d × %v ÷ %d)\n",
		round(tokenOnly), round(tokenNet), ratio(tokenNet, idealToken), idealToken, n, latency, concurrency)
	compare := func(what string, d, m3keys, m3keysNet time.Duration) {
		fmt.Printf("  %-37s  %8v                m3keys end-to-end %s, less unlock %s\n",
			what, round(d), speed(d, m3keys), speed(d, m3keysNet))
	}
	compare("curl loop, token + users/me", loopFull, full, fullNet)
	compare(fmt.Sprintf("xargs -P %d curl, token + users/me", concurrency), xargsFull, full, fullNet)
	compare("curl loop, token only", loopToken, tokenOnly, tokenNet)
	compare(fmt.Sprintf("xargs -P %d curl, token only", concurrency), xargsToken, tokenOnly, tokenNet)
	return nil
}

// m3keysRunner runs the built binary against the benchmark's store.
type m3keysRunner struct {
	bin  string
	env  []string
	keys int
}

func (m m3keysRunner) run(stdin string, args ...string) ([]byte, error) {
	cmd := exec.Command(m.bin, args...)
	cmd.Env, cmd.Stdin = m.env, strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("m3keys %s: %v\n%s", strings.Join(args, " "), err, lastLines(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// check runs `m3keys check --json` and fails unless every key came back valid, verified
// as asked: a figure for a run that failed is not a figure.
func (m m3keysRunner) check(verify bool) error {
	args := []string{"check", "--json"}
	if !verify {
		args = append(args, "--no-verify")
	}
	out, err := m.run("", args...)
	if err != nil {
		return err
	}
	var report struct {
		Results []struct {
			AccessKeyID string `json:"accessKeyId"`
			Result      string `json:"result"`
			Verified    bool   `json:"verified"`
			Message     string `json:"message"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		return fmt.Errorf("m3keys %s: output is not the documented JSON: %v", strings.Join(args, " "), err)
	}
	if len(report.Results) != m.keys {
		return fmt.Errorf("m3keys %s: %d results, want %d", strings.Join(args, " "), len(report.Results), m.keys)
	}
	for _, r := range report.Results {
		if r.Result != "valid" || r.Verified != verify {
			return fmt.Errorf("m3keys %s: %s is %s (verified %v), want valid (verified %v): %s",
				strings.Join(args, " "), r.AccessKeyID, r.Result, r.Verified, verify, r.Message)
		}
	}
	return nil
}

// curlRunner checks every key with curl, one after another or xargs -P 8.
type curlRunner struct {
	env      []string
	script   string
	keysFile string
	keys     []key
}

func (c curlRunner) loop(verify bool) error {
	return c.shell(verify, fmt.Sprintf(`source %q; while read -r id secret org; do one %s "$id" "$secret" "$org"; done < %q`,
		c.script, flag(verify), c.keysFile))
}

func (c curlRunner) xargs(verify bool) error {
	return c.shell(verify, fmt.Sprintf(`xargs -P %d -n 3 bash %q %s < %q`, concurrency, c.script, flag(verify), c.keysFile))
}

func flag(verify bool) string {
	if verify {
		return "1"
	}
	return "0"
}

// shell runs script and fails unless every key got exactly one line of statuses, all 200.
func (c curlRunner) shell(verify bool, script string) error {
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = c.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("curl baseline: %v\n%s", err, lastLines(stderr.String()))
	}
	want := 2
	if verify {
		want = 3
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != want {
			return fmt.Errorf("curl baseline: unexpected line %q", line)
		}
		for _, status := range f[1:] {
			if status != "200" {
				return fmt.Errorf("curl baseline: %s got %s, want 200 for every request — the comparison would be against failures", f[0], strings.Join(f[1:], " and "))
			}
		}
		if seen[f[0]] {
			return fmt.Errorf("curl baseline: %s checked twice", f[0])
		}
		seen[f[0]] = true
	}
	if len(seen) != len(c.keys) {
		return fmt.Errorf("curl baseline: %d keys checked, want %d", len(seen), len(c.keys))
	}
	return nil
}

func best(f func() error) (time.Duration, error) {
	var min time.Duration
	for i := 0; i < runs; i++ {
		d, err := timed(f)
		if err != nil {
			return 0, err
		}
		if i == 0 || d < min {
			min = d
		}
	}
	return min, nil
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}

// speed says how m3keys' time compares with a baseline's, the way a person reads it:
// "3.2× faster" or "1.3× slower", never "0.8× faster".
func speed(baseline, m3keys time.Duration) string {
	if r := ratio(baseline, m3keys); r >= 1 {
		return fmt.Sprintf("%.1f× faster", r)
	}
	return fmt.Sprintf("%.1f× slower", ratio(m3keys, baseline))
}
