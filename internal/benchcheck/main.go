// Command benchcheck measures `m3keys check` on 200 keys across 10 organizations against
// a fake m3ter that answers each token request after 50 ms, next to curl run one request
// after another and curl run 8 at a time with xargs. Run from the repository root:
//
//	go run ./internal/benchcheck
//
// It prints figures and ratios; it does not fail on them, since shared machines are noisy.
package main

import (
	"bytes"
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

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchcheck:", err)
		os.Exit(1)
	}
}

func run() error {
	tmp, err := os.MkdirTemp("", "benchcheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "m3keys")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}

	fake := m3tertest.NewServer()
	defer fake.Close()
	fake.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Latency: latency})

	var csv, pairs strings.Builder
	csv.WriteString("org_id,service_user,access_key_id,api_secret\n")
	for o := 0; o < orgs; o++ {
		org := fmt.Sprintf("00000000-0000-4000-8000-%012d", o)
		for k := 0; k < keysPerOrg; k++ {
			id, secret := fmt.Sprintf("AK-%02d-%02d", o, k), fmt.Sprintf("bench-secret-%02d-%02d", o, k)
			user := fmt.Sprintf("svc-%02d", k)
			fake.AddKey(m3tertest.Key{AccessKeyID: id, Secret: secret, OrgID: org, ServiceUserID: user, ServiceUserName: user, Admin: true})
			fmt.Fprintf(&csv, "%s,%s,%s,%s\n", org, user, id, secret)
			fmt.Fprintf(&pairs, "%s %s\n", id, secret)
		}
	}
	env := append(os.Environ(), "M3KEYS_HOME="+filepath.Join(tmp, "store"), "M3KEYS_PASSPHRASE=bench", "M3KEYS_API_URL="+fake.URL)
	m3keys := func(stdin string, args ...string) error {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("m3keys %s: %v\n%s", strings.Join(args, " "), err, lastLines(out.String()))
		}
		return nil
	}
	if err := m3keys(csv.String(), "import"); err != nil {
		return err
	}
	pairsFile := filepath.Join(tmp, "pairs")
	if err := os.WriteFile(pairsFile, []byte(pairs.String()), 0o600); err != nil {
		return err
	}
	curlOne := `curl -sS -o /dev/null -X POST -u "$0:$1" -H 'Content-Type: application/json' -H 'Accept: application/json' -d '{"grant_type":"client_credentials"}' ` + fake.URL + `/oauth/token`
	shell := func(script string) func() error {
		return func() error {
			out, err := exec.Command("bash", "-c", script).CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %s", err, lastLines(string(out)))
			}
			return nil
		}
	}

	unlock, err := best(func() error { return m3keys("", "list") })
	if err != nil {
		return err
	}
	check, err := best(func() error { return m3keys("", "check") })
	if err != nil {
		return err
	}
	checkNoVerify, err := best(func() error { return m3keys("", "check", "--no-verify") })
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return fmt.Errorf("curl is needed for the comparison: apt-get install curl")
	}
	sequential, err := best(shell(fmt.Sprintf(`while read id secret; do bash -c %q "$id" "$secret" || exit 1; done < %s`, curlOne, pairsFile)))
	if err != nil {
		return err
	}
	parallel, err := best(shell(fmt.Sprintf(`xargs -P %d -n 2 bash -c %q < %s`, concurrency, curlOne, pairsFile)))
	if err != nil {
		return err
	}

	n := orgs * keysPerOrg
	ideal := time.Duration(n) * latency / concurrency
	checkNet, noVerifyNet := check-unlock, checkNoVerify-unlock
	fmt.Printf("m3keys check benchmark: %d ACTIVE keys, %d organizations, token answered after %v, best of %d runs\n", n, orgs, latency, runs)
	fmt.Printf("  unlock (m3keys list)                    %8v\n", unlock.Round(time.Millisecond))
	fmt.Printf("  m3keys check, less unlock               %8v   %.2f× ideal (%v = %d × %v ÷ %d)\n", checkNet.Round(time.Millisecond), ratio(checkNet, ideal), ideal, n, latency, concurrency)
	fmt.Printf("  m3keys check --no-verify, less unlock   %8v   %.2f× ideal\n", noVerifyNet.Round(time.Millisecond), ratio(noVerifyNet, ideal))
	fmt.Printf("  curl, one after another (token only)    %8v   m3keys check is %.1f× faster\n", sequential.Round(time.Millisecond), ratio(sequential, checkNet))
	fmt.Printf("  xargs -P %d curl (token only)            %8v   m3keys check is %.2f× faster\n", concurrency, parallel.Round(time.Millisecond), ratio(parallel, checkNet))
	fmt.Printf("targets: check within 1.2× ideal: %v; faster than xargs -P 8: %v; ≥ 8× the sequential loop: %v\n",
		checkNet <= ideal*12/10, checkNet < parallel, sequential >= 8*checkNet)
	return nil
}

func best(f func() error) (time.Duration, error) {
	var min time.Duration
	for i := 0; i < runs; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		if d := time.Since(start); i == 0 || d < min {
			min = d
		}
	}
	return min, nil
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}
