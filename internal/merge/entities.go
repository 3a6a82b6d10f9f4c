package merge

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/m3keys/m3keys/keystore"
)

// merger collects what one merge could not decide and the decisions history must show.
type merger struct {
	now       time.Time
	choices   Choices
	conflicts []Conflict
	events    []keystore.Event
}

// where locates an entry: an organization, a service user in it, a key of that user.
type where struct{ org, user, key string }

func (w where) conflict(field, ours, theirs string) Conflict {
	return Conflict{
		ID:    fmt.Sprintf("%q %q %q %s", w.org, w.user, w.key, field),
		OrgID: w.org, User: w.user, AccessKeyID: w.key, Field: field, Ours: ours, Theirs: theirs,
	}
}

// decide returns the side chosen for c, recording c as unsettled (and ours as the
// provisional answer) when no choice was made.
func (m *merger) decide(c Conflict) (Side, bool) {
	if side, ok := m.choices[c.ID]; ok && (side == Ours || side == Theirs) {
		return side, true
	}
	m.conflicts = append(m.conflicts, c)
	return Ours, false
}

// maxDetail is keystore's bound on a history detail.
const maxDetail = 1000

func (m *merger) record(w where, detail string) {
	if len(detail) > maxDetail {
		detail = strings.ToValidUTF8(detail[:maxDetail-len("…")], "") + "…"
	}
	m.events = append(m.events, keystore.Event{At: m.now, Action: "merge", OrgID: w.org, ServiceUser: w.user, AccessKeyID: w.key, Detail: detail})
}

// trio is one entry as base, ours and theirs hold it; nil where it is missing.
type trio[T any] struct{ b, o, t *T }

// align pairs entries by identity: ours' order, then what only theirs has, then what only base had.
func align[T any, K comparable](base, ours, theirs []T, id func(*T) K) []trio[T] {
	at := make(map[K]int, len(ours)+2)
	var out []trio[T]
	put := func(list []T, set func(*trio[T], *T)) {
		for i := range list {
			k := id(&list[i])
			j, ok := at[k]
			if !ok {
				j = len(out)
				at[k] = j
				out = append(out, trio[T]{})
			}
			set(&out[j], &list[i])
		}
	}
	put(ours, func(e *trio[T], p *T) { e.o = p })
	put(theirs, func(e *trio[T], p *T) { e.t = p })
	put(base, func(e *trio[T], p *T) { e.b = p })
	return out
}

// present decides whether an entry is in the merge and, when both sides hold it, merges it.
// Added on one side: kept. Removed on one side: removed if the other left it unchanged,
// else a conflict.
func present[T any](m *merger, w where, what string, e trio[T], merge func(b, o, t *T) T) (T, bool) {
	var none T
	switch {
	case e.o == nil && e.t == nil: // removed on both sides, or never there
		return none, false
	case e.o != nil && e.t != nil:
		return merge(e.b, e.o, e.t), true
	case e.b == nil: // added on one side
		if e.o != nil {
			return *e.o, true
		}
		return *e.t, true
	}
	kept, removedBy := e.o, Theirs
	if kept == nil {
		kept, removedBy = e.t, Ours
	}
	if equal(*e.b, *kept) {
		m.record(w, what+" removed on one side and unchanged on the other: removed")
		return none, false
	}
	change := "changed (" + strings.Join(changedFields(e.b, kept), ", ") + ")"
	c := w.conflict(FieldRemoved, FieldRemoved, change)
	if removedBy == Theirs {
		c.Ours, c.Theirs = change, FieldRemoved
	}
	side, settled := m.decide(c)
	if side == removedBy {
		if settled {
			detail := what + " removed on one side and " + change + " on the other: the removal was chosen"
			if ids := keyIDs(kept); len(ids) > 0 && what != "access key" {
				detail += "; access keys removed with it: " + strings.Join(ids, ", ")
			}
			m.record(w, detail)
		}
		return none, false
	}
	if settled {
		m.record(w, what+" removed on one side and "+change+" on the other: the changed version was chosen and kept")
	}
	return *kept, true
}

func (m *merger) orgs(b, o, t []keystore.Organization) []keystore.Organization {
	out := mergeEach(m, "organization", b, o, t,
		func(x *keystore.Organization) where { return where{org: keystore.CanonicalOrgID(x.ID)} }, m.org)
	for i := range out {
		out[i].ID = keystore.CanonicalOrgID(out[i].ID)
	}
	return out
}

func (m *merger) org(w where, b, o, t *keystore.Organization) keystore.Organization {
	out := *o
	m.fields(w, b, o, t, &out, "ID", "ServiceUsers")
	out.ServiceUsers = mergeEach(m, "service user", orEmpty(b).ServiceUsers, o.ServiceUsers, t.ServiceUsers,
		func(x *keystore.ServiceUser) where { return where{org: w.org, user: x.Name} }, m.user)
	return out
}

func (m *merger) user(w where, b, o, t *keystore.ServiceUser) keystore.ServiceUser {
	out := *o
	m.fields(w, b, o, t, &out, "Name", "Keys")
	out.Keys = mergeEach(m, "access key", orEmpty(b).Keys, o.Keys, t.Keys,
		func(x *keystore.AccessKey) where { return where{org: w.org, user: w.user, key: x.AccessKeyID} }, m.key)
	return out
}

// mergeEach merges one level of the tree (organizations, a user's keys…): entries are
// aligned by where they are, present decides each that either side still holds, and
// merge merges one that both sides hold.
func mergeEach[T any](m *merger, what string, b, o, t []T, at func(*T) where, merge func(w where, b, o, t *T) T) []T {
	var out []T
	for _, e := range align(b, o, t, at) {
		held := e.o
		if held == nil {
			held = e.t
		}
		if held == nil {
			continue
		}
		w := at(held)
		if v, ok := present(m, w, what, e, func(b, o, t *T) T { return merge(w, b, o, t) }); ok {
			out = append(out, v)
		}
	}
	return out
}

// orEmpty is p, or an empty entry where base did not hold one.
func orEmpty[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// key merges one access key held by both sides. Fields with a rule of their own are skipped
// by the general field merge.
func (m *merger) key(w where, b, o, t *keystore.AccessKey) keystore.AccessKey {
	out := *o
	m.fields(w, b, o, t, &out, "AccessKeyID", "Status", "InactivatedAt", "SecretCopiedAt", "LastCheck", "HandOuts", "HandedOutTwice")
	m.status(w, b, o, t, &out)
	// Once is once, team-wide: the secret was handed out at the first of the two.
	out.SecretCopiedAt = earlier(o.SecretCopiedAt, t.SecretCopiedAt)
	m.handOuts(w, o, t, &out)
	out.LastCheck = newer(o.LastCheck, t.LastCheck)
	return out
}

// status: a change on one side wins, inactivatedAt following it; when there is no base to
// tell which side changed (both added the key), INACTIVE beats ACTIVE.
func (m *merger) status(w where, b, o, t *keystore.AccessKey, out *keystore.AccessKey) {
	switch {
	case o.Status == t.Status:
		if o.Status == keystore.Inactive {
			out.InactivatedAt = inactivatedAt(b, o, t)
		}
	case b != nil && o.Status == b.Status:
		out.Status, out.InactivatedAt = t.Status, t.InactivatedAt
	case b != nil && t.Status == b.Status:
	case o.Status == keystore.Inactive || t.Status == keystore.Inactive:
		win := o
		if t.Status == keystore.Inactive {
			win = t
		}
		out.Status, out.InactivatedAt = win.Status, win.InactivatedAt
		m.record(w, "status: INACTIVE on one side beats ACTIVE on the other")
	default: // statuses no m3keys writes: the general rule
		m.fieldsNamed(w, b, o, t, out, "Status", "InactivatedAt")
	}
}

// inactivatedAt of a key INACTIVE on both sides: a change on one side wins (made ACTIVE and
// INACTIVE again there), else the earlier.
func inactivatedAt(b, o, t *keystore.AccessKey) time.Time {
	switch {
	case b != nil && o.InactivatedAt.Equal(b.InactivatedAt):
		return t.InactivatedAt
	case b != nil && t.InactivatedAt.Equal(b.InactivatedAt):
		return o.InactivatedAt
	}
	return earlier(o.InactivatedAt, t.InactivatedAt)
}

// handOuts keeps every hand-out of both sides. Two different ones mean two members each
// handed the secret out before seeing the other's: the key is flagged, and history says who.
func (m *merger) handOuts(w where, o, t *keystore.AccessKey, out *keystore.AccessKey) {
	out.HandOuts = slices.Clone(o.HandOuts)
	for _, h := range t.HandOuts {
		if !slices.ContainsFunc(out.HandOuts, func(x keystore.HandOut) bool { return x.Member == h.Member && x.At.Equal(h.At) }) {
			out.HandOuts = append(out.HandOuts, h)
		}
	}
	slices.SortStableFunc(out.HandOuts, func(a, b keystore.HandOut) int { return a.At.Compare(b.At) })
	out.HandedOutTwice = o.HandedOutTwice || t.HandedOutTwice
	// Two members at the same instant are two hand-outs too: the list tells them apart.
	twice := !o.SecretCopiedAt.IsZero() && !t.SecretCopiedAt.IsZero() &&
		(!o.SecretCopiedAt.Equal(t.SecretCopiedAt) || len(out.HandOuts) > max(len(o.HandOuts), len(t.HandOuts)))
	if !twice || out.HandedOutTwice {
		return
	}
	out.HandedOutTwice = true
	var who []string
	for _, h := range out.HandOuts {
		s := h.At.UTC().Format("2006-01-02 15:04 UTC")
		if h.Member != "" {
			s = h.Member + " " + s
		}
		if h.Unconfirmed {
			s += " (offline)"
		}
		who = append(who, s)
	}
	if len(who) == 0 {
		who = []string{o.SecretCopiedAt.UTC().Format("2006-01-02 15:04 UTC"), t.SecretCopiedAt.UTC().Format("2006-01-02 15:04 UTC")}
	}
	m.record(w, "handed out twice — rotate: "+strings.Join(who, ", "))
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// newer is the later check; at the same time a full check outranks a token-only one.
func newer(o, t *keystore.Check) *keystore.Check {
	switch {
	case o == nil:
		return t
	case t == nil:
		return o
	case t.At.After(o.At), t.At.Equal(o.At) && t.Verified && !o.Verified:
		return t
	}
	return o
}

// oneLocationPerKey settles an Access Key ID that the two sides keep under different
// service users (one moved it, or both added it in different places).
func (m *merger) oneLocationPerKey(doc, ours *keystore.Document) {
	type place struct{ org, user int }
	at := map[string][]place{}
	var twice []string
	for oi, o := range doc.Organizations {
		for ui, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				at[k.AccessKeyID] = append(at[k.AccessKeyID], place{oi, ui})
				if len(at[k.AccessKeyID]) == 2 {
					twice = append(twice, k.AccessKeyID)
				}
			}
		}
	}
	name := func(p place) string {
		return doc.Organizations[p.org].ID + " " + fmt.Sprintf("%q", doc.Organizations[p.org].ServiceUsers[p.user].Name)
	}
	for _, id := range twice {
		ps := at[id]
		if ref, ok := ours.Key(id); ok && name(ps[1]) == keystore.CanonicalOrgID(ref.Org.ID)+" "+fmt.Sprintf("%q", ref.User.Name) {
			ps[0], ps[1] = ps[1], ps[0]
		}
		c := where{key: id}.conflict(FieldLocation, name(ps[0]), name(ps[1]))
		side, settled := m.decide(c)
		drop, kept := ps[1], ps[0]
		if side == Theirs {
			drop, kept = ps[0], ps[1]
		}
		if settled {
			m.record(where{org: doc.Organizations[kept.org].ID, user: doc.Organizations[kept.org].ServiceUsers[kept.user].Name, key: id},
				"stored under two service users by the two sides: kept under this one, not "+name(drop))
		}
		u := &doc.Organizations[drop.org].ServiceUsers[drop.user]
		keys := make([]keystore.AccessKey, 0, len(u.Keys))
		for _, k := range u.Keys {
			if k.AccessKeyID != id {
				keys = append(keys, k)
			}
		}
		u.Keys = keys
	}
}

// overLimit lists, and records in history, every service user left with more keys than m3ter allows.
func (m *merger) overLimit(doc *keystore.Document) []OverLimit {
	var over []OverLimit
	for _, o := range doc.Organizations {
		for ui := range o.ServiceUsers {
			u := &o.ServiceUsers[ui]
			if !u.OverLimit() {
				continue
			}
			u.OverLimitAfterMerge = true // the keystore loads it so, and allows only inactivate and remove
			ol := overLimitOf(o.ID, u)
			ids := ol.Keys
			over = append(over, ol)
			m.record(where{org: o.ID, user: u.Name}, fmt.Sprintf("over the limit after merge: holds %d keys (%s), m3ter allows %d — every key was kept; inactivate and remove keys until %d remain",
				len(ids), strings.Join(ids, ", "), keystore.MaxKeysPerUser, keystore.MaxKeysPerUser))
		}
	}
	return over
}

// keyIDs lists the Access Key IDs inside an organization, service user or key.
func keyIDs(v any) []string {
	var ids []string
	switch x := v.(type) {
	case *keystore.Organization:
		for i := range x.ServiceUsers {
			ids = append(ids, keyIDs(&x.ServiceUsers[i])...)
		}
	case *keystore.ServiceUser:
		for _, k := range x.Keys {
			ids = append(ids, k.AccessKeyID)
		}
	case *keystore.AccessKey:
		ids = append(ids, x.AccessKeyID)
	}
	return ids
}

// clip shortens a shown value to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func overLimitOf(orgID string, u *keystore.ServiceUser) OverLimit {
	ids := make([]string, len(u.Keys))
	for i, k := range u.Keys {
		ids[i] = k.AccessKeyID
	}
	return OverLimit{OrgID: orgID, User: u.Name, Keys: ids}
}

// OverLimitIn lists the service users a merge left over the limit, as doc still flags them:
// what every member is told after a sync that brought such a document, not only the one who merged.
func OverLimitIn(doc *keystore.Document) []OverLimit {
	var over []OverLimit
	for _, o := range doc.Organizations {
		for ui := range o.ServiceUsers {
			if u := &o.ServiceUsers[ui]; u.OverLimitAfterMerge {
				over = append(over, overLimitOf(o.ID, u))
			}
		}
	}
	return over
}
