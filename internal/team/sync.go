package team

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/keystore"
)

// Sync errors: Sync stops, saves nothing, and its Result says why.
var (
	// ErrConflicts: both sides changed one field differently; Result.Conflicts lists them to settle.
	ErrConflicts = errors.New("sync stopped: the two sides changed the same thing differently")
	// ErrUntrusted: the remote changed recipients.txt; nothing is encrypted to it before Trust.
	ErrUntrusted = errors.New("sync stopped: the team's recipient list changed and is not trusted yet")
	// ErrNoRemote: the team repository has no origin to sync with (NoRemoteError).
	ErrNoRemote = errors.New("this team store has no remote")
	// ErrPushRace: every push was rejected because others pushed first, past the retries.
	ErrPushRace = errors.New("others kept pushing while this sync merged")
	// ErrUnreachable: the remote could not be fetched from (or pushed to): offline, down, refused.
	ErrUnreachable = errors.New("the remote cannot be reached")
	// ErrNoSuchConflict: a choice names a conflict this sync does not have.
	ErrNoSuchConflict = errors.New("no such conflict in this sync")
)

// NoRemoteError is ErrNoRemote with the repository to add one to; the changes are committed there.
type NoRemoteError struct{ GitDir string }

func (e *NoRemoteError) Error() string {
	return ErrNoRemote.Error() + ": changes are committed locally"
}
func (e *NoRemoteError) Unwrap() error { return ErrNoRemote }

// DefaultTries bounds fetch-merge-push rounds when pushes are rejected because someone pushed meanwhile.
const DefaultTries = 5

// SyncOptions are a sync's inputs.
type SyncOptions struct {
	// Unlock gives the member's identity; it is called only when both sides changed and the
	// documents must be decrypted to be merged.
	Unlock func() (*keystore.Member, error)
	// Choose settles conflicts by their short ID (Conflict.ID); All settles every other one.
	Choose map[string]merge.Side
	All    merge.Side
	Now    func() time.Time
	Lock   []keystore.Option // how to wait for the store's lock
	Tries  int               // DefaultTries when 0
	// Context ends git when it ends (quit, hang-up); nil for none.
	Context context.Context
	// Known is the member's identity when it is unlocked already (the TUI's): a sync that takes
	// commits in reads them, without asking for a passphrase, to tell what needs doing (a
	// service user over the limit after another member's merge).
	Known *keystore.Member
	// Waiting hears how long a fetch or push has waited for the remote, every 10 s; nil for none.
	Waiting func(time.Duration)
}

// Conflict is a merge conflict as a member settles it: ID is short, for the command line;
// OursBy and TheirsBy say who last changed that place on each side, and when ("" when the
// history does not tell).
type Conflict struct {
	ID string
	merge.Conflict
	OursBy, TheirsBy string
}

func (c Conflict) String() string { return c.ID + "  " + c.Conflict.String() }

// lastChange is who last changed c's place in d and when, from its history.
func lastChange(d *keystore.Document, c merge.Conflict) string {
	for i := len(d.History) - 1; i >= 0; i-- {
		ev := d.History[i]
		if ev.OrgID != c.OrgID || c.User != "" && ev.ServiceUser != c.User || c.AccessKeyID != "" && ev.AccessKeyID != c.AccessKeyID {
			continue
		}
		when := ev.At.UTC().Format("2006-01-02 15:04 UTC")
		if ev.Member == "" {
			return when
		}
		return ev.Member + ", " + when
	}
	return ""
}

// ShortID is the command-line name of a merge conflict.
func ShortID(c merge.Conflict) string {
	sum := sha256.Sum256([]byte(c.ID))
	return hex.EncodeToString(sum[:4])
}

// Result is what a sync did.
type Result struct {
	Committed bool // uncommitted changes were committed first
	Received  int  // commits fast-forwarded from the remote
	Merged    bool // both sides had changed: the documents were merged
	Pushed    bool
	Tries     int
	Conflicts []Conflict        // with ErrConflicts
	OverLimit []merge.OverLimit // service users over the limit after the merge
	Pending   *RecipientChange  // a recipient change waiting for team trust
	Decisions int               // merge decisions recorded in history
	Resolved  map[string]string // conflicts settled by Choose/All: short ID → side
	Exposed   []string          // keys the merge flagged exposed: a removed member could read them
	// HandedOutTwice are the keys the merge flagged handed out twice: two members each handed
	// the secret out before seeing the other's hand-out.
	HandedOutTwice []string
	Removed        bool // the list the sync brought leaves this member out: see RemovedError
	failed         bool // the sync stopped on an error: it is not up to date
}

// Sync commits what is uncommitted, fetches, checks what the remote brought, merges the
// documents when both sides moved, and pushes; a push rejected because someone pushed
// meanwhile starts over, at most opts.Tries times.
func Sync(dir string, opts SyncOptions) (Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Tries <= 0 {
		opts.Tries = DefaultTries
	}
	if _, err := gitPath(); err != nil {
		return Result{}, err
	}
	if !keystore.IsTeam(dir) || !isRepo(dir) {
		return Result{}, notTeam(dir)
	}
	e := &syncer{dir: dir, opts: opts}
	err := e.run()
	if err == nil {
		err = e.res.Pending.removed(dir)
		e.res.Removed = err != nil
	}
	e.res.failed = err != nil
	return e.res, err
}

type syncer struct {
	r      repo
	dir    string
	opts   SyncOptions
	res    Result
	member *keystore.Member
}

// run holds the store's lock throughout, so no other m3keys saves, commits or syncs while git
// works on the repository; a save waits for the sync (and says so after a second).
func (e *syncer) run() error {
	held, err := keystore.LockStore(e.dir, e.opts.Lock...)
	if err != nil {
		return err
	}
	defer held.Unlock()
	if e.r, err = openRepo(e.opts.Context, e.dir, true); err != nil {
		return err
	}
	e.r.waiting = e.opts.Waiting
	if err := clearStaleLocks(e.r.gitDir()); err != nil {
		return err
	}
	hasRemote := e.r.remote() != ""
	for e.res.Tries = 1; e.res.Tries <= e.opts.Tries; e.res.Tries++ {
		if hasRemote {
			if _, err := e.r.run(fetchArgs...); err != nil {
				return fmt.Errorf("%w: %w", ErrUnreachable, err)
			}
		}
		ahead, err := e.integrate(held, hasRemote)
		if err != nil || !hasRemote {
			if err == nil {
				err = &NoRemoteError{GitDir: e.r.gitDir()}
			}
			return err
		}
		if !ahead {
			return nil
		}
		rejected, err := e.push()
		if err != nil || !rejected {
			e.res.Pushed = err == nil
			return err
		}
	}
	return fmt.Errorf("%w: %d tries", ErrPushRace, e.opts.Tries)
}

// integrate brings the remote's commits in: it commits what is uncommitted, then
// fast-forwards or merges, each only after checking every commit it takes in. It reports
// whether there is something to push.
func (e *syncer) integrate(held *keystore.Held, hasRemote bool) (ahead bool, err error) {
	if hasRemote {
		if err := e.catchUp(); err != nil {
			return false, err
		}
	}
	committed, err := e.r.commitLocal(SaveMessage)
	if err != nil {
		return false, err
	}
	e.res.Committed = e.res.Committed || committed
	if !hasRemote {
		return false, nil
	}
	up, err := e.r.resolve(upstream)
	if err != nil || up == "" {
		return err == nil, err // the remote has no branch yet: push ours
	}
	counts, err := e.r.run("rev-list", "--left-right", "--count", head+"..."+up)
	if err != nil {
		return false, err
	}
	nAhead, nBehind := parseCounts(counts)
	switch {
	case nBehind == 0:
		return nAhead > 0, e.notePending(up)
	case nAhead == 0:
		ours, err := e.r.resolve(head)
		if err != nil {
			return false, err
		}
		if err := e.r.inspect(ours, up); err != nil {
			return false, err
		}
		if moved, err := e.movesAPIURL(ours, up); err != nil || moved {
			if err != nil {
				return false, err
			}
			return true, e.merge(held, up) // as a merge: the change is a conflict to settle
		}
		if err := adopt(e.r, held, ours, up); err != nil {
			return false, err
		}
		e.res.Received += nBehind
		if err := e.notePending(up); err != nil {
			return false, err
		}
		return false, e.noteOverLimit(up)
	}
	if err := e.r.inspect(head, up); err != nil {
		return false, err
	}
	return true, e.merge(held, up)
}

// movesAPIURL says whether up, which ours could fast-forward to, changes an organization's
// API URL: where check sends that organization's secrets. Such a change is never taken
// silently (merge's rule), so both documents are decrypted; up's commits are checked already.
func (e *syncer) movesAPIURL(ours, up string) (bool, error) {
	mine, err := e.read(ours, "your version")
	if err == nil {
		var theirs version
		if theirs, err = e.read(up, "the remote's version ("+abbrev(up)+")"); err == nil {
			return merge.MovesAPIURL(mine.doc, theirs.doc), nil
		}
	}
	if errors.Is(err, keystore.ErrNotMember) {
		return false, nil // joining (nothing of ours to compare), or removed: the fast-forward says so
	}
	return false, err
}

// noteOverLimit tells, after a fast-forward, the service users the document brought flags over
// the limit after merge, when the member is unlocked already; a personal note otherwise waits
// for the document to be opened (list, the TUI), which shows the flags too.
func (e *syncer) noteOverLimit(rev string) error {
	if e.member == nil {
		e.member = e.opts.Known
	}
	if e.member == nil {
		return nil
	}
	v, err := e.read(rev, "the remote's version ("+abbrev(rev)+")")
	if errors.Is(err, keystore.ErrNotMember) {
		return nil // removed, or not added yet: Sync says so
	}
	if err == nil {
		e.res.OverLimit = merge.OverLimitIn(v.doc)
	}
	return err
}

// catchUp finishes a fast-forward that was killed after it wrote the store's files and before
// it moved the branch: the files are the upstream's already, so the branch follows, rather
// than committing them as a change of this member's.
func (e *syncer) catchUp() error {
	upTree, err := e.r.treeOf(upstream)
	if err != nil || upTree == "" {
		return err
	}
	local, err := e.r.localTree()
	if err != nil || local != upTree {
		return err
	}
	headSha, err := e.r.resolve(head)
	if err != nil || headSha == "" {
		return err
	}
	if behind, err := e.r.ok("merge-base", "--is-ancestor", headSha, upstream); err != nil || !behind {
		return err
	}
	if err := e.r.inspect(headSha, upstream); err != nil {
		return err // the same files by another path: the commits between are checked all the same
	}
	return e.r.moveHead(upstream, headSha)
}

// takeIn checks the commits that from lacks and to has, writes to's files with the store's
// atomic writer, then moves the branch to to ("" from: an unborn branch). Files first: a sync
// killed between the two finds the files ahead of the branch, and catchUp finishes.
func takeIn(r repo, held *keystore.Held, from, to string) error {
	old := ""
	if from != "" {
		var err error
		if old, err = r.resolve(from); err != nil {
			return err
		}
	}
	to, err := r.resolve(to)
	if err != nil {
		return err
	}
	if err := r.inspect(old, to); err != nil {
		return err
	}
	return adopt(r, held, old, to)
}

// adopt writes commit to's files with the store's atomic writer, then moves the branch from
// old to to. to's commits are checked already (inspect).
func adopt(r repo, held *keystore.Held, old, to string) error {
	doc, _, err := r.file(to, keystore.DocumentFile)
	if err != nil {
		return err
	}
	rs, _, err := r.file(to, keystore.RecipientsFile)
	if err != nil {
		return err
	}
	if err := held.TakeIn(doc, rs); err != nil {
		return err
	}
	return r.moveHead(to, old)
}

// clearStaleLocks removes the *.lock files a killed git left in the repository. Every
// m3keys runs git under the store's lock, which the caller holds, and git dies with the
// m3keys that started it, so no git of ours is using them.
func clearStaleLocks(gitDir string) error {
	return filepath.WalkDir(gitDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && filepath.Base(filepath.Dir(path)) == "objects" && len(d.Name()) == 2 {
			return filepath.SkipDir // loose objects: no locks there
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".lock") {
			return os.Remove(path)
		}
		return nil
	})
}

func parseCounts(s string) (ahead, behind int) {
	f := strings.Fields(s)
	if len(f) == 2 {
		ahead, _ = strconv.Atoi(f[0])
		behind, _ = strconv.Atoi(f[1])
	}
	return ahead, behind
}

// push sends the branch; rejected reports that the remote moved meanwhile.
func (e *syncer) push() (rejected bool, err error) {
	_, err = e.r.run("push", "-q", "origin", head+":"+head)
	var ge *gitError
	if errors.As(err, &ge) && (strings.Contains(ge.stderr, "[rejected]") || strings.Contains(ge.stderr, "fetch first") ||
		strings.Contains(ge.stderr, "non-fast-forward") || strings.Contains(ge.stderr, "[remote rejected]") && strings.Contains(ge.stderr, "lock")) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return false, nil
}

// notePending records a recipient change the member has not trusted, as the work tree will
// hold it once rev is in.
func (e *syncer) notePending(rev string) error {
	change, err := pending(e.r, rev)
	if err == nil {
		e.res.Pending = change
	}
	return err
}

// version is one side of a merge: its document and its recipients.
type version struct {
	doc        *keystore.Document
	recipients keystore.Recipients
}

func (e *syncer) read(rev, what string) (version, error) {
	var v version
	data, ok, err := e.r.file(rev, keystore.RecipientsFile)
	if err != nil {
		return v, err
	}
	if ok {
		if v.recipients, err = keystore.ParseRecipients(data); err != nil {
			return v, fmt.Errorf("%s: %w", what, err)
		}
	}
	data, ok, err = e.r.file(rev, keystore.DocumentFile)
	if err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: %s has no %s", keystore.ErrCorrupt, what, keystore.DocumentFile)
		}
		return v, err
	}
	if e.member == nil {
		if e.opts.Unlock == nil {
			return v, errors.New("both sides changed: the merge needs your passphrase")
		}
		if e.member, err = e.opts.Unlock(); err != nil {
			return v, err
		}
	}
	v.doc, err = e.member.DecryptDocument(data, what)
	return v, err
}

// merge joins HEAD and up: the documents by identity, the recipient lists as sets; then it
// writes and commits the result with both parents. It saves nothing on a conflict.
func (e *syncer) merge(held *keystore.Held, up string) error {
	ourRev, err := e.r.resolve(head)
	if err != nil {
		return err
	}
	theirsRev := up
	base := version{doc: &keystore.Document{Version: keystore.CurrentVersion}}
	baseRev, err := e.r.run("merge-base", ourRev, theirsRev)
	if err == nil {
		if base, err = e.read(baseRev, "the merge base ("+abbrev(baseRev)+")"); err != nil {
			return err
		}
	}
	ours, err := e.read(ourRev, "your version")
	if err != nil {
		return err
	}
	theirs, err := e.read(theirsRev, "the remote's version ("+abbrev(theirsRev)+")")
	if err != nil {
		return err
	}
	recipients := mergeRecipients(base.recipients, ours.recipients, theirs.recipients)
	if change, err := pendingFor(e.r, recipients, theirsRev); err != nil {
		return err
	} else if change != nil {
		e.res.Pending = change
		return ErrUntrusted
	}
	now := e.opts.Now()
	r, unused, err := e.mergeDocs(base.doc, ours.doc, theirs.doc, now)
	if err != nil {
		return err
	}
	if !r.Resolved() {
		for _, c := range r.Conflicts {
			e.res.Conflicts = append(e.res.Conflicts, Conflict{ID: ShortID(c), Conflict: c,
				OursBy: lastChange(ours.doc, c), TheirsBy: lastChange(theirs.doc, c)})
		}
		return ErrConflicts
	}
	if len(unused) > 0 {
		return fmt.Errorf("%w: %s; nothing was saved", ErrNoSuchConflict, strings.Join(unused, ", "))
	}
	doc := r.Doc // merge flags its over-limit service users itself
	e.res.OverLimit = r.OverLimit
	e.res.HandedOutTwice = newlyHandedOutTwice(ours.doc, doc)
	if err := e.flagExposed(baseRev, ourRev, theirsRev, recipients, doc, now); err != nil {
		return err
	}
	e.res.Decisions = countMergeEvents(doc, now)
	nameMergeEvents(doc, now, e.name(recipients))
	if err := held.WriteTeamDocument(e.member, doc, recipients); err != nil {
		return err
	}
	tree, err := e.r.localTree()
	if err != nil {
		return err
	}
	if err := e.r.commit(tree, "m3keys: merge", ourRev, theirsRev); err != nil {
		return err
	}
	e.res.Merged = true
	return nil
}

// newlyHandedOutTwice are the keys merged flags handed out twice and ours did not.
func newlyHandedOutTwice(ours, merged *keystore.Document) []string {
	var ids []string
	for _, o := range merged.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				if !k.HandedOutTwice {
					continue
				}
				if ref, ok := ours.Key(k.AccessKeyID); ok && ref.Key.HandedOutTwice {
					continue
				}
				ids = append(ids, k.AccessKeyID)
			}
		}
	}
	return ids
}

// flagExposed flags, in the merged doc, every key a removed member could read in a commit
// made since the merge base (see exposedByRemoval).
func (e *syncer) flagExposed(base, ours, theirs string, merged keystore.Recipients, doc *keystore.Document, now time.Time) error {
	exposed, err := e.exposedByRemoval(base, ours, theirs, merged, doc)
	if err != nil {
		return err
	}
	tx := doc.Edit(now).By(e.name(merged))
	for _, name := range slices.Sorted(maps.Keys(exposed)) {
		if err := tx.MarkExposed(exposed[name], "readable by removed member "+name); err != nil {
			return err
		}
		e.res.Exposed = append(e.res.Exposed, exposed[name]...)
	}
	return nil
}

// mergeDocs merges with the member's settlements: by short ID, then All for the rest.
// Settling one conflict can reveal another, so it merges until no new settlement applies.
// unused are the short IDs in Choose that no conflict had, sorted.
func (e *syncer) mergeDocs(base, ours, theirs *keystore.Document, now time.Time) (r merge.Result, unused []string, err error) {
	choices := merge.Choices{}
	used := map[string]bool{}
	e.res.Resolved = map[string]string{}
	for {
		r, err = merge.Merge(base, ours, theirs, now, choices)
		if err != nil {
			return r, nil, err
		}
		settled := false
		for _, c := range r.Conflicts {
			id := ShortID(c)
			side, ok := e.opts.Choose[id]
			if !ok && e.opts.All != 0 {
				side, ok = e.opts.All, true
			}
			if ok {
				if _, done := choices[c.ID]; done {
					continue
				}
				choices[c.ID] = side
				used[id] = true
				e.res.Resolved[id] = side.String()
				settled = true
			}
		}
		if !settled {
			for id := range e.opts.Choose {
				if !used[id] {
					unused = append(unused, id)
				}
			}
			sort.Strings(unused)
			return r, unused, nil
		}
	}
}

// name is this member's name in rs.
func (e *syncer) name(rs keystore.Recipients) string {
	for _, r := range rs {
		if r.Key == e.member.Recipient() {
			return r.Name
		}
	}
	return ""
}

// nameMergeEvents has the merge's own history events name the member who merged.
func nameMergeEvents(d *keystore.Document, at time.Time, member string) {
	for i := range d.History {
		if ev := &d.History[i]; ev.Action == "merge" && ev.At.Equal(at.UTC()) && ev.Member == "" {
			ev.Member = member
		}
	}
}

func countMergeEvents(d *keystore.Document, at time.Time) int {
	n := 0
	for _, ev := range d.History {
		if ev.Action == "merge" && ev.At.Equal(at.UTC()) {
			n++
		}
	}
	return n
}

func abbrev(rev string) string {
	if len(rev) > 10 {
		return rev[:10]
	}
	return rev
}

// mergeRecipients merges recipient lists as sets: an addition on either side is kept, a
// removal on either side too (a removal is never undone by the other side's silence).
func mergeRecipients(base, ours, theirs keystore.Recipients) keystore.Recipients {
	var out keystore.Recipients
	for _, r := range ours {
		if base.Has(r.Key) && !theirs.Has(r.Key) {
			continue // removed by theirs
		}
		out = append(out, r)
	}
	for _, r := range theirs {
		if !ours.Has(r.Key) && !base.Has(r.Key) {
			out = append(out, r) // added by theirs
		}
	}
	return out
}
