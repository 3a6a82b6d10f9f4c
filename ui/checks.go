package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/keystore"
)

// maxChecksInFlight is DESIGN.md's batch limit; the Checker keeps each organization under its request rate.
const maxChecksInFlight = 8

// checkRun is the live checks in progress: a queue, the ones in flight, and counts.
// Keys asked for while a run is going join it; a key is tested once per run, so
// the counts are of keys.
type checkRun struct {
	id       int
	ctx      context.Context
	cancel   context.CancelFunc
	queue    []checkJob
	inFlight map[string]bool
	queued   map[string]bool
	seen     map[string]bool // every key of this run: queued, in flight or done
	orgs     []string        // the organizations tested, in the order asked
	left     map[string]int  // by organization: its keys queued or in flight
	done     int
	total    int
	tally    livecheck.Tally // the results, as the CLI's check counts them
	last     checkDoneMsg
	waits    *retryWaits
}

// retryWaits is the latest wait before a retry: the checks' commands write it, the header
// reads it ("waiting 7 s: 429") while it lasts.
type retryWaits struct {
	mu    sync.Mutex
	wait  authclient.Wait
	until time.Time
}

func (w *retryWaits) set(wait authclient.Wait, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wait, w.until = wait, now.Add(wait.For)
}

// current is the wait under way at now, or "".
func (w *retryWaits) current(now time.Time) string {
	if w == nil {
		return ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !now.Before(w.until) {
		return ""
	}
	return w.wait.String()
}

// waitingChecker is a Checker that tells of its waits before retries (an authclient.Batch).
type waitingChecker interface {
	CheckWaiting(ctx context.Context, k authclient.Key, verify bool, onWait func(authclient.Wait)) authclient.Result
}

type checkJob struct {
	orgID, user string
	key         authclient.Key
	to          ticket // the screen that asked
	req         int    // its number for the request (testKeysMsg.req)
}

func (r *checkRun) running() bool { return r.total > 0 && r.done < r.total }

func (r *checkRun) testing(keyID string) bool { return r.inFlight[keyID] }

func (r *checkRun) waiting(keyID string) bool { return r.queued[keyID] }

// progress is "testing 3/7" while a run goes on, with the wait before a retry under way at now.
func (r *checkRun) progress(now time.Time) string {
	if !r.running() {
		return ""
	}
	p := fmt.Sprintf("testing %d/%d", r.done, r.total)
	if w := r.waits.current(now); w != "" {
		p += " · " + w
	}
	return p
}

// start queues the keys of msg, of any organization, from doc; a new run starts its spinner
// (spin). say is why nothing was queued, "" when something was. dispatch then starts as many
// checks as the limits allow.
func (r *checkRun) start(msg testKeysMsg, from ticket, doc *keystore.Document, deps Deps, now func() time.Time, after afterFunc) (spin tea.Cmd, say string) {
	if doc == nil || deps.Checker == nil {
		return nil, ""
	}
	if !r.running() {
		r.cancelAll()
		ctx, cancel := context.WithCancel(context.Background())
		*r = checkRun{id: r.id + 1, ctx: ctx, cancel: cancel, inFlight: map[string]bool{}, waits: &retryWaits{},
			queued: map[string]bool{}, seen: map[string]bool{}, left: map[string]int{}}
		spin = after(spinInterval, spinFrameMsg{run: r.id})
	}
	added := 0
	refs := keyRefs(doc)
	for _, id := range msg.keyIDs {
		ref, ok := refs[id]
		if !ok || r.seen[id] {
			continue
		}
		r.seen[id] = true
		r.queued[id] = true
		r.left[ref.Org.ID]++
		r.total++
		added++
		if !slices.Contains(r.orgs, ref.Org.ID) {
			r.orgs = append(r.orgs, ref.Org.ID)
		}
		r.queue = append(r.queue, checkJob{orgID: ref.Org.ID, user: ref.User.Name, to: from, req: msg.req, key: livecheck.Key(ref)})
	}
	if added == 0 && len(msg.keyIDs) > 0 {
		what := "those keys are"
		if len(msg.keyIDs) == 1 {
			what = shortID(msg.keyIDs[0]) + " is"
		}
		say = what + " already in this test run (" + r.progress(now()) + ")"
	}
	return spin, say
}

// keyRefs finds every key of the document in one walk, so queueing n keys costs O(n).
func keyRefs(d *keystore.Document) map[string]keystore.KeyRef {
	refs := map[string]keystore.KeyRef{}
	for oi := range d.Organizations {
		o := &d.Organizations[oi]
		for ui := range o.ServiceUsers {
			u := &o.ServiceUsers[ui]
			for ki := range u.Keys {
				refs[u.Keys[ki].AccessKeyID] = keystore.KeyRef{Org: o, User: u, Key: &u.Keys[ki]}
			}
		}
	}
	return refs
}

// dispatch starts as many queued checks as the limits allow, with deps' checker and clock.
func (r *checkRun) dispatch(deps Deps) tea.Cmd {
	var cmds []tea.Cmd
	for len(r.inFlight) < maxChecksInFlight && len(r.queue) > 0 {
		job := r.queue[0]
		r.queue = r.queue[1:]
		delete(r.queued, job.key.AccessKeyID)
		r.inFlight[job.key.AccessKeyID] = true
		cmds = append(cmds, r.check(deps, job))
	}
	return tea.Batch(cmds...)
}

// check tests one key in a command; the root records the result.
func (r *checkRun) check(deps Deps, job checkJob) tea.Cmd {
	ctx, run := r.ctx, r.id
	checker, verify, waits, clock := deps.Checker, deps.Verify, r.waits, deps.Clock
	return func() tea.Msg {
		var res authclient.Result
		if wc, ok := checker.(waitingChecker); ok {
			res = wc.CheckWaiting(ctx, job.key, verify, func(w authclient.Wait) { waits.set(w, clock()) })
		} else {
			res = checker.Check(ctx, job.key, verify)
		}
		return checkDoneMsg{run: run, to: job.to, req: job.req, orgID: job.orgID, keyID: job.key.AccessKeyID, result: res, cancelled: ctx.Err() != nil}
	}
}

// checkDone takes one result in, starts the next check, and reports when the run ends.
// The screens update what the result changes on them, and no more: a run over 10,000
// keys must not rebuild every row for every result (an organization's row shows
// "testing" until its last key is done). The screen that asked gets the result.
func (a *App) checkDone(msg checkDoneMsg) tea.Cmd {
	r := &a.c.checks
	ref, stored := a.c.doc.Key(msg.keyID) // one scan for both: the run's count and the token held
	if !r.took(msg, stored && ref.Key.Status == keystore.Inactive) {
		return nil
	}
	a.c.results[msg.keyID] = msg.result
	if stored {
		a.c.tokens.Hold(livecheck.Key(ref), msg.result)
	}
	cmds := []tea.Cmd{a.saves.take(a.c, msg.keyID, msg.result, a.c.after), a.c.checks.dispatch(a.c.deps),
		a.broadcast(checkedMsg{orgID: msg.orgID, orgDone: r.left[msg.orgID] == 0}), a.route(msg.to, msg)}
	if !r.running() && !r.shownIn(a.stack.top()) {
		cmds = append(cmds, a.setStatusAbout(r.orgs, r.summary(a.c), r.tally.Failing() > 0))
	}
	return tea.Batch(cmds...)
}

// took counts a result of this run in (inactive: its key is stored INACTIVE); false for a
// result of another run, of a key not in flight, or of a cancelled check.
func (r *checkRun) took(msg checkDoneMsg, inactive bool) bool {
	if msg.run != r.id || !r.inFlight[msg.keyID] || msg.cancelled {
		return false
	}
	delete(r.inFlight, msg.keyID)
	r.left[msg.orgID]--
	r.done++
	r.tally.Add(livecheck.Counted{Outcome: outcome.Outcome{Class: msg.result.Class, WhileInactive: inactive}})
	r.last = msg
	return true
}

// summary is what the status bar says when a run ends: one key's result in full, or counts,
// naming the organization when the run tested one.
func (r *checkRun) summary(c *common) string {
	if r.total == 1 {
		if ref, ok := c.doc.Key(r.last.keyID); ok && ref.Key.Status == keystore.Inactive { // rejected is healthy, valid a warning
			return shortID(r.last.keyID) + ": " + checkWords(lastcheck.ForKey(ref.Key))
		}
		return shortID(r.last.keyID) + ": " + resultSentence(r.last.result)
	}
	where := count(len(r.orgs), "organization")
	if len(r.orgs) == 1 {
		where = orgLabel(c.org(r.orgs[0]))
	}
	parts := []string{fmt.Sprintf("%s: tested %d keys:", where, r.total)}
	t := r.tally
	for _, n := range []struct {
		n    int
		what string
	}{{t.Valid, "valid"}, {t.Rejected, "rejected"}, {t.Forbidden, "forbidden"}, {t.Undetermined, "undetermined"}, {t.Retired, "retired"}} {
		if n.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.n, n.what))
		}
	}
	return strings.Join(parts, " ")
}

// resultSentence is a live result for people: result, message, latency, expiry.
func resultSentence(res authclient.Result) string {
	s := checkWords(&keystore.Check{Result: res.Class, Verified: res.Verified, HTTPStatus: res.HTTPStatus, Message: res.Message})
	if res.Latency() > 0 {
		s += fmt.Sprintf(" · %dms", res.Latency().Milliseconds())
	}
	if res.ExpiresIn > 0 && !strings.Contains(res.Message, "expire") { // authclient's message may say it already
		s += " · token expires in " + duration(res.ExpiresIn)
	}
	return s
}

// checkWords are a check's result as lastcheck names it ("! wrong org", "✓ valid (token only)"),
// the deciding HTTP status of a failure, and the message.
func checkWords(c *keystore.Check) string {
	s := lastcheck.Label(c)
	if c.HTTPStatus != 0 && c.Result != authclient.Valid && !lastcheck.WrongOrg(c) {
		s += fmt.Sprintf(" (%d)", c.HTTPStatus)
	}
	if m := message(c.Message); m != "" {
		s += " — " + m
	}
	return s
}

// keyDetail is a screen whose detail line shows a key's last check.
type keyDetail interface {
	showsKey(keyID string) bool
}

// shownIn says the screen on top already shows the one result of run r in its detail
// line: the status line would say it twice.
func (r *checkRun) shownIn(top screen) bool {
	s, ok := top.(keyDetail)
	return ok && r.total == 1 && s.showsKey(r.last.keyID)
}

// startChecks queues the keys of msg and starts as many checks as the limits allow.
func (c *common) startChecks(msg testKeysMsg, from ticket) tea.Cmd {
	spin, say := c.checks.start(msg, from, c.doc, c.deps, c.now, c.after)
	return tea.Batch(spin, c.say(say, false), c.checks.dispatch(c.deps))
}

// spins says the spinner frame of run msg.run moves on: its run is still going.
func (r *checkRun) spins(msg spinFrameMsg) bool {
	return msg.run == r.id && r.running()
}

func (r *checkRun) cancelAll() {
	if r.cancel != nil {
		r.cancel()
	}
}

// stop cancels the checks in flight and ends the run with the results in hand.
func (r *checkRun) stop() {
	r.cancelAll()
	r.queue, r.inFlight, r.queued, r.left = nil, map[string]bool{}, map[string]bool{}, map[string]int{}
	r.total = r.done
}
