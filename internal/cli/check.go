package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/atomicfile"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/livecheck"
	verdict "github.com/m3keys/m3keys/internal/outcome" // cli_test.go has a type named outcome
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

type checkResult struct {
	OrgID       string           `json:"orgId"`
	OrgName     string           `json:"orgName"`
	ServiceUser string           `json:"serviceUser"`
	AccessKeyID string           `json:"accessKeyId"`
	Result      authclient.Class `json:"result"`
	HTTPStatus  int              `json:"httpStatus"`
	LatencyMs   int64            `json:"latencyMs"`
	// Attempts is 1 plus the retries the check made (after a 429, a 5xx, a dropped connection).
	Attempts  int    `json:"attempts"`
	ExpiresIn int64  `json:"expiresIn"`
	Message   string `json:"message"`
	AgeDays   int    `json:"ageDays"`
	Stale     bool   `json:"stale"`
	// Verified is false for a token-only check (--no-verify): weaker evidence than a full one.
	Verified bool            `json:"verified"`
	Status   keystore.Status `json:"status"`
	// InactiveStillAccepted: an INACTIVE key m3ter still accepts (valid): inactivate it in the Console.
	InactiveStillAccepted bool `json:"inactiveStillAccepted"`
	// Retired: an INACTIVE key m3ter rejects, as it should: healthy.
	Retired bool `json:"retired"`
	// WrongServiceUser: users/me named another m3ter service user than the one learned for this service user.
	WrongServiceUser bool `json:"wrongServiceUser"`
	// Exposed: someone who should not read the secret could (a team member removed): rotate it.
	Exposed bool `json:"exposed"`
	// HandedOutTwice: two team members each handed the secret out before seeing the other's: rotate it.
	HandedOutTwice bool `json:"handedOutTwice"`

	orgLabel  string
	createdAt time.Time
}

// outcome is the row's check as it reads for its key (INACTIVE: rejected is retired, valid still accepted).
func (r *checkResult) outcome() verdict.Outcome {
	return verdict.Outcome{Class: r.Result, WhileInactive: r.Status == keystore.Inactive}
}

// failing says the key needs action (verdict.Outcome.Failing).
func (r *checkResult) failing() bool { return r.outcome().Failing() }

type checkReport struct {
	Results []checkResult   `json:"results"`
	Summary livecheck.Tally `json:"summary"`
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

func (f maxAgeFlag) Type() string { return "duration" }

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
	all         bool     // INACTIVE keys too
	keyIDs      []string // just these keys, whatever their status
	json        bool
	format      string // table, json or openmetrics
	output      string // write the openmetrics here, atomically, instead of to stdout
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
	if o.json && o.format != "table" && o.format != "json" {
		return usageErr("check --json --format %s: choose one", sanitize.Line(o.format)).hint("--json is --format json")
	}
	if o.json {
		o.format = "json"
	}
	switch {
	case !slices.Contains([]string{"table", "json", "openmetrics"}, o.format):
		return usageErr("check --format %s: use table, json or openmetrics", sanitize.Line(o.format))
	case o.output != "" && o.format != "openmetrics":
		return usageErr("check --output works with --format openmetrics").hint("add it, or leave out --output")
	case !(o.rate >= minRate && o.rate <= maxRate): // NaN fails every comparison
		return usageErr("check --rate %g: must be between 0.1 and 1000 requests per second per organization", o.rate).hint("leave it out for %d", authclient.DefaultRate)
	case o.concurrency < 1 || o.concurrency > maxConcurrency:
		return usageErr("check --concurrency %d: must be between 1 and 100 requests in flight", o.concurrency).hint("leave it out for %d", authclient.DefaultConcurrency)
	case o.timeout < minTimeout || o.timeout > maxTimeout:
		return usageErr("check --timeout %s: must be between 100ms and 10m", o.timeout).hint("leave it out for %s", authclient.DefaultTimeout)
	}
	return nil
}

func checkCommand(c *invocation) *cobra.Command {
	o := checkOptions{maxAge: keystore.DefaultMaxAge}
	cmd := &cobra.Command{Use: "check [KEY_ID...]",
		Short:             "test ACTIVE keys live against m3ter (--all: INACTIVE ones too; KEY_IDs: just those)",
		ValidArgsFunction: c.completeKeyIDs}
	fs := cmd.Flags()
	fs.StringVar(&o.org, "org", "", "check only this organization (its `ID`, or its name)")
	fs.BoolVar(&o.all, "all", false, "check INACTIVE keys too (m3ter should reject them)")
	fs.BoolVar(&o.json, "json", false, "print JSON (--format json)")
	fs.StringVar(&o.format, "format", "table", "table, json or openmetrics (for Prometheus)")
	fs.StringVar(&o.output, "output", "", "with --format openmetrics: write `FILE` atomically (node_exporter's textfile collector)")
	fs.DurationVar(&o.timeout, "timeout", authclient.DefaultTimeout, "time limit for each request")
	fs.IntVar(&o.concurrency, "concurrency", authclient.DefaultConcurrency, "requests in flight at most")
	fs.Float64Var(&o.rate, "rate", authclient.DefaultRate, "requests per second per organization at most")
	fs.Var(maxAgeFlag{&o.maxAge}, "max-age", "flag keys older than this as stale, in days (90d) or a `DURATION` (2160h)")
	fs.BoolVar(&o.failOnStale, "fail-on-stale", false, "exit 1 when a key is stale")
	fs.BoolVar(&o.noVerify, "no-verify", false, "only request a token; skip the users/me call")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "json", "openmetrics"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = func(_ *cobra.Command, ids []string) error {
		o.keyIDs = ids
		return runCheck(c, o)
	}
	return cmd
}

func runCheck(c *invocation, o checkOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	doc := s.Document()
	if o.org != "" {
		org, err := findOrg(doc, o.org)
		if err != nil {
			return err
		}
		o.org = org.ID
	}
	keys, rows, err := keysToCheck(doc, o, c.env.Now())
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(c.env.Stderr, "m3keys: no ACTIVE keys to check — add one with m3keys add (check --all includes INACTIVE keys)")
	}
	results := c.runBatch(keys, o)
	report := checkReport{Results: rows}
	for i, r := range results {
		fillResult(&report.Results[i], r, !o.noVerify)
	}
	wrongUser := map[string]bool{}
	saveErr := s.Update(func(tx *keystore.Tx) error {
		recs, at := make([]livecheck.Result, len(keys)), c.env.Now()
		for i, k := range keys {
			recs[i] = livecheck.Result{KeyID: k.AccessKeyID, Live: results[i], At: at}
		}
		if err := livecheck.Record(tx, recs...); err != nil {
			return err
		}
		for _, k := range keys { // the keystore decides what users/me's answer means
			ref, ok := tx.Key(k.AccessKeyID)
			wrongUser[k.AccessKeyID] = ok && lastcheck.WrongServiceUser(ref.Key.LastCheck)
		}
		return nil
	})
	for i := range report.Results {
		row := &report.Results[i]
		row.WrongServiceUser = row.Result == authclient.Valid && wrongUser[row.AccessKeyID]
		report.Summary.Add(row.counted())
	}
	if err := writeCheckReport(c, report, o); err != nil {
		return err
	}
	if saveErr != nil {
		return fmt.Errorf("results were not saved as each key's last check: %w", saveErr)
	}
	return checkOutcome(report.Summary, o.failOnStale, o.format == "json")
}

// writeCheckReport prints the report in the chosen format, or writes it to --output.
func writeCheckReport(c *invocation, report checkReport, o checkOptions) error {
	switch {
	case o.format == "json":
		return writeJSON(c, report)
	case o.format == "openmetrics" && o.output != "":
		if err := atomicfile.Write(o.output, openMetricsText(report, c.env.Now(), o.maxAge), 0o644, nil); err != nil {
			return fmt.Errorf("cannot write %s: %w — check that its directory exists and is writable", sanitize.Line(o.output), err)
		}
	case o.format == "openmetrics":
		writeOpenMetrics(c.env.Stdout, report, c.env.Now(), o.maxAge)
	default:
		printCheckTable(c, report)
	}
	return nil
}

// keysToCheck lists the keys to check (livecheck.Select), with the rows that will carry their results.
func keysToCheck(doc *keystore.Document, opts checkOptions, now time.Time) ([]authclient.Key, []checkResult, error) {
	refs, err := livecheck.Select(doc, livecheck.Selection{OrgID: opts.org, All: opts.all, KeyIDs: opts.keyIDs})
	var named *livecheck.KeyError
	switch {
	case errors.As(err, &named) && errors.Is(err, keystore.ErrNotFound):
		return nil, nil, errNoKey(named.KeyID)
	case errors.As(err, &named):
		return nil, nil, usageErr("%s", named).hint("leave out --org to check it")
	case err != nil:
		return nil, nil, err
	}
	var keys []authclient.Key
	rows := []checkResult{}
	for _, ref := range refs {
		o, k := ref.Org, ref.Key
		keys = append(keys, livecheck.Key(ref))
		rows = append(rows, checkResult{OrgID: o.ID, ServiceUser: ref.User.Name, AccessKeyID: k.AccessKeyID,
			OrgName: o.Name, Status: k.Status, Exposed: k.Exposed, HandedOutTwice: k.HandedOutTwice,
			AgeDays: k.AgeDays(now), Stale: k.Stale(now, opts.maxAge), orgLabel: orgLabel(o), createdAt: k.CreatedAt})
	}
	return keys, rows, nil
}

func (c *invocation) runBatch(keys []authclient.Key, o checkOptions) []authclient.Result {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	progress := &checkProgress{out: c.env.Stderr, on: c.env.StderrIsTTY, total: len(keys)}
	batch := authclient.Batch{
		Client:      authclient.New(authclient.Options{Timeout: o.timeout, UserAgent: "m3keys/" + c.env.Version}),
		Concurrency: o.concurrency, Rate: o.rate, Verify: !o.noVerify,
		OnWait: progress.waiting,
	}
	results := make([]authclient.Result, len(keys))
	batch.Run(ctx, keys, func(i int, r authclient.Result) {
		results[i] = r
		progress.finished()
	})
	progress.clear()
	return results
}

// checkProgress is the line on a terminal's stderr that counts the keys checked and shows
// the latest wait before a retry ("waiting 7 s: 429"). Keys finish and wait on several goroutines.
type checkProgress struct {
	out         io.Writer
	on          bool
	mu          sync.Mutex
	total, done int
	wait        string
}

func (p *checkProgress) finished() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.wait = ""
	p.show()
}

func (p *checkProgress) waiting(w authclient.Wait) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wait = w.String()
	p.show()
}

func (p *checkProgress) show() {
	if !p.on {
		return
	}
	line := fmt.Sprintf("\rchecking %d/%d keys…", p.done, p.total)
	if p.wait != "" {
		line += " " + p.wait
	}
	fmt.Fprint(p.out, line+"\033[K")
}

func (p *checkProgress) clear() {
	if p.on && p.total > 0 {
		fmt.Fprint(p.out, "\r\033[K")
	}
}

func fillResult(row *checkResult, r authclient.Result, verified bool) {
	row.Result = r.Class
	row.Verified = verified
	row.HTTPStatus = r.HTTPStatus
	row.LatencyMs = r.Latency().Milliseconds()
	row.Attempts = r.Attempts
	row.ExpiresIn = int64(r.ExpiresIn / time.Second)
	row.Message = sanitize.Line(r.Message)
	row.InactiveStillAccepted, row.Retired = row.outcome().StillAccepted(), row.outcome().Retired()
}

// counted is the row as livecheck.Tally counts it.
func (r *checkResult) counted() livecheck.Counted {
	return livecheck.Counted{Outcome: r.outcome(), Stale: r.Stale, WrongServiceUser: r.WrongServiceUser, Exposed: r.Exposed, HandedOutTwice: r.HandedOutTwice}
}

// checkOutcome is the exit code and the stderr summary. With --json the summary names the
// field to look at, since the table's marks (✗, !) are not in the JSON.
func checkOutcome(s livecheck.Tally, failOnStale, asJSON bool) error {
	pick := func(table, json string) string {
		if asJSON {
			return json
		}
		return table
	}
	switch {
	case s.Failing() > 0:
		msg := keys(s.Failing()) + " failing"
		if s.InactiveStillAccepted > 0 {
			msg += ", and " + keys(s.InactiveStillAccepted) + " INACTIVE still accepted by m3ter"
		}
		return &exitError{code: ExitRefused, msg: msg,
			advice: pick("rotate or fix the keys marked ✗ or !", `see .results[] where .result is "rejected" or "forbidden" or .inactiveStillAccepted is true; rotate or fix those keys`)}
	case s.Exposed > 0: // whatever m3ter says: someone who should not hold the secret could read it
		return &exitError{code: ExitRefused, msg: keys(s.Exposed) + " exposed: a removed team member could read the secret",
			advice: pick("rotate the keys marked exposed", "see .results[] where .exposed is true; rotate those keys") + " (m3keys, then r on the service user)"}
	case s.HandedOutTwice > 0: // two members each handed it out: two copies to audit
		return &exitError{code: ExitRefused, msg: keys(s.HandedOutTwice) + " handed out twice: two team members each handed the secret out",
			advice: pick("rotate the keys marked handed out twice", "see .results[] where .handedOutTwice is true; rotate those keys") + " (m3keys, then r on the service user)"}
	case s.InactiveStillAccepted > 0:
		return &exitError{code: ExitRefused, msg: keys(s.InactiveStillAccepted) + " INACTIVE but still accepted by m3ter",
			advice: pick("inactivate them in the m3ter Console (Settings › Access › Service Users), then check them again", "see .results[] where .inactiveStillAccepted is true; inactivate those keys in the m3ter Console")}
	case failOnStale && s.Stale > 0:
		return &exitError{code: ExitRefused, msg: keys(s.Stale) + " stale",
			advice: pick("rotate the keys marked STALE", "see .results[] where .stale is true") + " (m3keys, then r on the service user)"}
	case s.Undetermined > 0:
		return &exitError{code: ExitUncertain, msg: keys(s.Undetermined) + " could not be checked",
			advice: pick("", `see .results[] where .result is "undetermined"; `) + "check the network or m3ter's status and run m3keys check again (with a longer --timeout if m3ter is slow)"}
	}
	return nil
}

// keys is "1 key" or "n keys".
func keys(n int) string {
	if n == 1 {
		return "1 key"
	}
	return strconv.Itoa(n) + " keys"
}

// Widths of the table's columns: with two spaces in front and one between, 80 in all.
const (
	userCells, keyCells, resultCells, httpCells, latencyCells, ageCells = 14, 22, 14, 4, 8, 11
	messageCells                                                        = 74 // after "    ↳ "
	retiredLabel                                                        = verdict.RetiredLabel
)

// columns are the widths of the key and result columns: a table with a longer result
// ("✓ retired (rejected)", "✓ valid (token only)") gives it the room, out of the key column.
type columns struct{ key, result int }

func tableColumns(rows []checkResult) columns {
	widest := resultCells
	for _, r := range rows {
		widest = max(widest, min(textcut.Width(resultLabel(r)), textcut.Width(retiredLabel)))
	}
	extra := widest - resultCells
	return columns{key: keyCells - extra, result: resultCells + extra}
}

// resultLabel is a row's RESULT cell, in the TUI's words ("! wrong org", "✓ valid (token only)").
func resultLabel(r checkResult) string {
	if r.Retired {
		return retiredLabel
	}
	return lastcheck.Label(&keystore.Check{Result: r.Result, HTTPStatus: r.HTTPStatus, Verified: r.Verified})
}

func (w columns) row(user, key, result, status, latency, age string) string {
	return "  " + textcut.Pad(textcut.End(user, userCells), userCells) + " " +
		textcut.Pad(textcut.Middle(key, w.key), w.key) + " " +
		textcut.Pad(textcut.End(result, w.result), w.result) + " " +
		fmt.Sprintf("%*s %*s ", httpCells, textcut.End(status, httpCells), latencyCells, textcut.End(latency, latencyCells)) +
		textcut.End(age, ageCells)
}

// printCheckTable prints an org heading, one line per key, and the message beneath keys that are not valid.
func printCheckTable(c *invocation, r checkReport) {
	out := c.env.Stdout
	cols := tableColumns(r.Results)
	confusable := confusableIDs(r.Results, cols.key)
	lastOrg := ""
	for _, row := range r.Results {
		if row.OrgID != lastOrg {
			if lastOrg != "" {
				fmt.Fprintln(out)
			}
			if row.orgLabel == row.OrgID {
				fmt.Fprintln(out, row.OrgID)
			} else {
				fmt.Fprintf(out, "%s  %s\n", row.orgLabel, row.OrgID)
			}
			fmt.Fprintln(out, cols.row("SERVICE USER", "ACCESS KEY ID", "RESULT", "HTTP", "LATENCY", "AGE"))
			lastOrg = row.OrgID
		}
		status := "-"
		if row.HTTPStatus != 0 {
			status = strconv.Itoa(row.HTTPStatus)
		}
		id := sanitize.Text(row.AccessKeyID, 200)
		fmt.Fprintln(out, cols.row(sanitize.Text(row.ServiceUser, 100), id, resultLabel(row),
			status, latencyText(row.LatencyMs), checkAgeText(row.AgeDays, row.Stale)))
		if confusable[id] {
			printBeneath(out, "whole ID: "+id)
		}
		if row.Result != authclient.Valid && !row.Retired {
			printBeneath(out, sanitize.Line(row.Message))
		}
		for _, w := range rowWarnings(row) {
			printBeneath(out, w)
		}
	}
	s := r.Summary
	fmt.Fprintf(out, "\n%d key(s): %d valid, %d rejected, %d forbidden, %d undetermined; %d stale\n",
		len(r.Results), s.Valid, s.Rejected, s.Forbidden, s.Undetermined, s.Stale)
	// The counts apart, on a line of their own so the summary keeps to 80 columns.
	var apart []string
	for _, n := range []struct {
		n    int
		what string
	}{{s.Retired, "retired"}, {s.InactiveStillAccepted, "INACTIVE still accepted"}, {s.WrongServiceUser, "wrong service user?"}, {s.Exposed, "exposed — rotate"}, {s.HandedOutTwice, "handed out twice — rotate"}} {
		if n.n > 0 {
			apart = append(apart, fmt.Sprintf("%d %s", n.n, n.what))
		}
	}
	if len(apart) > 0 {
		fmt.Fprintln(out, strings.Join(apart, "; "))
	}
	printFailures(out, r.Results)
}

// tableWidth is the width the table keeps to: an 80-column terminal.
const tableWidth = 80

// printFailures ends the table as a test runner's short summary does: one line per key that
// needs action, with why, so the last screen of an 80×24 terminal names every one of them.
func printFailures(out io.Writer, rows []checkResult) {
	var lines []string
	for _, row := range rows {
		if reason := failureReason(row); reason != "" {
			line := fmt.Sprintf("  %s %s: %s", sanitize.Text(row.AccessKeyID, 200), resultLabel(row), reason)
			lines = append(lines, textcut.End(line, tableWidth))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(out, "\nneeds action:")
	for _, line := range lines {
		fmt.Fprintln(out, line)
	}
}

// failureReason is why a row needs action, or "" when it does not: a key m3ter refuses (not
// a retired one), one that could not be checked, an INACTIVE one still accepted, an exposed one.
func failureReason(row checkResult) string {
	switch {
	case row.InactiveStillAccepted:
		return "INACTIVE but still accepted — inactivate it in the Console"
	case row.Exposed:
		return "exposed — rotate it"
	case row.HandedOutTwice:
		return "handed out twice — rotate it"
	case row.Result != authclient.Valid && !row.Retired:
		return sanitize.Line(row.Message)
	}
	return ""
}

// rowWarnings are the lines beneath a row that call for action besides its result.
func rowWarnings(row checkResult) []string {
	var w []string
	if row.InactiveStillAccepted {
		w = append(w, "! still accepted by m3ter — inactivate it in the Console")
	}
	if row.WrongServiceUser {
		w = append(w, "! wrong service user? users/me named another m3ter service user than the one learned for "+sanitize.Text(row.ServiceUser, 40))
	}
	if row.Exposed {
		w = append(w, "! exposed — rotate (a removed team member could read its secret)")
	}
	if row.HandedOutTwice {
		w = append(w, "! handed out twice — rotate (two team members each handed its secret out)")
	}
	return w
}

// printBeneath prints text under a row, wrapped to the table's width.
func printBeneath(out io.Writer, text string) {
	for i, line := range wrap(text, messageCells) {
		fmt.Fprintf(out, "    %s %s\n", map[bool]string{true: "↳", false: " "}[i == 0], line)
	}
}

// confusableIDs are the IDs whose cut form in the table is another ID's too (IDs that differ
// only in the middle): they are shown whole beneath their row, so no two keys look the same.
func confusableIDs(rows []checkResult, keyCells int) map[string]bool {
	byCut := map[string][]string{}
	for _, row := range rows {
		id := sanitize.Text(row.AccessKeyID, 200)
		cut := textcut.Middle(id, keyCells)
		if !slices.Contains(byCut[cut], id) {
			byCut[cut] = append(byCut[cut], id)
		}
	}
	confusable := map[string]bool{}
	for _, ids := range byCut {
		if len(ids) > 1 {
			for _, id := range ids {
				confusable[id] = true
			}
		}
	}
	return confusable
}

// latencyText fits the latency column: a 429 that waited shows seconds.
func latencyText(ms int64) string {
	if ms < 10_000 {
		return fmt.Sprintf("%dms", ms)
	}
	return fmt.Sprintf("%.1fs", float64(ms)/1000)
}

// checkAgeText fits the age column ("9999d STALE" at most): older keys, which only a typo in
// created_at makes, show years.
func checkAgeText(days int, stale bool) string {
	if days >= 10_000 {
		s := fmt.Sprintf("%dy", days/365)
		if stale {
			s += " STALE"
		}
		return s
	}
	return ageText(days, stale)
}

// wrap breaks text into lines of at most width runes, at spaces where it can.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if r := []rune(word); len(r) > width {
			// A word that must be broken anyway (a long ID) starts on the line it follows.
			if line != "" {
				if room := width - len([]rune(line)) - 1; room > 0 {
					line, r = line+" "+string(r[:room]), r[room:]
				}
				lines, line = append(lines, line), ""
			}
			for len(r) > width {
				lines, r = append(lines, string(r[:width])), r[width:]
			}
			word = string(r)
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
