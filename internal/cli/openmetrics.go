package cli

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/m3keys/m3keys/authclient"
)

// checkClasses are the states of the m3keys_key_result stateset, in the order written.
var checkClasses = []authclient.Class{authclient.Valid, authclient.Rejected, authclient.Forbidden, authclient.Undetermined}

// metricFamily is one OpenMetrics metric family: its samples, one per key, follow its metadata.
type metricFamily struct {
	name, typ, unit, help string
	samples               func(w io.Writer, name, labels string, row checkResult)
}

// openMetricsFamilies are what check --format openmetrics writes per key, for node_exporter's
// textfile collector. at is when the keys were checked.
func openMetricsFamilies(at time.Time) []metricFamily {
	gauge := func(value func(checkResult) float64) func(io.Writer, string, string, checkResult) {
		return func(w io.Writer, name, labels string, row checkResult) {
			fmt.Fprintf(w, "%s{%s} %s\n", name, labels, formatFloat(value(row)))
		}
	}
	return []metricFamily{
		{name: "m3keys_key_result", typ: "stateset", help: "The key's live check result: valid, rejected, forbidden or undetermined.",
			samples: func(w io.Writer, name, labels string, row checkResult) {
				for _, c := range checkClasses {
					fmt.Fprintf(w, "%s{%s,%s=\"%s\"} %d\n", name, labels, name, c, boolInt(row.Result == c))
				}
			}},
		{name: "m3keys_key_failing", typ: "gauge", help: "1 when the key needs action: m3ter refuses it (a retired INACTIVE key aside), or it is INACTIVE and still accepted.",
			samples: gauge(func(r checkResult) float64 { return float64(boolInt(r.failing())) })},
		{name: "m3keys_key_age_seconds", typ: "gauge", unit: "seconds", help: "How long ago the key was created.",
			samples: gauge(func(r checkResult) float64 { return at.Sub(r.createdAt).Seconds() })},
		{name: "m3keys_key_check_latency_seconds", typ: "gauge", unit: "seconds", help: "How long the live check took, retries and their waits included.",
			samples: gauge(func(r checkResult) float64 { return float64(r.LatencyMs) / 1000 })},
		{name: "m3keys_key_check_attempts", typ: "gauge", help: "1 plus the retries the live check made.",
			samples: gauge(func(r checkResult) float64 { return float64(r.Attempts) })},
		{name: "m3keys_key_stale", typ: "gauge", help: "1 when the key is older than the age policy (check --max-age).",
			samples: gauge(func(r checkResult) float64 { return float64(boolInt(r.Stale)) })},
		{name: "m3keys_key_exposed", typ: "gauge", help: "1 when someone who should not read the key's secret could: rotate it.",
			samples: gauge(func(r checkResult) float64 { return float64(boolInt(r.Exposed)) })},
		{name: "m3keys_key_handed_out_twice", typ: "gauge", help: "1 when two team members each handed the key's secret out: rotate it.",
			samples: gauge(func(r checkResult) float64 { return float64(boolInt(r.HandedOutTwice)) })},
		{name: "m3keys_key_last_check_timestamp_seconds", typ: "gauge", unit: "seconds", help: "When the key was last checked, in Unix seconds.",
			samples: gauge(func(checkResult) float64 { return float64(at.UnixMilli()) / 1000 })},
	}
}

// writeOpenMetrics writes the report in the OpenMetrics text format, ending with # EOF.
// Labels name the key (organization ID and name, service user, access key ID), never a secret.
func writeOpenMetrics(w io.Writer, r checkReport, at time.Time, maxAge time.Duration) {
	fmt.Fprintln(w, "# TYPE m3keys_max_age_seconds gauge")
	fmt.Fprintln(w, "# UNIT m3keys_max_age_seconds seconds")
	fmt.Fprintln(w, "# HELP m3keys_max_age_seconds The age policy: older keys are stale (0: no policy).")
	fmt.Fprintf(w, "m3keys_max_age_seconds %s\n", formatFloat(maxAge.Seconds()))
	for _, f := range openMetricsFamilies(at) {
		fmt.Fprintf(w, "# TYPE %s %s\n", f.name, f.typ)
		if f.unit != "" {
			fmt.Fprintf(w, "# UNIT %s %s\n", f.name, f.unit)
		}
		fmt.Fprintf(w, "# HELP %s %s\n", f.name, f.help)
		for _, row := range r.Results {
			f.samples(w, f.name, keyLabels(row), row)
		}
	}
	fmt.Fprintln(w, "# EOF")
}

// openMetricsText is the report as writeOpenMetrics writes it.
func openMetricsText(r checkReport, at time.Time, maxAge time.Duration) []byte {
	var b bytes.Buffer
	writeOpenMetrics(&b, r, at, maxAge)
	return b.Bytes()
}

func keyLabels(row checkResult) string {
	return fmt.Sprintf(`org_id="%s",org_name="%s",service_user="%s",access_key_id="%s"`,
		escapeLabel(row.OrgID), escapeLabel(row.OrgName), escapeLabel(row.ServiceUser), escapeLabel(row.AccessKeyID))
}

// labelEscaper escapes a label value as OpenMetrics requires: backslash, double quote, newline.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
