package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

type checkResult struct {
	OrgID       string `json:"orgId"`
	ServiceUser string `json:"serviceUser"`
	AccessKeyID string `json:"accessKeyId"`
	Result      string `json:"result"`
	HTTPStatus  int    `json:"httpStatus"`
	LatencyMs   int64  `json:"latencyMs"`
	ExpiresIn   int64  `json:"expiresIn"`
	Message     string `json:"message"`
	AgeDays     int    `json:"ageDays"`
	Stale       bool   `json:"stale"`

	orgLabel string
}

type checkSummary struct {
	Valid        int `json:"valid"`
	Rejected     int `json:"rejected"`
	Forbidden    int `json:"forbidden"`
	Undetermined int `json:"undetermined"`
	Stale        int `json:"stale"`
}

type checkReport struct {
	Results []checkResult `json:"results"`
	Summary checkSummary  `json:"summary"`
}

// maxAgeFlag accepts Go durations and whole days ("90d").
type maxAgeFlag struct{ d *time.Duration }

func (f maxAgeFlag) String() string {
	if f.d == nil {
		return ""
	}
	if day := 24 * time.Hour; *f.d%day == 0 {
		return fmt.Sprintf("%dd", *f.d/day)
	}
	return f.d.String()
}

// maxMaxAge is far beyond any real age policy, and far below what time.Duration can hold.
const maxMaxAge = 100 * 365 * 24 * time.Hour

func (f maxAgeFlag) Set(s string) error {
	const use = "use a number of days like 90d or a duration like 720h"
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n < 0 {
			return errors.New(use)
		}
		if n > int64(maxMaxAge/(24*time.Hour)) {
			return errors.New("must be at most 100 years (36500d)")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d < 0 {
			return errors.New(use)
		}
	}
	if d > maxMaxAge {
		return errors.New("must be at most 100 years (36500d)")
	}
	*f.d = d
	return nil
}

type checkOptions struct {
	org         string
	json        bool
	timeout     time.Duration
	concurrency int
	rate        float64
	maxAge      time.Duration
	failOnStale bool
	noVerify    bool
}

// Ranges of check's flags: wide enough for any real use, narrow enough that a typo
// cannot make check hang (a rate of 1e-9) or flood m3ter.
const (
	minRate, maxRate       = 0.1, 1000
	maxConcurrency         = 100
	minTimeout, maxTimeout = 100 * time.Millisecond, 10 * time.Minute
)

func (o *checkOptions) validate() error {
	switch {
	case !(o.rate >= minRate && o.rate <= maxRate): // NaN fails every comparison
		return usageErr("check --rate %g: must be between 0.1 and 1000 requests per second per organization — leave it out for %d", o.rate, authclient.DefaultRate)
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return usageErr("check --concurrency %d: must be between 1 and 100 requests in flight — leave it out for %d", o.concurrency, authclient.DefaultConcurrency)
	case o.timeout < minTimeout || o.timeout > maxTimeout:
		return usageErr("check --timeout %s: must be between 100ms and 10m — leave it out for %s", o.timeout, authclient.DefaultTimeout)
	}
	return nil
}

func runCheck(c *ctx, args []string) error {
	o := checkOptions{maxAge: keystore.DefaultMaxAge}
	fs := c.flags("check", "[--org ID] [--json] [--timeout DUR] [--concurrency N] [--rate N] [--max-age DUR] [--fail-on-stale] [--no-verify]")
	fs.StringVar(&o.org, "org", "", "check only this organization")
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.DurationVar(&o.timeout, "timeout", authclient.DefaultTimeout, "time limit for each request")
	fs.IntVar(&o.concurrency, "concurrency", authclient.DefaultConcurrency, "requests in flight at most")
	fs.Float64Var(&o.rate, "rate", authclient.DefaultRate, "requests per second per organization at most")
	fs.Var(maxAgeFlag{&o.maxAge}, "max-age", "flag keys older than this as stale, in days (90d) or a duration (2160h)")
	fs.BoolVar(&o.failOnStale, "fail-on-stale", false, "exit 1 when a key is stale")
	fs.BoolVar(&o.noVerify, "no-verify", false, "only request a token; skip the users/me call")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	doc := s.Document()
	if o.org != "" {
		org, ok := importer.FindOrg(doc, o.org)
		if !ok {
			return usageErr("no organization %s in the store — run m3keys list to see the IDs", sanitize.Line(o.org))
		}
		o.org = org.ID
	}
	keys, rows := activeKeys(doc, o.org, c.env.Now(), o.maxAge)
	if len(keys) == 0 {
		fmt.Fprintln(c.env.Stderr, "m3keys: no ACTIVE keys to check — add one with m3keys add")
	}
	results := c.runBatch(keys, o)
	report := checkReport{Results: rows}
	for i, r := range results {
		fillResult(&report.Results[i], r)
		report.Summary.count(&report.Results[i])
	}
	saveErr := s.Update(func(tx *keystore.Tx) error { return recordChecks(tx, keys, results, c.env.Now()) })
	if o.json {
		if err := writeJSON(c, report); err != nil {
			return err
		}
	} else {
		printCheckTable(c, report)
	}
	if saveErr != nil {
		return fmt.Errorf("results were not saved as each key's last check: %w", saveErr)
	}
	return checkOutcome(report.Summary, o.failOnStale)
}

// activeKeys lists the keys to check, with the rows that will carry their results.
func activeKeys(doc *keystore.Document, org string, now time.Time, maxAge time.Duration) ([]authclient.Key, []checkResult) {
	var keys []authclient.Key
	rows := []checkResult{}
	for _, o := range doc.Organizations {
		if org != "" && o.ID != org {
			continue
		}
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				if k.Status != keystore.Active {
					continue
				}
				keys = append(keys, authclient.Key{OrgID: o.ID, APIURL: o.APIURL, AccessKeyID: k.AccessKeyID, Secret: k.Secret.Reveal()})
				rows = append(rows, checkResult{OrgID: o.ID, ServiceUser: u.Name, AccessKeyID: k.AccessKeyID,
					AgeDays: k.AgeDays(now), Stale: k.Stale(now, maxAge), orgLabel: orgLabel(&o)})
			}
		}
	}
	return keys, rows
}

func (c *ctx) runBatch(keys []authclient.Key, o checkOptions) []authclient.Result {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	batch := authclient.Batch{
		Client:      authclient.New(authclient.Options{Timeout: o.timeout, UserAgent: "m3keys/" + c.env.Version}),
		Concurrency: o.concurrency, Rate: o.rate, Verify: !o.noVerify,
	}
	results := make([]authclient.Result, len(keys))
	finished := 0
	batch.Run(ctx, keys, func(i int, r authclient.Result) {
		results[i] = r
		finished++
		if c.env.StderrIsTTY {
			fmt.Fprintf(c.env.Stderr, "\rchecking %d/%d keys…", finished, len(keys))
		}
	})
	if c.env.StderrIsTTY && len(keys) > 0 {
		fmt.Fprint(c.env.Stderr, "\r\033[K")
	}
	return results
}

func fillResult(row *checkResult, r authclient.Result) {
	row.Result = string(r.Class)
	row.HTTPStatus = r.HTTPStatus
	row.LatencyMs = r.Latency().Milliseconds()
	row.ExpiresIn = int64(r.ExpiresIn / time.Second)
	row.Message = sanitize.Line(r.Message)
}

func (s *checkSummary) count(r *checkResult) {
	switch authclient.Class(r.Result) {
	case authclient.Valid:
		s.Valid++
	case authclient.Rejected:
		s.Rejected++
	case authclient.Forbidden:
		s.Forbidden++
	default:
		s.Undetermined++
	}
	if r.Stale {
		s.Stale++
	}
}

// recordChecks stores each result as the key's last check.
func recordChecks(tx *keystore.Tx, keys []authclient.Key, results []authclient.Result, at time.Time) error {
	for i, k := range keys {
		if err := lastcheck.Record(tx, k.AccessKeyID, results[i], at); err != nil {
			return err
		}
	}
	return nil
}

func checkOutcome(s checkSummary, failOnStale bool) error {
	switch {
	case s.Rejected+s.Forbidden > 0:
		return &exitError{code: ExitRefused, msg: fmt.Sprintf("%d key(s) failing", s.Rejected+s.Forbidden),
			advice: "rotate or fix the keys marked ✗ or !"}
	case failOnStale && s.Stale > 0:
		return &exitError{code: ExitRefused, msg: fmt.Sprintf("%d stale key(s)", s.Stale), advice: "rotate them (m3keys, then r on the service user)"}
	case s.Undetermined > 0:
		return &exitError{code: ExitUncertain, msg: fmt.Sprintf("%d key(s) could not be checked", s.Undetermined),
			advice: "check the network or m3ter's status and run m3keys check again"}
	}
	return nil
}

// checkRow has fixed widths so the table fits 80 columns and stays aligned across message lines.
const checkRow = "  %-16s %-22s %-14s %4s %8s %s\n"

// printCheckTable prints an org heading, one line per key, and the message beneath keys that are not valid.
func printCheckTable(c *ctx, r checkReport) {
	out := c.env.Stdout
	lastOrg := ""
	for _, row := range r.Results {
		if row.OrgID != lastOrg {
			if lastOrg != "" {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "%s  %s\n", row.orgLabel, row.OrgID)
			fmt.Fprintf(out, checkRow, "SERVICE USER", "ACCESS KEY ID", "RESULT", "HTTP", "LATENCY", "AGE")
			lastOrg = row.OrgID
		}
		status := "-"
		if row.HTTPStatus != 0 {
			status = strconv.Itoa(row.HTTPStatus)
		}
		fmt.Fprintf(out, checkRow, sanitize.Text(row.ServiceUser, 16), sanitize.Text(row.AccessKeyID, 22),
			lastcheck.Mark(row.Result)+" "+row.Result, status, fmt.Sprintf("%dms", row.LatencyMs), ageText(row.AgeDays, row.Stale))
		if row.Result != string(authclient.Valid) {
			for i, line := range wrap(sanitize.Line(row.Message), 74) {
				fmt.Fprintf(out, "    %s %s\n", map[bool]string{true: "↳", false: " "}[i == 0], line)
			}
		}
	}
	s := r.Summary
	fmt.Fprintf(out, "\n%d key(s): %d valid, %d rejected, %d forbidden, %d undetermined; %d stale\n",
		len(r.Results), s.Valid, s.Rejected, s.Forbidden, s.Undetermined, s.Stale)
}

// wrap breaks text into lines of at most width runes, at spaces where it can.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		for len([]rune(word)) > width {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			r := []rune(word)
			lines, word = append(lines, string(r[:width])), string(r[width:])
		}
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines, line = append(lines, line), word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
