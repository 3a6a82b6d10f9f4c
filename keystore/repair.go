package keystore

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/m3keys/m3keys/internal/validate"
)

// ErrCaseConflict marks a document that holds one organization under two spellings of its
// ID that cannot be merged: the backup holds the same, so no hint may point at it.
var ErrCaseConflict = errors.New("one organization is stored under IDs that differ only in letter case")

// repair fixes, on load, what older versions of m3keys could write but this one never does,
// and records each fix in the history. It never drops a key: what it cannot fix safely it refuses.
func (d *Document) repair(now time.Time) error {
	for oi := range d.Organizations {
		d.separateMangledUsers(&d.Organizations[oi], now)
	}
	if err := d.mergeCaseDuplicates(now); err != nil {
		return err
	}
	for i := range d.History {
		d.History[i].OrgID = historyOrgID(d.History[i].OrgID)
	}
	return nil
}

// mergeCaseDuplicates stores every organization ID canonical. Before version 3, IDs were
// compared by exact case, so AAAA… beside aaaa… made a second organization for one m3ter
// organization: it is merged into the first when that breaks no rule.
func (d *Document) mergeCaseDuplicates(now time.Time) error {
	first := make(map[string]int, len(d.Organizations))
	spelt := make(map[string]bool, len(d.Organizations))
	kept := d.Organizations[:0]
	var events []Event
	for _, o := range d.Organizations {
		if spelt[o.ID] { // the same spelling twice is damage, not a difference of case
			return fmt.Errorf("%w: organization %s appears twice", ErrCorrupt, o.ID)
		}
		spelt[o.ID] = true
		c := CanonicalOrgID(o.ID)
		i, seen := first[c]
		if !seen {
			first[c] = len(kept)
			kept = append(kept, o)
			continue
		}
		into := &kept[i]
		if err := mergeOrg(into, o); err != nil {
			return fmt.Errorf("%w: %w: %s and %s: %v; nothing was changed", ErrCorrupt, ErrCaseConflict, into.ID, o.ID, err)
		}
		events = append(events, Event{At: now, Action: "org.merge", OrgID: c,
			Detail: fmt.Sprintf("%s and %s are one organization (their IDs differ only in letter case): merged", into.ID, o.ID)})
	}
	for i := range kept {
		kept[i].ID = CanonicalOrgID(kept[i].ID)
	}
	d.Organizations = kept
	for _, e := range events {
		d.History = appendEvent(d.History, e)
	}
	return nil
}

// mergeOrg moves o's service users and keys into into, unless the two disagree.
func mergeOrg(into *Organization, o Organization) error {
	if into.Name != "" && o.Name != "" && into.Name != o.Name {
		return fmt.Errorf("their names %q and %q differ", into.Name, o.Name)
	}
	u1, u2 := canonicalURL(into.APIURL), canonicalURL(o.APIURL)
	if u1 != "" && u2 != "" && u1 != u2 {
		return fmt.Errorf("their API URLs %s and %s differ", shownURL(u1), shownURL(u2))
	}
	users := make(map[string]int, len(into.ServiceUsers))
	for i, u := range into.ServiceUsers {
		users[u.Name] = i
	}
	merged := append([]ServiceUser(nil), into.ServiceUsers...)
	for _, u := range o.ServiceUsers {
		i, both := users[u.Name]
		if !both {
			users[u.Name] = len(merged)
			merged = append(merged, u)
			continue
		}
		if err := mergeUser(&merged[i], u); err != nil {
			return err
		}
	}
	into.Name = either(into.Name, o.Name)
	into.APIURL = either(u1, u2)
	into.ServiceUsers = merged
	return nil
}

// mergeUser joins two entries for one m3ter service user, within the two-key rule.
func mergeUser(into *ServiceUser, u ServiceUser) error {
	if n := len(into.Keys) + len(u.Keys); n > MaxKeysPerUser {
		return fmt.Errorf("service user %q would hold %d keys, and m3ter allows %d", u.Name, n, MaxKeysPerUser)
	}
	if into.ID != "" && u.ID != "" && into.ID != u.ID {
		return fmt.Errorf("service user %q has two m3ter IDs", u.Name)
	}
	if into.Rotation != nil && u.Rotation != nil && *into.Rotation != *u.Rotation {
		return fmt.Errorf("service user %q is in two rotations", u.Name)
	}
	into.Keys = append(append([]AccessKey(nil), into.Keys...), u.Keys...)
	into.ID = either(into.ID, u.ID)
	if into.Rotation == nil {
		into.Rotation = u.Rotation
	}
	return nil
}

// separateMangledUsers repairs what the invalid UTF-8 bug left: an older m3keys accepted names
// with invalid bytes, and JSON turned each into U+FFFD, so two service users could load under
// one name. They are two entries the store always kept apart, and may be two m3ter service
// users, so the later one is renamed "name (2)" — unless both carry the same m3ter ID
// (learned from users/me) and fit in two keys: then they are provably one user and are merged.
// Other duplicate names are damage and are refused by the checks that follow.
func (d *Document) separateMangledUsers(o *Organization, now time.Time) {
	names := make(map[string]int, len(o.ServiceUsers))
	for _, u := range o.ServiceUsers {
		names[u.Name]++
	}
	first := make(map[string]int, len(o.ServiceUsers))
	kept := o.ServiceUsers[:0]
	for _, u := range o.ServiceUsers {
		i, dup := first[u.Name]
		if !dup || !strings.ContainsRune(u.Name, utf8.RuneError) {
			first[u.Name] = len(kept)
			kept = append(kept, u)
			continue
		}
		const why = " (an older m3keys stored invalid text in names as \uFFFD)"
		if into := &kept[i]; into.ID != "" && into.ID == u.ID && mergeUser(into, u) == nil {
			d.History = appendEvent(d.History, Event{At: now, Action: "user.merge", OrgID: CanonicalOrgID(o.ID), ServiceUser: u.Name,
				Detail: "two entries with one name and one m3ter ID are one service user: merged" + why})
			continue
		}
		renamed := freeName(u.Name, names)
		names[renamed]++
		d.History = appendEvent(d.History, Event{At: now, Action: "user.rename", OrgID: CanonicalOrgID(o.ID), ServiceUser: renamed,
			Detail: fmt.Sprintf("renamed from %q, which another service user of this organization also had%s", u.Name, why)})
		u.Name = renamed
		first[u.Name] = len(kept)
		kept = append(kept, u)
	}
	o.ServiceUsers = kept
}

// freeName is "name (n)" for the smallest n ≥ 2 not taken, within the 100 characters a name may have.
func freeName(name string, taken map[string]int) string {
	for n := 2; ; n++ {
		suffix := fmt.Sprintf(" (%d)", n)
		base := name
		if over := utf8.RuneCountInString(base) + len(suffix) - 100; over > 0 {
			r := []rune(base)
			base = strings.TrimSpace(string(r[:len(r)-over]))
		}
		if taken[base+suffix] == 0 {
			return base + suffix
		}
	}
}

func either(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// canonicalURL is the stored spelling of an API URL, or the URL as it is when it does not validate.
func canonicalURL(u string) string {
	if c, err := validate.CanonicalAPIURL(u); err == nil {
		return c
	}
	return u
}

// shownURL keeps a URL that does not validate out of a message: it might hold a password.
func shownURL(u string) string {
	if validate.APIURL(u) != nil {
		return "(an invalid URL)"
	}
	return u
}
