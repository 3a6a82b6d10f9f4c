package team

import (
	"context"
	"errors"
	"fmt"
	"github.com/m3keys/m3keys/internal/sanitize"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// RecipientChange is a recipient list that differs from the one this member trusts: who was
// added and who removed, and by which commit and author.
type RecipientChange struct {
	Next    keystore.Recipients // the list a save would encrypt to once trusted
	Added   []Changed
	Removed []Changed
}

// Changed is one member added or removed, with the commit that did it.
type Changed struct {
	keystore.Recipient
	Commit, Author, Date string // empty when no commit did it (a change not committed yet)
}

// Pending is the recipient change this member has not trusted, nil when there is none: the
// work tree's list merged with the remote's last fetched one, as the next sync will make it.
func Pending(dir string) (*RecipientChange, error) {
	r, err := openRepo(context.Background(), dir, false)
	if err != nil {
		return nil, err
	}
	next, err := keystore.ReadRecipients(dir)
	if err != nil {
		return nil, err
	}
	up := ""
	if has, _ := r.has(upstream); has {
		if err := r.inspect(head, upstream); err != nil {
			return nil, err // a list from a commit sync refuses is never offered for trust
		}
		up = upstream
		if next, err = withRemote(r, next, up); err != nil {
			return nil, err
		}
	}
	return pendingFor(r, next, up)
}

// ErrRemoved: the recipient list a sync brought leaves this member out.
var ErrRemoved = errors.New("you were removed from the team")

// RemovedError says who removed this member, in which commit: there is nothing for them to
// trust, and the store is no longer encrypted to them.
type RemovedError struct{ Changed }

func (e *RemovedError) Error() string {
	by := "in a change not committed yet"
	if e.Commit != "" {
		by = fmt.Sprintf("by %s in commit %s (%s)", e.Author, e.Commit, e.Date)
	}
	return fmt.Sprintf("%s %s: new versions of the store are not encrypted to you", ErrRemoved, by)
}

// AddLine is the command line a member runs to add this member again.
func (e *RemovedError) AddLine() string { return addLine(e.Name, e.Key) }

func (e *RemovedError) Unwrap() error { return ErrRemoved }

// removed is the RemovedError when c takes this member (dir's author) off the list, else nil.
func (c *RecipientChange) removed(dir string) error {
	if c == nil {
		return nil
	}
	me := Author(dir)
	for _, ch := range c.Removed {
		if me != "" && ch.Name == me {
			return &RemovedError{Changed: ch}
		}
	}
	return nil
}

// Trust records c's list as this member's trusted one; it refuses a list that leaves this
// member out, which is not theirs to confirm.
func Trust(dir string, c *RecipientChange) error {
	if err := c.removed(dir); err != nil {
		return err
	}
	return keystore.Trust(dir, c.Next)
}

// withRemote merges the local list with the one at rev, from their merge base.
func withRemote(r repo, local keystore.Recipients, rev string) (keystore.Recipients, error) {
	theirs, err := recipientsAt(r, rev)
	if err != nil {
		return nil, err
	}
	var base keystore.Recipients
	if b, err := r.run("merge-base", head, rev); err == nil {
		if base, err = recipientsAt(r, b); err != nil {
			return nil, err
		}
	}
	return mergeRecipients(base, local, theirs), nil
}

func recipientsAt(r repo, rev string) (keystore.Recipients, error) {
	data, ok, err := r.file(rev, keystore.RecipientsFile)
	if err != nil || !ok {
		return nil, err
	}
	return keystore.ParseRecipients(data)
}

// pending is the change the list at HEAD merged with rev's would be.
func pending(r repo, rev string) (*RecipientChange, error) {
	ours, err := recipientsAt(r, head)
	if err != nil {
		return nil, err
	}
	next, err := withRemote(r, ours, rev)
	if err != nil {
		return nil, err
	}
	return pendingFor(r, next, rev)
}

// pendingFor compares next with the trusted list, naming the commits (on HEAD or rev) that
// added or removed each member.
func pendingFor(r repo, next keystore.Recipients, rev string) (*RecipientChange, error) {
	trusted, _, err := keystore.ReadTrusted(r.dir)
	if err != nil {
		return nil, err
	}
	if trusted.SameSet(next) {
		return nil, nil
	}
	added, removed := trusted.Diff(next)
	c := &RecipientChange{Next: next}
	for _, rc := range added {
		c.Added = append(c.Added, r.changedBy(rc, rev))
	}
	for _, rc := range removed {
		c.Removed = append(c.Removed, r.changedBy(rc, rev))
	}
	return c, nil
}

// changedBy finds the newest commit that added or removed rc's key in recipients.txt.
func (r repo) changedBy(rc keystore.Recipient, rev string) Changed {
	args := []string{"log", "-1", "--format=%h%x09%an%x09%ad", "--date=short", "-S" + rc.Key, head}
	if rev != "" {
		args = append(args, rev)
	}
	out, err := r.run(append(args, "--", keystore.RecipientsFile)...)
	ch := Changed{Recipient: rc}
	if f := strings.Split(out, "\t"); err == nil && len(f) == 3 {
		ch.Commit, ch.Author, ch.Date = f[0], sanitize.Text(f[1], 100), f[2]
	}
	return ch
}
