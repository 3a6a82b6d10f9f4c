package ui

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/keystore"
)

// maxChecksInFlight is DESIGN.md's batch limit; the Checker keeps each organization under its request rate.
const maxChecksInFlight = 8

// checkRun is the live checks in progress: a queue, the ones in flight, and counts.
// Keys asked for while a run is going join it.
type checkRun struct {
	id       int
	ctx      context.Context
	cancel   context.CancelFunc
	queue    []checkJob
	inFlight map[string]bool
	queued   map[string]bool
	done     int
	total    int
	counts   map[authclient.Class]int
	last     checkDoneMsg
}

type checkJob struct {
	orgID, user string
	key         authclient.Key
}

func (r *checkRun) running() bool { return r.total > 0 && r.done < r.total }

func (r *checkRun) testing(keyID string) bool { return r.inFlight[keyID] }

func (r *checkRun) waiting(keyID string) bool { return r.queued[keyID] }

// progress is "testing 3/7" while a run goes on.
func (r *checkRun) progress() string {
	if !r.running() {
		return ""
	}
	return fmt.Sprintf("testing %d/%d", r.done, r.total)
}

// startChecks queues the keys of msg and starts as many checks as the limits allow.
func (a *App) startChecks(msg testKeysMsg) tea.Cmd {
	org := a.c.org(msg.orgID)
	if org == nil || a.c.deps.Checker == nil {
		return nil
	}
	r := &a.c.checks
	var cmds []tea.Cmd
	if !r.running() {
		a.c.checks.cancelAll()
		ctx, cancel := context.WithCancel(context.Background())
		*r = checkRun{id: r.id + 1, ctx: ctx, cancel: cancel, inFlight: map[string]bool{},
			queued: map[string]bool{}, counts: map[authclient.Class]int{}}
		cmds = append(cmds, a.after(spinInterval, spinFrameMsg{run: r.id}))
	}
	for _, id := range msg.keyIDs {
		ref, ok := a.c.doc.Key(id)
		if !ok || r.inFlight[id] || r.queued[id] {
			continue
		}
		r.queued[id] = true
		r.total++
		r.queue = append(r.queue, checkJob{orgID: org.ID, user: ref.User.Name, key: authclient.Key{
			OrgID: org.ID, APIURL: org.APIURL, AccessKeyID: id, Secret: ref.Key.Secret.Reveal(),
		}})
	}
	return tea.Batch(append(cmds, a.dispatchChecks())...)
}

func (a *App) dispatchChecks() tea.Cmd {
	r := &a.c.checks
	var cmds []tea.Cmd
	for len(r.inFlight) < maxChecksInFlight && len(r.queue) > 0 {
		job := r.queue[0]
		r.queue = r.queue[1:]
		delete(r.queued, job.key.AccessKeyID)
		r.inFlight[job.key.AccessKeyID] = true
		cmds = append(cmds, a.checkCmd(r.ctx, r.id, job))
	}
	return tea.Batch(cmds...)
}

// checkCmd tests one key and records the outcome as its last check.
func (a *App) checkCmd(ctx context.Context, run int, job checkJob) tea.Cmd {
	checker, store, verify, clock := a.c.deps.Checker, a.c.store, a.c.deps.Verify, a.c.deps.Clock
	return func() tea.Msg {
		done := checkDoneMsg{run: run, keyID: job.key.AccessKeyID}
		res := checker.Check(ctx, job.key, verify)
		done.result = res
		if ctx.Err() != nil {
			return done // cancelled on quit: not worth recording
		}
		done.saveErr = store.Update(func(tx *keystore.Tx) error {
			return lastcheck.Record(tx, job.key.AccessKeyID, res, clock())
		})
		return done
	}
}

// checkDone takes one result in, starts the next check, and reports when the run ends.
func (a *App) checkDone(msg checkDoneMsg) tea.Cmd {
	r := &a.c.checks
	if msg.run != r.id || !r.inFlight[msg.keyID] {
		return nil
	}
	delete(r.inFlight, msg.keyID)
	r.done++
	r.counts[msg.result.Class]++
	r.last = msg
	a.c.results[msg.keyID] = msg.result
	a.refreshDoc()
	cmds := []tea.Cmd{a.dispatchChecks()}
	if msg.saveErr != nil {
		cmds = append(cmds, a.setStatus("could not record the check of "+shortID(msg.keyID)+": "+plain(msg.saveErr), true))
	} else if !r.running() {
		cmds = append(cmds, a.setStatus(r.summary(), r.counts[authclient.Rejected]+r.counts[authclient.Forbidden] > 0))
	}
	return tea.Batch(cmds...)
}

// summary is what the status bar says when a run ends: one key's result in full, or counts.
func (r *checkRun) summary() string {
	if r.total == 1 {
		return shortID(r.last.keyID) + ": " + resultSentence(r.last.result)
	}
	parts := []string{fmt.Sprintf("tested %d keys:", r.total)}
	for _, c := range []authclient.Class{authclient.Valid, authclient.Rejected, authclient.Forbidden, authclient.Undetermined} {
		if n := r.counts[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	return strings.Join(parts, " ")
}

// resultSentence is a live result for people: class, message, latency, expiry.
func resultSentence(res authclient.Result) string {
	s := string(res.Class)
	if res.HTTPStatus != 0 && res.Class != authclient.Valid {
		s += fmt.Sprintf(" (%d)", res.HTTPStatus)
	}
	if m := message(res.Message); m != "" {
		s += " — " + m
	}
	if res.Latency() > 0 {
		s += fmt.Sprintf(" · %dms", res.Latency().Milliseconds())
	}
	if res.ExpiresIn > 0 && !strings.Contains(res.Message, "expire") { // authclient's message may say it already
		s += " · token expires in " + duration(res.ExpiresIn)
	}
	return s
}

func (a *App) spinFrame(msg spinFrameMsg) tea.Cmd {
	if msg.run != a.c.checks.id || !a.c.checks.running() {
		return nil
	}
	a.c.frame++
	return a.after(spinInterval, msg)
}

func (r *checkRun) cancelAll() {
	if r.cancel != nil {
		r.cancel()
	}
}
