package keystore

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
)

// Status of an access key, as in the m3ter Console.
type Status string

const (
	Active   Status = "ACTIVE"
	Inactive Status = "INACTIVE"
)

// MaxKeysPerUser is m3ter's limit of access keys per service user, whatever their status.
const MaxKeysPerUser = 2

// Document is everything the store holds, as it is encrypted in keystore.age.
type Document struct {
	Version       int            `json:"version"`
	Organizations []Organization `json:"organizations"`
	History       []Event        `json:"history"`
}

// Organization is an m3ter organization and the API it lives at.
type Organization struct {
	ID           string        `json:"id"`
	Name         string        `json:"name,omitempty"`
	APIURL       string        `json:"apiUrl"`
	ServiceUsers []ServiceUser `json:"serviceUsers"`
}

// ServiceUser holds up to MaxKeysPerUser access keys.
type ServiceUser struct {
	Name     string      `json:"name"`
	ID       string      `json:"id,omitempty"` // learned from users/me
	Keys     []AccessKey `json:"keys"`
	Rotation *Rotation   `json:"rotation,omitempty"`
	// OverLimitAfterMerge lets a team store's merge keep every key when two members each
	// added one: the user then holds more than MaxKeysPerUser keys, and only inactivate and
	// remove are allowed on it until it is back to MaxKeysPerUser, which clears the flag.
	OverLimitAfterMerge bool `json:"overLimitAfterMerge,omitempty"`
}

// AccessKey is one key pair. The secret is written to disk only through the document codec.
type AccessKey struct {
	AccessKeyID    string    `json:"accessKeyId"`
	Secret         Secret    `json:"-"`
	Status         Status    `json:"status"`
	CreatedAt      time.Time `json:"createdAt"`
	InactivatedAt  time.Time `json:"inactivatedAt,omitzero"`
	SecretCopiedAt time.Time `json:"secretCopiedAt,omitzero"`
	// DeployedTo is where the integration reads the key (free text), so a rotation knows what to update.
	DeployedTo string `json:"deployedTo,omitempty"`
	// Exposed: someone who should no longer read the secret could (a team member removed): rotate it.
	Exposed   bool      `json:"exposed,omitempty"`
	ExposedAt time.Time `json:"exposedAt,omitzero"`
	LastCheck *Check    `json:"lastCheck,omitempty"`
	// HandOuts are the secret's hand-outs in a team store: who, when, and whether the remote
	// confirmed none came first. A merge keeps every one, so history can say who.
	HandOuts []HandOut `json:"handOuts,omitempty"`
	// HandedOutTwice: two members handed the secret out before either saw the other's: rotate it.
	HandedOutTwice bool `json:"handedOutTwice,omitempty"`
}

// HandOut is one hand-out of a secret in a team store.
type HandOut struct {
	Member string    `json:"member,omitempty"`
	At     time.Time `json:"at"`
	// Unconfirmed: handed out with --offline, the remote not asked whether it came first.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// Check is the outcome of the last live test of a key.
type Check struct {
	At         time.Time     `json:"at"`
	Result     outcome.Class `json:"result"`
	Verified   bool          `json:"verified"` // false for a token-only check (check --no-verify)
	HTTPStatus int           `json:"httpStatus"`
	LatencyMs  int64         `json:"latencyMs"`
	Message    string        `json:"message"`
	// WhileInactive: the key was INACTIVE when checked, so valid means m3ter still accepts a
	// key meant to be dead, and rejected is the healthy answer (retired).
	WhileInactive bool `json:"whileInactive,omitempty"`
	// WrongServiceUser is the m3ter service user ID users/me named when it was not the one
	// learned for the key's service user: the key was perhaps generated for another user.
	WrongServiceUser string `json:"wrongServiceUser,omitempty"`
}

// Outcome is what the check found, read for the key as it was then (nil: the zero Outcome).
func (c *Check) Outcome() outcome.Outcome {
	if c == nil {
		return outcome.Outcome{}
	}
	return outcome.Outcome{Class: c.Result, WhileInactive: c.WhileInactive}
}

// Rotation is the stored progress of a rotation wizard, so it can be resumed (see rotation.go).
type Rotation struct {
	Step      RotationStep `json:"step"`                // the step to do next
	FreeKeyID string       `json:"freeKeyId,omitempty"` // removed to make room for the new key, when the user held two
	OldKeyID  string       `json:"oldKeyId,omitempty"`  // the key the new one replaces, retired at StepRetire
	NewKeyID  string       `json:"newKeyId,omitempty"`
	StartedAt time.Time    `json:"startedAt"`
	// FreeDeployedConfirmed: the user confirmed twice to free a key with a deployed-to note.
	FreeDeployedConfirmed bool `json:"freeDeployedConfirmed,omitempty"`
	// FreedDeployedTo is the freed key's deployed-to note, offered for the new key.
	FreedDeployedTo string `json:"freedDeployedTo,omitempty"`
	// When each step finished.
	FreedAt    time.Time `json:"freedAt,omitzero"`
	AddedAt    time.Time `json:"addedAt,omitzero"`
	ProvedAt   time.Time `json:"provedAt,omitzero"`
	DeployedAt time.Time `json:"deployedAt,omitzero"`
	RetiredAt  time.Time `json:"retiredAt,omitzero"`
	RemovedAt  time.Time `json:"removedAt,omitzero"`
}

// Event is one history entry. It never holds a secret.
type Event struct {
	At          time.Time `json:"at"`
	Action      string    `json:"action"`
	OrgID       string    `json:"orgId,omitempty"`
	ServiceUser string    `json:"serviceUser,omitempty"`
	AccessKeyID string    `json:"accessKeyId,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	Member      string    `json:"member,omitempty"` // in a team store: who made the change
}

// MaxHistory is how many events the document keeps.
const MaxHistory = 1000

// DefaultMaxAge is the age after which a key is flagged stale.
const DefaultMaxAge = 90 * 24 * time.Hour

// Age of the key at now, in whole days.
func (k *AccessKey) AgeDays(now time.Time) int {
	return int(now.Sub(k.CreatedAt) / (24 * time.Hour))
}

// Stale reports whether the key is older than maxAge.
func (k *AccessKey) Stale(now time.Time, maxAge time.Duration) bool {
	return maxAge > 0 && now.Sub(k.CreatedAt) > maxAge
}

// SecretCopied reports whether the secret was already handed out.
func (k *AccessKey) SecretCopied() bool { return !k.SecretCopiedAt.IsZero() }

// HandedOutBy is the member who made the hand-out SecretCopiedAt records, "" when the store
// does not say (a personal store, or a hand-out made before team stores named their member).
func (k *AccessKey) HandedOutBy() string {
	for _, h := range k.HandOuts {
		if h.At.Equal(k.SecretCopiedAt) {
			return h.Member
		}
	}
	return ""
}

// Org returns the organization with this ID, in any letter case (see CanonicalOrgID).
func (d *Document) Org(id string) (*Organization, bool) {
	id = CanonicalOrgID(id)
	for i := range d.Organizations {
		if CanonicalOrgID(d.Organizations[i].ID) == id {
			return &d.Organizations[i], true
		}
	}
	return nil, false
}

// User returns the service user with this name.
func (o *Organization) User(name string) (*ServiceUser, bool) {
	for i := range o.ServiceUsers {
		if o.ServiceUsers[i].Name == name {
			return &o.ServiceUsers[i], true
		}
	}
	return nil, false
}

// KeyRef locates a key with its organization and service user.
type KeyRef struct {
	Org  *Organization
	User *ServiceUser
	Key  *AccessKey
}

// Key finds an access key anywhere in the store.
func (d *Document) Key(accessKeyID string) (KeyRef, bool) {
	p, ok := d.keyAt(accessKeyID)
	if !ok {
		return KeyRef{}, false
	}
	return d.ref(p), true
}

// keyAt is where the first key with this ID is, found by a scan (see Tx.keyAt).
func (d *Document) keyAt(id string) (keyPos, bool) {
	for oi := range d.Organizations {
		for ui, u := range d.Organizations[oi].ServiceUsers {
			for ki := range u.Keys {
				if u.Keys[ki].AccessKeyID == id {
					return keyPos{oi, ui, ki}, true
				}
			}
		}
	}
	return keyPos{}, false
}

func (d *Document) ref(p keyPos) KeyRef {
	o := &d.Organizations[p.org]
	u := &o.ServiceUsers[p.user]
	return KeyRef{Org: o, User: u, Key: &u.Keys[p.key]}
}

// ActiveKeys counts the user's ACTIVE keys.
func (u *ServiceUser) ActiveKeys() int {
	n := 0
	for _, k := range u.Keys {
		if k.Status == Active {
			n++
		}
	}
	return n
}

// FreeSlot refuses, with AddKey's own ErrKeyLimit, when the user already holds
// MaxKeysPerUser keys, so a screen can refuse before asking for a new key.
func (u *ServiceUser) FreeSlot() error {
	if len(u.Keys) >= MaxKeysPerUser {
		ids := make([]string, len(u.Keys))
		for i := range u.Keys {
			ids[i] = u.Keys[i].AccessKeyID
		}
		last := len(ids) - 1
		return fmt.Errorf("%w: %s holds %s and %s", ErrKeyLimit, u.Name, strings.Join(ids[:last], ", "), ids[last])
	}
	return nil
}

// OverLimit reports whether the user holds more keys than m3ter allows (after a team merge).
func (u *ServiceUser) OverLimit() bool { return len(u.Keys) > MaxKeysPerUser }

// backWithinLimit clears OverLimitAfterMerge once the user holds no more keys than m3ter
// allows, and reports whether it did (the one place the flag is cleared).
func (u *ServiceUser) backWithinLimit() bool {
	if !u.OverLimitAfterMerge || u.OverLimit() {
		return false
	}
	u.OverLimitAfterMerge = false
	return true
}

// Retired reports whether the key is INACTIVE and m3ter rejected it on a check made since:
// the proof that it is dead.
func (k *AccessKey) Retired() bool {
	c := k.LastCheck
	return k.Status == Inactive && c.Outcome().Retired() && !c.At.Before(k.InactivatedAt)
}

// StillAccepted reports whether the key is INACTIVE and m3ter still accepted it on a check
// made since: it must be inactivated in the m3ter Console.
func (k *AccessKey) StillAccepted() bool {
	c := k.LastCheck
	return k.Status == Inactive && c.Outcome().StillAccepted() && !c.At.Before(k.InactivatedAt)
}

// KeyCount is the number of keys across the organization's service users.
func (o *Organization) KeyCount() (active, total int) {
	for _, u := range o.ServiceUsers {
		active += u.ActiveKeys()
		total += len(u.Keys)
	}
	return active, total
}

// Clone returns a deep copy, so callers can read it while the store changes.
func (d *Document) Clone() *Document {
	c := &Document{Version: d.Version, History: append([]Event(nil), d.History...)}
	c.Organizations = make([]Organization, len(d.Organizations))
	// The users, keys and checks are copied into one allocation each, not one per owner.
	var nUsers, nKeys, nChecks int
	for _, o := range d.Organizations {
		nUsers += len(o.ServiceUsers)
		for _, u := range o.ServiceUsers {
			nKeys += len(u.Keys)
			for _, k := range u.Keys {
				if k.LastCheck != nil {
					nChecks++
				}
			}
		}
	}
	users, keys, checks := make([]ServiceUser, 0, nUsers), make([]AccessKey, 0, nKeys), make([]Check, 0, nChecks)
	for oi, o := range d.Organizations {
		o.ServiceUsers = carve(&users, o.ServiceUsers)
		for ui := range o.ServiceUsers {
			u := &o.ServiceUsers[ui]
			u.Keys = carve(&keys, u.Keys)
			for ki := range u.Keys {
				k := &u.Keys[ki]
				k.HandOuts = slices.Clone(k.HandOuts)
				if k.LastCheck != nil {
					checks = append(checks, *k.LastCheck)
					k.LastCheck = &checks[len(checks)-1]
				}
			}
			if u.Rotation != nil {
				r := *u.Rotation
				u.Rotation = &r
			}
		}
		c.Organizations[oi] = o
	}
	return c
}

// carve copies s onto the end of *all and returns the copy, its capacity capped so that an
// append to it never writes over the next one; nil for an empty s, as append([]T(nil), s...).
func carve[T any](all *[]T, s []T) []T {
	if len(s) == 0 {
		return nil
	}
	start := len(*all)
	*all = append(*all, s...)
	return (*all)[start:len(*all):len(*all)]
}
