package keystore

import (
	"encoding/json"
	"strconv"
	"time"
)

// fastDecode parses a current-version document as the encoder writes it, without reflection:
// decoding 10,000 keys spent nine tenths of its time in encoding/json. It accepts only the
// plain form — known field names in their exact case, each once, no null but for the lists
// the encoder writes as null, integers as integers — and gives up (ok false) on anything else,
// which json.Unmarshal then reads, refuses or describes as before. What it accepts it reads
// exactly as json.Unmarshal does (FuzzDecodeDocument compares the two).
func fastDecode(data []byte) (w *wireDocument, ok bool) {
	p := &docParser{data: data}
	w = &wireDocument{}
	if !p.document(w) || w.Version != CurrentVersion {
		return nil, false
	}
	p.ws()
	return w, p.i == len(p.data)
}

type docParser struct {
	data []byte
	i    int
}

func (p *docParser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c.
func (p *docParser) next(c byte) bool {
	p.ws()
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *docParser) literal(s string) bool {
	p.ws()
	if len(p.data)-p.i >= len(s) && string(p.data[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// rawString is the string token at p, quotes included, and whether it is plain (printable
// ASCII with no escape, so its text is what lies between the quotes).
func (p *docParser) rawString() (tok []byte, plain, ok bool) {
	p.ws()
	if p.i >= len(p.data) || p.data[p.i] != '"' {
		return nil, false, false
	}
	start := p.i
	plain = true
	for j := p.i + 1; j < len(p.data); j++ {
		switch c := p.data[j]; {
		case c == '"':
			p.i = j + 1
			return p.data[start:p.i], plain, true
		case c == '\\':
			plain = false
			j++ // the escaped character cannot end the string
		case c < 0x20:
			return nil, false, false // invalid JSON: let encoding/json say so
		case c >= 0x80:
			plain = false
		}
	}
	return nil, false, false
}

func (p *docParser) str(dst *string) bool {
	tok, plain, ok := p.rawString()
	if !ok {
		return false
	}
	if plain {
		*dst = string(tok[1 : len(tok)-1])
		return true
	}
	return json.Unmarshal(tok, dst) == nil // escapes and UTF-8 as encoding/json reads them
}

func (p *docParser) time(dst *time.Time) bool {
	tok, _, ok := p.rawString()
	return ok && dst.UnmarshalJSON(tok) == nil // what encoding/json calls with the token
}

func (p *docParser) boolean(dst *bool) bool {
	if p.literal("true") {
		*dst = true
		return true
	}
	if p.literal("false") {
		*dst = false
		return true
	}
	return false
}

// integer reads a JSON integer (no fraction or exponent) that fits in bits.
func (p *docParser) integer(bits int) (int64, bool) {
	p.ws()
	start, j := p.i, p.i
	if j < len(p.data) && p.data[j] == '-' {
		j++
	}
	digits := j
	for j < len(p.data) && p.data[j] >= '0' && p.data[j] <= '9' {
		j++
	}
	if j == digits || (p.data[digits] == '0' && j-digits > 1) {
		return 0, false
	}
	if j < len(p.data) && (p.data[j] == '.' || p.data[j] == 'e' || p.data[j] == 'E') {
		return 0, false
	}
	v, err := strconv.ParseInt(string(p.data[start:j]), 10, bits)
	if err != nil {
		return 0, false
	}
	p.i = j
	return v, true
}

func (p *docParser) intField(dst *int) bool {
	v, ok := p.integer(strconv.IntSize)
	*dst = int(v)
	return ok
}

// object reads {"name": value, ...}, each name one of names, once, in its exact case.
func (p *docParser) object(names []string, field func(int) bool) bool {
	if !p.next('{') {
		return false
	}
	if p.next('}') {
		return true
	}
	var seen uint64
	for {
		tok, plain, ok := p.rawString()
		if !ok || !plain || !p.next(':') {
			return false
		}
		f := -1
		for n, name := range names {
			if name == string(tok[1:len(tok)-1]) {
				f = n
				break
			}
		}
		if f < 0 || seen&(1<<f) != 0 || !field(f) {
			return false
		}
		seen |= 1 << f
		if p.next('}') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// list reads null (nil) or [item, ...] (empty, not nil, when there is none), as encoding/json does.
func list[T any](p *docParser, dst *[]T, nullable bool, item func(*T) bool) bool {
	if nullable && p.literal("null") {
		*dst = nil
		return true
	}
	if !p.next('[') {
		return false
	}
	s := make([]T, 0, 2)
	if !p.next(']') {
		for {
			s = append(s, *new(T))
			if !item(&s[len(s)-1]) {
				return false
			}
			if p.next(']') {
				break
			}
			if !p.next(',') {
				return false
			}
		}
	}
	*dst = s
	return true
}

var docFields = []string{"version", "organizations", "history", "secrets"}

func (p *docParser) document(w *wireDocument) bool {
	return p.object(docFields, func(f int) bool {
		switch f {
		case 0:
			return p.intField(&w.Version)
		case 1:
			return list(p, &w.Organizations, true, p.org)
		case 2:
			return list(p, &w.History, true, p.event)
		default:
			return p.secrets(&w.Secrets, w.keyCount())
		}
	})
}

// keyCount is how many keys the document holds (as far as it is read).
func (d *Document) keyCount() int {
	n := 0
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			n += len(u.Keys)
		}
	}
	return n
}

// secrets reads the secrets map, sized for the keys read before it (the encoder writes them first).
func (p *docParser) secrets(dst *map[string]string, size int) bool {
	m := make(map[string]string, size)
	if !p.next('{') {
		return false
	}
	if !p.next('}') {
		for {
			var k, v string
			if !p.str(&k) || !p.next(':') || !p.str(&v) {
				return false
			}
			m[k] = v // of two with one name the later wins, as in encoding/json
			if p.next('}') {
				break
			}
			if !p.next(',') {
				return false
			}
		}
	}
	*dst = m
	return true
}

var orgFields = []string{"id", "name", "apiUrl", "serviceUsers"}

func (p *docParser) org(o *Organization) bool {
	return p.object(orgFields, func(f int) bool {
		switch f {
		case 0:
			return p.str(&o.ID)
		case 1:
			return p.str(&o.Name)
		case 2:
			return p.str(&o.APIURL)
		default:
			return list(p, &o.ServiceUsers, true, p.user)
		}
	})
}

var userFields = []string{"name", "id", "keys", "rotation", "overLimitAfterMerge"}

func (p *docParser) user(u *ServiceUser) bool {
	return p.object(userFields, func(f int) bool {
		switch f {
		case 0:
			return p.str(&u.Name)
		case 1:
			return p.str(&u.ID)
		case 2:
			return list(p, &u.Keys, true, p.key)
		case 3:
			u.Rotation = &Rotation{}
			return p.rotation(u.Rotation)
		default:
			return p.boolean(&u.OverLimitAfterMerge)
		}
	})
}

var rotationFields = []string{"step", "freeKeyId", "oldKeyId", "newKeyId", "startedAt", "freeDeployedConfirmed",
	"freedDeployedTo", "freedAt", "addedAt", "provedAt", "deployedAt", "retiredAt", "removedAt"}

func (p *docParser) rotation(r *Rotation) bool {
	return p.object(rotationFields, func(f int) bool {
		switch f {
		case 0:
			v, ok := p.integer(strconv.IntSize)
			r.Step = RotationStep(v)
			return ok
		case 1:
			return p.str(&r.FreeKeyID)
		case 2:
			return p.str(&r.OldKeyID)
		case 3:
			return p.str(&r.NewKeyID)
		case 4:
			return p.time(&r.StartedAt)
		case 5:
			return p.boolean(&r.FreeDeployedConfirmed)
		case 6:
			return p.str(&r.FreedDeployedTo)
		default:
			return p.time([...]*time.Time{&r.FreedAt, &r.AddedAt, &r.ProvedAt, &r.DeployedAt, &r.RetiredAt, &r.RemovedAt}[f-7])
		}
	})
}

var keyFields = []string{"accessKeyId", "status", "createdAt", "inactivatedAt", "secretCopiedAt", "deployedTo",
	"exposed", "exposedAt", "lastCheck", "handOuts", "handedOutTwice"}

func (p *docParser) key(k *AccessKey) bool {
	return p.object(keyFields, func(f int) bool {
		switch f {
		case 0:
			return p.str(&k.AccessKeyID)
		case 1:
			return p.str((*string)(&k.Status))
		case 2:
			return p.time(&k.CreatedAt)
		case 3:
			return p.time(&k.InactivatedAt)
		case 4:
			return p.time(&k.SecretCopiedAt)
		case 5:
			return p.str(&k.DeployedTo)
		case 6:
			return p.boolean(&k.Exposed)
		case 7:
			return p.time(&k.ExposedAt)
		case 8:
			k.LastCheck = &Check{}
			return p.check(k.LastCheck)
		case 9:
			return list(p, &k.HandOuts, false, p.handOut)
		default:
			return p.boolean(&k.HandedOutTwice)
		}
	})
}

var checkFields = []string{"at", "result", "verified", "httpStatus", "latencyMs", "message", "whileInactive", "wrongServiceUser"}

func (p *docParser) check(c *Check) bool {
	return p.object(checkFields, func(f int) bool {
		switch f {
		case 0:
			return p.time(&c.At)
		case 1:
			return p.str((*string)(&c.Result))
		case 2:
			return p.boolean(&c.Verified)
		case 3:
			return p.intField(&c.HTTPStatus)
		case 4:
			v, ok := p.integer(64)
			c.LatencyMs = v
			return ok
		case 5:
			return p.str(&c.Message)
		case 6:
			return p.boolean(&c.WhileInactive)
		default:
			return p.str(&c.WrongServiceUser)
		}
	})
}

var handOutFields = []string{"member", "at", "unconfirmed"}

func (p *docParser) handOut(h *HandOut) bool {
	return p.object(handOutFields, func(f int) bool {
		switch f {
		case 0:
			return p.str(&h.Member)
		case 1:
			return p.time(&h.At)
		default:
			return p.boolean(&h.Unconfirmed)
		}
	})
}

var eventFields = []string{"at", "action", "orgId", "serviceUser", "accessKeyId", "detail", "member"}

func (p *docParser) event(e *Event) bool {
	return p.object(eventFields, func(f int) bool {
		switch f {
		case 0:
			return p.time(&e.At)
		case 1:
			return p.str(&e.Action)
		default:
			return p.str([...]*string{&e.OrgID, &e.ServiceUser, &e.AccessKeyID, &e.Detail, &e.Member}[f-2])
		}
	})
}
