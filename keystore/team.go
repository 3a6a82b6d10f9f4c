package keystore

import (
	"fmt"
	"path/filepath"
	"strings"
)

// WithAfterSave has a team store call fn after every save that changed keystore.age (or
// recipients.txt), under the store's lock, with a one-line summary of the change built from
// its history events: never a secret. A team store's sync engine commits there, so every
// change is a local commit. fn's error is reported after the save, which stays done.
func WithAfterSave(fn func(summary string) error) Option {
	return func(o *options) { o.afterSave = fn }
}

// afterSave runs the WithSaved hook, and the WithAfterSave hook for a change from prev to
// next in a team store.
func (s *Store) afterSave(prev, next *Document) error {
	if s.opts.saved != nil {
		s.opts.saved(next.Clone()) // a copy: the next save compares with next, so nothing may change it
	}
	if s.opts.afterSave == nil || !IsTeam(s.dir) {
		return nil
	}
	if err := s.opts.afterSave(Summary(newEvents(prev.History, next.History))); err != nil {
		return fmt.Errorf("the change is saved, but %w: %w", ErrNotCommitted, err)
	}
	return nil
}

// newEvents is the suffix of next that prev does not hold.
func newEvents(prev, next []Event) []Event {
	return next[len(prev)-keptFrom(prev, next, sameEvent):]
}

func sameEvent(a, b *Event) bool {
	return a.At.Equal(b.At) && a.Action == b.Action && a.OrgID == b.OrgID && a.ServiceUser == b.ServiceUser &&
		a.AccessKeyID == b.AccessKeyID && a.Detail == b.Detail && a.Member == b.Member
}

// maxSummaryEvents bounds a commit message's subject; an import of 1,000 rows says how many more.
const maxSummaryEvents = 3

// Summary says what events did, in one line, for a commit message: the action and where,
// never a detail (free text) and never a secret.
func Summary(events []Event) string {
	if len(events) == 0 {
		return "m3keys: save"
	}
	parts := make([]string, 0, maxSummaryEvents+1)
	for i, e := range events {
		if i == maxSummaryEvents {
			parts = append(parts, fmt.Sprintf("and %d more", len(events)-i))
			break
		}
		where := []string{e.Action}
		for _, f := range []string{e.AccessKeyID, quoted(e.ServiceUser), short(e.OrgID)} {
			if f != "" {
				where = append(where, f)
			}
		}
		if strings.HasPrefix(e.Action, "member.") {
			where = append(where, e.Detail) // a member's name
		}
		parts = append(parts, strings.Join(where, " "))
	}
	return strings.Join(parts, "; ")
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

// short is an organization ID's first block, enough to tell organizations apart in a log.
func short(orgID string) string {
	if i := strings.IndexByte(orgID, '-'); i > 0 {
		return "org " + orgID[:i]
	}
	return orgID
}

// notMember explains a team store that does not open with this identity.
func (s *Store) notMember() error {
	self := s.identity.recipient.String()
	rs, err := readRecipients(s.dir, s.own)
	if err == nil && !rs.Has(self) {
		return &UnlistedError{Recipient: self}
	}
	return ErrWrittenBeforeAdded
}

// Reload re-reads keystore.age after a sync changed it, so Document shows the merged version.
func (s *Store) Reload() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	unlock, err := s.lockFresh()
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// SetRecipients makes the store a team store encrypted to rs from now on: it applies change
// (nil for none; a removal flags keys exposed, say), re-encrypts keystore.age to rs, writes
// recipients.txt and records rs as trusted, since this member chose it. rs must name this
// member. A pending recipient change from a sync must be trusted first.
func (s *Store) SetRecipients(rs Recipients, change func(*Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if !rs.Has(s.identity.recipient.String()) {
		return ErrLeftOut
	}
	recipients, err := rs.ageRecipients()
	if err != nil {
		return err
	}
	unlock, err := s.lockFresh()
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.recipients(); err != nil { // a pending change from a sync is trusted first
		return err
	}
	prev := s.current()
	next := prev.Clone()
	if change != nil {
		if err := change(s.edit(next)); err != nil {
			return err
		}
	}
	plain, err := s.encode(next)
	if err != nil {
		return err
	}
	if err := s.writeTo(plain, recipients); err != nil {
		return err
	}
	s.commit(next)
	if err := writeFile(filepath.Join(s.dir, RecipientsFile), rs.Marshal(), s.own); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(s.dir, TrustFile), rs.Marshal(), s.own); err != nil {
		return err
	}
	return s.afterSave(prev, next)
}
