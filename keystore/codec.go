package keystore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
)

// CurrentVersion is the document schema this build writes.
const CurrentVersion = 3

// wireDocument is the JSON inside keystore.age. Secrets live in their own map so that
// no other JSON encoding of a model value can ever carry one.
type wireDocument struct {
	Document
	Secrets map[string]string `json:"secrets"`
}

// EncodeDocument is the JSON keystore.age holds for d, secrets included, as DecodeDocument
// reads it: for tools that merge documents (internal/merge) and their tests. Keep it in memory.
func EncodeDocument(d *Document) ([]byte, error) { return encodeDocument(d) }

func encodeDocument(d *Document) ([]byte, error) {
	e, err := encodeReusing(d, nil)
	if err != nil {
		return nil, err
	}
	return e.plain, nil
}

// encodeReusing encodes d, copying from prev (nil: none) the parts that have not changed.
func encodeReusing(d *Document, prev *encoded) (*encoded, error) {
	// Sized for the usual key (its entry and its secret) and event, so that a large
	// document is not copied over and over as it grows.
	n := 4096 + 200*len(d.History)
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			n += 256 + 320*len(u.Keys)
		}
	}
	if prev != nil { // a closer guess: a change is small
		n = min(n, len(prev.plain)+len(prev.plain)/8+4096)
	}
	return appendDocument(make([]byte, 0, n), d, prev)
}

// encodeDocumentReflect is what encodeDocument wrote before appendDocument, kept for
// the test that holds the two byte for byte.
func encodeDocumentReflect(d *Document) ([]byte, error) {
	w := wireDocument{Document: *d, Secrets: map[string]string{}}
	w.Version = CurrentVersion
	for _, o := range d.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				w.Secrets[k.AccessKeyID] = k.Secret.Reveal()
			}
		}
	}
	return json.Marshal(w)
}

// DecodeDocument parses and checks a decrypted document, migrating older versions.
func DecodeDocument(data []byte) (*Document, error) {
	// A document of the current version is parsed once; any other (older, newer, damaged)
	// is probed for its version first, to migrate it or to say what is wrong.
	if w, ok := fastDecode(data); ok {
		return w.load()
	}
	var w wireDocument
	if err := json.Unmarshal(data, &w); err != nil || w.Version != CurrentVersion {
		return decodeOther(data)
	}
	return w.load()
}

// decodeOther reads a document that is not of the current version, or not one at all.
func decodeOther(data []byte) (*Document, error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: not a keystore document", ErrCorrupt)
	}
	if probe.Version == nil || *probe.Version < 1 {
		return nil, fmt.Errorf("%w: document has no valid version", ErrCorrupt)
	}
	if *probe.Version > CurrentVersion {
		return nil, fmt.Errorf("%w: version %d, this m3keys reads up to %d", ErrFutureVersion, *probe.Version, CurrentVersion)
	}
	data, err := migrate(*probe.Version, data)
	if err != nil {
		return nil, err
	}
	var w wireDocument
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, describeJSONError(err))
	}
	return w.load()
}

// load repairs what older m3keys stored and puts the secrets back on their keys.
func (w *wireDocument) load() (*Document, error) {
	d := &w.Document
	if err := d.repair(time.Now().UTC()); err != nil {
		return nil, err
	}
	if err := d.attachSecrets(w.Secrets); err != nil {
		return nil, err
	}
	return d, nil
}

// attachSecrets puts each secret back on its key and checks the rules hold,
// so a hand-edited or damaged document is refused rather than half-loaded.
func (d *Document) attachSecrets(secrets map[string]string) error {
	seen, orgs := make(map[string]bool, len(secrets)), make(map[string]bool, len(d.Organizations))
	for oi := range d.Organizations {
		o := &d.Organizations[oi]
		if err := validate.OrgID(o.ID); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if orgs[o.ID] {
			return fmt.Errorf("%w: organization %s appears twice", ErrCorrupt, o.ID)
		}
		orgs[o.ID] = true
		// Older m3keys stored the URL as typed; one that does not validate is left for
		// the check to refuse rather than making the whole store unreadable.
		if c, err := validate.CanonicalAPIURL(o.APIURL); err == nil {
			o.APIURL = c
		}
		users := map[string]bool{}
		for ui := range o.ServiceUsers {
			u := &o.ServiceUsers[ui]
			if users[u.Name] {
				return fmt.Errorf("%w: service user %q appears twice in %s", ErrCorrupt, u.Name, o.ID)
			}
			users[u.Name] = true
			// Only a team merge may leave more keys than m3ter allows, and it says so.
			if u.OverLimit() && !u.OverLimitAfterMerge {
				return fmt.Errorf("%w: service user %q has %d keys", ErrCorrupt, u.Name, len(u.Keys))
			}
			u.backWithinLimit()
			for ki := range u.Keys {
				k := &u.Keys[ki]
				if seen[k.AccessKeyID] {
					return fmt.Errorf("%w: access key %s appears twice", ErrCorrupt, k.AccessKeyID)
				}
				seen[k.AccessKeyID] = true
				s, err := NewSecret(secrets[k.AccessKeyID])
				if err != nil || validate.KeyID(k.AccessKeyID) != nil || (k.Status != Active && k.Status != Inactive) {
					return fmt.Errorf("%w: access key entry %d of %q is invalid", ErrCorrupt, ki+1, u.Name)
				}
				k.Secret = s
			}
		}
	}
	return nil
}

// describeJSONError keeps the position but never the offending text, which could be a secret.
func describeJSONError(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("invalid JSON at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("field %s has the wrong type", e.Field)
	}
	return "invalid JSON"
}

// migrate upgrades an older document to CurrentVersion, one version at a time.
func migrate(from int, data []byte) ([]byte, error) {
	for v := from; v < CurrentVersion; v++ {
		step, ok := migrations[v]
		if !ok {
			return nil, fmt.Errorf("%w: no migration from version %d", ErrCorrupt, v)
		}
		var err error
		if data, err = step(data); err != nil {
			return nil, fmt.Errorf("%w: migrating from version %d: %v", ErrCorrupt, v, err)
		}
	}
	return data, nil
}

// migrations[v] turns a version v document into version v+1.
var migrations = map[int]func([]byte) ([]byte, error){
	1: migrateVerifiedChecks,
	2: migrateCanonicalOrgIDs,
}

// migrateCanonicalOrgIDs (2 → 3): version 2 compared organization IDs by exact case. Every
// load stores them canonical and merges case duplicates (repair); the new version number keeps
// an older m3keys, which would compare by case again, from reading and rewriting the result.
func migrateCanonicalOrgIDs(data []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s", describeJSONError(err))
	}
	doc["version"] = json.RawMessage("3")
	return json.Marshal(doc)
}

// migrateVerifiedChecks (1 → 2): version 1 had no token-only checks, so every
// stored check was a full one (token and users/me).
func migrateVerifiedChecks(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers exactly as they were
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s", describeJSONError(err))
	}
	for _, o := range asList(doc["organizations"]) {
		for _, u := range asList(asObject(o)["serviceUsers"]) {
			for _, k := range asList(asObject(u)["keys"]) {
				if c := asObject(asObject(k)["lastCheck"]); c != nil {
					c["verified"] = true
				}
			}
		}
	}
	doc["version"] = 2
	return json.Marshal(doc)
}

// asList and asObject read a generic JSON value; a wrong shape reads as empty
// and is refused later by the typed decode.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
