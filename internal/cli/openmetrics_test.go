package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

// parseOpenMetrics is Debian's python3-prometheus-client parser, run on text: it prints each
// sample as JSON, one a line, or fails on text that is not OpenMetrics.
const parseOpenMetrics = `
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        print(json.dumps({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value}))
`

type parsedSample struct {
	Family, Type, Name string
	Labels             map[string]string
	Value              float64
}

// openMetricsParser finds a python3 that has prometheus_client. With CI set, not finding one
// fails the test: .ci/run installs python3-prometheus-client.
func openMetricsParser(t *testing.T) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import prometheus_client.openmetrics.parser").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no python3 with prometheus_client: install python3-prometheus-client (.ci/run does)")
	}
	t.Skip("no python3 with prometheus_client (apt-get install python3-prometheus-client); skipped outside CI")
	return ""
}

func parseWithPython(t *testing.T, text string) []parsedSample {
	t.Helper()
	cmd := exec.Command(openMetricsParser(t), "-c", parseOpenMetrics)
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("the OpenMetrics parser refused the output: %v\n%s\n--- output:\n%s", err, stderr, text)
	}
	var samples []parsedSample
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var s parsedSample
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("parser line %q: %v", line, err)
		}
		samples = append(samples, s)
	}
	return samples
}

// TestOpenMetricsParses: a real OpenMetrics parser reads what check writes, labels with
// characters that need escaping included, and finds every metric of every key.
func TestOpenMetricsParses(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	report := checkReport{Results: []checkResult{
		{OrgID: "org-1", OrgName: `Acme "EU" \ billing` + "\nline", ServiceUser: "ci-bot", AccessKeyID: "AK-1",
			Result: authclient.Valid, LatencyMs: 1500, Attempts: 2, createdAt: at.Add(-48 * time.Hour), Stale: true},
		{OrgID: "org-1", OrgName: "Ünïcode", ServiceUser: "reader", AccessKeyID: "AK-2",
			Result: authclient.Rejected, Exposed: true, createdAt: at.Add(-time.Hour), Attempts: 1, Status: keystore.Active},
	}}
	text := string(openMetricsText(report, at, 90*24*time.Hour))
	if !strings.HasSuffix(text, "# EOF\n") {
		t.Errorf("output does not end with # EOF")
	}
	got := map[string]float64{}
	for _, s := range parseWithPython(t, text) {
		key := s.Name + "/" + s.Labels["access_key_id"] + "/" + s.Labels["m3keys_key_result"]
		got[key] = s.Value
		if s.Labels["access_key_id"] == "AK-1" && s.Labels["org_name"] != `Acme "EU" \ billing`+"\nline" {
			t.Errorf("org_name read back as %q", s.Labels["org_name"])
		}
	}
	want := map[string]float64{
		"m3keys_max_age_seconds//":                      90 * 24 * 3600,
		"m3keys_key_result/AK-1/valid":                  1,
		"m3keys_key_result/AK-1/rejected":               0,
		"m3keys_key_result/AK-2/rejected":               1,
		"m3keys_key_failing/AK-1/":                      0,
		"m3keys_key_failing/AK-2/":                      1,
		"m3keys_key_age_seconds/AK-1/":                  48 * 3600,
		"m3keys_key_check_latency_seconds/AK-1/":        1.5,
		"m3keys_key_check_attempts/AK-1/":               2,
		"m3keys_key_stale/AK-1/":                        1,
		"m3keys_key_exposed/AK-2/":                      1,
		"m3keys_key_last_check_timestamp_seconds/AK-2/": float64(at.Unix()),
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %t), want %v", k, g, ok, v)
		}
	}
}

// TestCheckOpenMetricsOutputFile: check --format openmetrics --output writes the file (and
// nothing on stdout), never a secret, and exits as check does.
func TestCheckOpenMetricsOutputFile(t *testing.T) {
	h, fake := checkFixture(t)
	fake.RemoveKey("AK-GOOD")
	path := filepath.Join(t.TempDir(), "m3keys.prom")
	o := h.run("", "check", "--format", "openmetrics", "--output", path)
	if o.code != ExitRefused || o.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing on stdout", o.code, o.stdout)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) {
		t.Fatal("the metrics file holds a secret")
	}
	var failing int
	for _, s := range parseWithPython(t, string(data)) {
		if s.Name == "m3keys_key_failing" && s.Value == 1 {
			failing++
		}
	}
	if failing != 2 {
		t.Errorf("%d keys failing in the metrics, want 2:\n%s", failing, data)
	}
	if o := h.run("", "check", "--output", path); o.code != ExitUsage {
		t.Errorf("--output without --format openmetrics: exit %d, want usage", o.code)
	}
}
