package keystore

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// appendDocument writes d as json.Marshal writes its wireDocument (same fields, order,
// omitempty/omitzero rules and escaping), without reflection: a save at 10,000 keys spent
// most of its time in encoding/json. TestEncoderMatchesJSON holds the two byte for byte.
// With prev (the encoding of an earlier document, or nil) it copies the bytes of every
// organization, history event and secrets section that has not changed since.
func appendDocument(b []byte, d *Document, prev *encoded) (*encoded, error) {
	if prev == nil {
		prev = &encoded{doc: &Document{}}
	}
	e := &encoded{doc: d, orgs: make([]span, len(d.Organizations)), events: make([]span, len(d.History))}
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, CurrentVersion, 10)
	b = append(b, `,"organizations":`...)
	var err error
	// The secrets section is reused when there is one (a previous encoding) and every organization
	// holds the same key IDs and secrets in the same order.
	hadSecrets := prev.secrets.end > 0
	secretsSame := hadSecrets && len(d.Organizations) == len(prev.doc.Organizations)
	if d.Organizations == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range d.Organizations {
			if i > 0 {
				b = append(b, ',')
			}
			o, start := &d.Organizations[i], len(b)
			if i < len(prev.orgs) && sameOrg(o, &prev.doc.Organizations[i]) {
				b = append(b, prev.bytes(prev.orgs[i])...)
			} else {
				if b, err = appendOrg(b, o); err != nil {
					return nil, err
				}
				secretsSame = secretsSame && i < len(prev.doc.Organizations) && sameSecrets(o, &prev.doc.Organizations[i])
			}
			e.orgs[i] = span{start, len(b)}
		}
		b = append(b, ']')
	}
	b = append(b, `,"history":`...)
	if d.History == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		// d's history begins with prev's events from index drop on (the cap drops the oldest):
		// their bytes are copied, and only the events after them are encoded.
		drop := keptFrom(prev.doc.History, d.History, func(x, y *Event) bool { return *x == *y })
		kept := len(prev.doc.History) - drop
		if kept > 0 {
			from := prev.events[drop].start
			shift := len(b) - from
			b = append(b, prev.plain[from:prev.events[len(prev.events)-1].end]...)
			for i, s := range prev.events[drop:] {
				e.events[i] = span{s.start + shift, s.end + shift}
			}
		}
		for i := kept; i < len(d.History); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			start := len(b)
			if b, err = appendEventJSON(b, &d.History[i]); err != nil {
				return nil, err
			}
			e.events[i] = span{start, len(b)}
		}
		b = append(b, ']')
	}
	b = append(b, `,"secrets":{`...)
	start := len(b)
	if secretsSame {
		b = append(b, prev.bytes(prev.secrets)...)
	} else {
		b = appendSecrets(b, d)
	}
	e.secrets = span{start, len(b)}
	e.plain = append(b, "}}"...)
	return e, nil
}

// encoded is a document's JSON and where its parts lie in it, for the next save to reuse.
// doc must not change in place afterwards (a store's documents never do once encoded).
type encoded struct {
	doc     *Document
	plain   []byte
	orgs    []span // per organization
	events  []span // per history event
	secrets span   // the secrets object's entries
}

type span struct{ start, end int }

func (e *encoded) bytes(s span) []byte { return e.plain[s.start:s.end] }

// sameOrg reports whether a and b encode alike. TestEncodeReusingSeesEveryField fails when a
// field is added to the model and not here.
func sameOrg(a, b *Organization) bool {
	return a.ID == b.ID && a.Name == b.Name && a.APIURL == b.APIURL && sameEach(a.ServiceUsers, b.ServiceUsers, sameUser)
}

func sameUser(a, b *ServiceUser) bool {
	return a.Name == b.Name && a.ID == b.ID && a.OverLimitAfterMerge == b.OverLimitAfterMerge &&
		sameValue(a.Rotation, b.Rotation) && sameEach(a.Keys, b.Keys, sameKey)
}

// sameKey compares times with ==, not Equal: one instant in two locations encodes differently.
func sameKey(a, b *AccessKey) bool {
	return a.AccessKeyID == b.AccessKeyID && a.Secret == b.Secret && a.Status == b.Status &&
		a.CreatedAt == b.CreatedAt && a.InactivatedAt == b.InactivatedAt && a.SecretCopiedAt == b.SecretCopiedAt &&
		a.DeployedTo == b.DeployedTo && a.Exposed == b.Exposed && a.ExposedAt == b.ExposedAt &&
		sameValue(a.LastCheck, b.LastCheck) && slices.Equal(a.HandOuts, b.HandOuts) && a.HandedOutTwice == b.HandedOutTwice
}

// sameEach is slices.EqualFunc on pointers, so that no element is copied to be compared;
// null and [] differ, as they encode differently.
func sameEach[T any](a, b []T, same func(x, y *T) bool) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if !same(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

// sameValue compares what a and b point to, never the pointers alone.
func sameValue[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// sameSecrets reports whether a and b hold the same access key IDs with the same secrets,
// in the same order, so that their part of the secrets section is alike.
func sameSecrets(a, b *Organization) bool {
	return slices.Equal(appendOrgSecrets(nil, a), appendOrgSecrets(nil, b))
}

func appendOrgSecrets(all []wireSecret, o *Organization) []wireSecret {
	for _, u := range o.ServiceUsers {
		for _, k := range u.Keys {
			all = append(all, wireSecret{k.AccessKeyID, k.Secret.Reveal()})
		}
	}
	return all
}

type wireSecret struct{ id, secret string }

// appendSecrets writes the secrets map's entries sorted by access key ID, as encoding/json
// sorts a map's keys; of two keys with one ID (never in a loaded document) the later wins, as
// it did in the map.
func appendSecrets(b []byte, d *Document) []byte {
	n := 0
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			n += len(u.Keys)
		}
	}
	all := make([]wireSecret, 0, n)
	for i := range d.Organizations {
		all = appendOrgSecrets(all, &d.Organizations[i])
	}
	byID := func(x, y wireSecret) int { return cmp.Compare(x.id, y.id) }
	if !slices.IsSortedFunc(all, byID) {
		slices.SortStableFunc(all, byID)
	}
	first := true
	for i, s := range all {
		if i+1 < len(all) && all[i+1].id == s.id {
			continue // a later entry with the same ID replaced this one in the map
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, s.id)
		b = append(b, ':')
		b = appendString(b, s.secret)
	}
	return b
}

func appendOrg(b []byte, o *Organization) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = appendString(b, o.ID)
	if o.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, o.Name)
	}
	b = append(b, `,"apiUrl":`...)
	b = appendString(b, o.APIURL)
	b = append(b, `,"serviceUsers":`...)
	if o.ServiceUsers == nil {
		b = append(b, "null"...)
		return append(b, '}'), nil
	}
	b = append(b, '[')
	var err error
	for i := range o.ServiceUsers {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendUser(b, &o.ServiceUsers[i]); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func appendUser(b []byte, u *ServiceUser) ([]byte, error) {
	b = append(b, `{"name":`...)
	b = appendString(b, u.Name)
	if u.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, u.ID)
	}
	b = append(b, `,"keys":`...)
	var err error
	if u.Keys == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range u.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendKey(b, &u.Keys[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	if r := u.Rotation; r != nil {
		b = append(b, `,"rotation":{"step":`...)
		b = strconv.AppendInt(b, int64(r.Step), 10)
		if r.FreeKeyID != "" {
			b = append(b, `,"freeKeyId":`...)
			b = appendString(b, r.FreeKeyID)
		}
		if r.OldKeyID != "" {
			b = append(b, `,"oldKeyId":`...)
			b = appendString(b, r.OldKeyID)
		}
		if r.NewKeyID != "" {
			b = append(b, `,"newKeyId":`...)
			b = appendString(b, r.NewKeyID)
		}
		if b, err = appendTimeField(b, `,"startedAt":`, r.StartedAt, false); err != nil {
			return nil, err
		}
		if r.FreeDeployedConfirmed {
			b = append(b, `,"freeDeployedConfirmed":true`...)
		}
		if r.FreedDeployedTo != "" {
			b = append(b, `,"freedDeployedTo":`...)
			b = appendString(b, r.FreedDeployedTo)
		}
		for _, f := range [...]struct {
			name string
			t    time.Time
		}{
			{`,"freedAt":`, r.FreedAt}, {`,"addedAt":`, r.AddedAt}, {`,"provedAt":`, r.ProvedAt},
			{`,"deployedAt":`, r.DeployedAt}, {`,"retiredAt":`, r.RetiredAt}, {`,"removedAt":`, r.RemovedAt},
		} {
			if b, err = appendTimeField(b, f.name, f.t, true); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	if u.OverLimitAfterMerge {
		b = append(b, `,"overLimitAfterMerge":true`...)
	}
	return append(b, '}'), nil
}

func appendKey(b []byte, k *AccessKey) ([]byte, error) {
	b = append(b, `{"accessKeyId":`...)
	b = appendString(b, k.AccessKeyID)
	b = append(b, `,"status":`...)
	b = appendString(b, string(k.Status))
	var err error
	if b, err = appendTimeField(b, `,"createdAt":`, k.CreatedAt, false); err != nil {
		return nil, err
	}
	if b, err = appendTimeField(b, `,"inactivatedAt":`, k.InactivatedAt, true); err != nil {
		return nil, err
	}
	if b, err = appendTimeField(b, `,"secretCopiedAt":`, k.SecretCopiedAt, true); err != nil {
		return nil, err
	}
	if k.DeployedTo != "" {
		b = append(b, `,"deployedTo":`...)
		b = appendString(b, k.DeployedTo)
	}
	if k.Exposed {
		b = append(b, `,"exposed":true`...)
	}
	if b, err = appendTimeField(b, `,"exposedAt":`, k.ExposedAt, true); err != nil {
		return nil, err
	}
	if c := k.LastCheck; c != nil {
		if b, err = appendTimeField(b, `,"lastCheck":{"at":`, c.At, false); err != nil {
			return nil, err
		}
		b = append(b, `,"result":`...)
		b = appendString(b, string(c.Result))
		b = append(b, `,"verified":`...)
		b = strconv.AppendBool(b, c.Verified)
		b = append(b, `,"httpStatus":`...)
		b = strconv.AppendInt(b, int64(c.HTTPStatus), 10)
		b = append(b, `,"latencyMs":`...)
		b = strconv.AppendInt(b, c.LatencyMs, 10)
		b = append(b, `,"message":`...)
		b = appendString(b, c.Message)
		if c.WhileInactive {
			b = append(b, `,"whileInactive":true`...)
		}
		if c.WrongServiceUser != "" {
			b = append(b, `,"wrongServiceUser":`...)
			b = appendString(b, c.WrongServiceUser)
		}
		b = append(b, '}')
	}
	if len(k.HandOuts) > 0 {
		b = append(b, `,"handOuts":[`...)
		for i, h := range k.HandOuts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			sep := ""
			if h.Member != "" {
				b = append(b, `"member":`...)
				b = appendString(b, h.Member)
				sep = ","
			}
			if b, err = appendTimeField(b, sep+`"at":`, h.At, false); err != nil {
				return nil, err
			}
			if h.Unconfirmed {
				b = append(b, `,"unconfirmed":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if k.HandedOutTwice {
		b = append(b, `,"handedOutTwice":true`...)
	}
	return append(b, '}'), nil
}

func appendEventJSON(b []byte, e *Event) ([]byte, error) {
	b, err := appendTimeField(b, `{"at":`, e.At, false)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"action":`...)
	b = appendString(b, e.Action)
	for _, f := range [...]struct{ name, v string }{
		{`,"orgId":`, e.OrgID}, {`,"serviceUser":`, e.ServiceUser}, {`,"accessKeyId":`, e.AccessKeyID},
		{`,"detail":`, e.Detail}, {`,"member":`, e.Member},
	} {
		if f.v != "" {
			b = append(b, f.name...)
			b = appendString(b, f.v)
		}
	}
	return append(b, '}'), nil
}

// appendTimeField writes name and t as time.Time.MarshalJSON does (and fails where it
// fails: a year outside 0–9999); omitZero is the field's omitzero.
func appendTimeField(b []byte, name string, t time.Time, omitZero bool) ([]byte, error) {
	if omitZero && t.IsZero() {
		return b, nil
	}
	b = append(b, name...)
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		_, err = t.MarshalJSON() // its own words, as encoding/json reports them
		return nil, &json.MarshalerError{Type: reflect.TypeFor[time.Time](), Err: err}
	}
	return append(b, '"'), nil
}

// appendString writes s as encoding/json does (HTML-safe escaping): printable ASCII that
// needs no escape is copied, anything else goes through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
