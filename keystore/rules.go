package keystore

import (
	"fmt"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/internal/validate"
)

// Tx applies changes to a document, enforcing every rule and recording history.
// The store runs a Tx on a fresh copy, so a failed change leaves nothing behind.
type Tx struct {
	doc *Document
	now time.Time
	idx *index
	by  string // the team member making the changes, "" in a personal store
}

// Edit starts changes to d made at time now.
func (d *Document) Edit(now time.Time) *Tx { return &Tx{doc: d, now: now.UTC()} }

// By has the changes' history events name member, as a team store's do.
func (tx *Tx) By(member string) *Tx {
	tx.by = member
	return tx
}

// Doc is the document as changed so far, for reading: change it through the Tx's methods.
func (tx *Tx) Doc() *Document { return tx.doc }

// Org finds an organization by its ID in any letter case, without scanning the document.
func (tx *Tx) Org(id string) (*Organization, bool) {
	if i := tx.orgAt(id); i >= 0 {
		return &tx.doc.Organizations[i], true
	}
	return nil, false
}

// Key finds an access key anywhere in the document, without scanning it.
func (tx *Tx) Key(accessKeyID string) (KeyRef, bool) {
	if p, ok := tx.keyAt(accessKeyID); ok {
		return tx.doc.ref(p), true
	}
	return KeyRef{}, false
}

// Now is the time the changes are recorded at.
func (tx *Tx) Now() time.Time { return tx.now }

func (tx *Tx) record(action, org, user, keyID, detail string) {
	tx.doc.History = appendEvent(tx.doc.History, Event{At: tx.now, Action: action, OrgID: org, ServiceUser: user, AccessKeyID: keyID, Detail: detail, Member: tx.by})
}

// appendEvent keeps the last MaxHistory events. It reslices rather than copies, so that
// a Tx of many changes copies the history once per few hundred events, not once per event.
func appendEvent(h []Event, e Event) []Event {
	h = append(h, e)
	if len(h) > MaxHistory {
		h = h[len(h)-MaxHistory:]
	}
	return h
}

// keptFrom is where the events of prev that open next begin (history is capped, so prev's
// oldest events may be gone from next): len(prev) when next opens with none of them.
func keptFrom(prev, next []Event, same func(a, b *Event) bool) int {
	for drop := 0; drop < len(prev); drop++ {
		kept := prev[drop:]
		if len(kept) <= len(next) && sameEach(kept, next[:len(kept)], same) {
			return drop
		}
	}
	return len(prev)
}

// Record appends a history event that is not a change of the model (a finished rotation, say).
// Every field must be valid UTF-8, so that the document saves and loads back unchanged.
func (tx *Tx) Record(action, orgID, user, keyID, detail string) error {
	for _, err := range []error{
		validate.Token("history action", action, 64),
		validate.Text("history organization", orgID, 100),
		validate.Text("history service user", user, 400),
		validate.Text("history access key ID", keyID, 128),
		validate.Text("history detail", detail, maxDetail),
	} {
		if err != nil {
			return err
		}
	}
	tx.record(action, historyOrgID(orgID), user, keyID, detail)
	return nil
}

// historyOrgID is an event's organization as stored: canonical when it is an organization ID.
func historyOrgID(id string) string {
	if validate.OrgID(id) == nil {
		return CanonicalOrgID(id)
	}
	return id
}

// maxDetail and maxMessage bound free text kept in the document.
const (
	maxDetail  = 1000
	maxMessage = 2000
)

// checkTime refuses a time JSON cannot hold (years outside 0–9999) or that no key can
// have (before 1970), and returns it in UTC without a monotonic reading, as it will load.
func checkTime(field string, t time.Time) (time.Time, error) {
	t = t.UTC()
	if t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, invalid(field, "must be a date between 1970 and 9999")
	}
	return t, nil
}

// NewOrg describes an organization to create.
type NewOrg struct {
	ID, Name, APIURL string
}

// canonical validates o and returns it with its API URL in the form the store keeps.
func (o NewOrg) canonical() (NewOrg, error) {
	if err := validate.OrgID(o.ID); err != nil {
		return o, err
	}
	o.ID = CanonicalOrgID(o.ID)
	if o.Name != "" {
		if err := validate.Name("organization name", o.Name); err != nil {
			return o, err
		}
	}
	u, err := validate.CanonicalAPIURL(o.APIURL)
	o.APIURL = u
	return o, err
}

// AddOrg creates an organization.
func (tx *Tx) AddOrg(o NewOrg) error {
	o, err := o.canonical()
	if err != nil {
		return err
	}
	if tx.orgAt(o.ID) >= 0 {
		return fmt.Errorf("%w: %s", ErrDuplicateOrg, o.ID)
	}
	tx.doc.Organizations = append(tx.doc.Organizations, Organization{ID: o.ID, Name: o.Name, APIURL: o.APIURL})
	tx.addedOrg()
	tx.record("org.add", o.ID, "", "", o.Name)
	return nil
}

// EnsureOrg creates the organization unless it exists. For an existing one, a name or API URL
// that is given must be the stored one: silently keeping the old URL would test keys against the wrong API.
func (tx *Tx) EnsureOrg(o NewOrg) error {
	org, ok := tx.Org(o.ID)
	if !ok {
		return tx.AddOrg(o)
	}
	if o.APIURL != "" {
		if c, err := validate.CanonicalAPIURL(o.APIURL); err == nil {
			o.APIURL = c
		}
	}
	if (o.Name != "" && o.Name != org.Name) || (o.APIURL != "" && o.APIURL != org.APIURL) {
		return fmt.Errorf("%w: %s is stored with name %q and API URL %s", ErrOrgMismatch, org.ID, org.Name, org.APIURL)
	}
	return nil
}

// EditOrg changes an organization's name and API URL.
func (tx *Tx) EditOrg(o NewOrg) error {
	o, err := o.canonical()
	if err != nil {
		return err
	}
	org, err := tx.org(o.ID)
	if err != nil {
		return err
	}
	org.Name, org.APIURL = o.Name, o.APIURL
	tx.record("org.edit", org.ID, "", "", o.Name+" "+o.APIURL)
	return nil
}

// RemoveOrg removes an organization that holds no access keys.
func (tx *Tx) RemoveOrg(id string) error {
	org, err := tx.org(id)
	if err != nil {
		return err
	}
	if _, total := org.KeyCount(); total > 0 {
		return fmt.Errorf("%w: %d key(s)", ErrOrgNotEmpty, total)
	}
	id = org.ID
	i := tx.orgAt(id)
	orgs := tx.doc.Organizations
	tx.doc.Organizations = append(orgs[:i:i], orgs[i+1:]...)
	tx.idx = nil // every later position moved
	tx.record("org.remove", id, "", "", "")
	return nil
}

// AddUser creates a service user in an organization.
func (tx *Tx) AddUser(orgID, name string) error {
	if err := validate.Name("service user", name); err != nil {
		return err
	}
	o, err := tx.orgPos(orgID)
	if err != nil {
		return err
	}
	if tx.userAt(o, name) >= 0 {
		return fmt.Errorf("%w: %s", ErrDuplicateUser, name)
	}
	org := &tx.doc.Organizations[o]
	org.ServiceUsers = append(org.ServiceUsers, ServiceUser{Name: name})
	tx.addedUser(o)
	tx.record("user.add", org.ID, name, "", "")
	return nil
}

// EnsureUser creates the service user unless it exists.
func (tx *Tx) EnsureUser(orgID, name string) error {
	if o, err := tx.orgPos(orgID); err == nil && tx.userAt(o, name) >= 0 {
		return nil
	}
	return tx.AddUser(orgID, name)
}

// SetUserID records the service user's m3ter ID, as learned from users/me.
func (tx *Tx) SetUserID(orgID, name, id string) error {
	if err := validate.PrintableText("service user ID", id, 100); err != nil {
		return err
	}
	u, err := tx.user(orgID, name)
	if err != nil {
		return err
	}
	if u.ID != id {
		tx.record("user.id", CanonicalOrgID(orgID), name, "", "m3ter id "+id)
	}
	u.ID = id
	return nil
}

// NewKey describes an access key to add.
type NewKey struct {
	AccessKeyID string
	Secret      Secret
	Status      Status    // ACTIVE when empty
	CreatedAt   time.Time // now when zero
	DeployedTo  string    // where the integration reads it; optional
}

// AddKey stores a key pair for a service user, enforcing the two-key limit and unique IDs.
func (tx *Tx) AddKey(orgID, user string, k NewKey) error {
	if err := validate.KeyID(k.AccessKeyID); err != nil {
		return err
	}
	if k.Secret.IsZero() {
		return invalid("API secret", "must not be empty")
	}
	if k.Status == "" {
		k.Status = Active
	}
	if k.Status != Active && k.Status != Inactive {
		return invalid("status", "must be ACTIVE or INACTIVE")
	}
	if k.DeployedTo != "" {
		if err := ValidateDeployedTo(k.DeployedTo); err != nil {
			return err
		}
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = tx.now
	}
	created, err := checkTime("created date", k.CreatedAt)
	if err != nil {
		return err
	}
	k.CreatedAt = created
	if k.CreatedAt.After(tx.now.Add(24 * time.Hour)) {
		return invalid("created date", "must not be in the future")
	}
	o, ui, err := tx.userPos(orgID, user)
	if err != nil {
		return err
	}
	if _, dup := tx.keyAt(k.AccessKeyID); dup {
		return fmt.Errorf("%w: %s", ErrDuplicateKey, k.AccessKeyID)
	}
	u := &tx.doc.Organizations[o].ServiceUsers[ui]
	if err := u.FreeSlot(); err != nil {
		return err
	}
	key := AccessKey{AccessKeyID: k.AccessKeyID, Secret: k.Secret, Status: k.Status, CreatedAt: k.CreatedAt.UTC(), DeployedTo: k.DeployedTo}
	if k.Status == Inactive {
		key.InactivatedAt = tx.now
	}
	u.Keys = append(u.Keys, key)
	tx.addedKey(o, ui)
	tx.record("key.add", tx.doc.Organizations[o].ID, user, k.AccessKeyID, string(k.Status))
	return nil
}

// SetStatus makes a key ACTIVE or INACTIVE. Inactivating the user's last ACTIVE key
// needs force, since it locks the integration out.
func (tx *Tx) SetStatus(keyID string, status Status, force bool) error {
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	if ref.Key.Status == status {
		return nil
	}
	switch status {
	case Inactive:
		if ref.User.ActiveKeys() == 1 && !force {
			return fmt.Errorf("%w: %s", ErrLastActiveKey, keyID)
		}
		ref.Key.InactivatedAt = tx.now
	case Active:
		if ref.User.OverLimit() {
			return fmt.Errorf("%w: %s holds %d keys", ErrOverLimit, ref.User.Name, len(ref.User.Keys))
		}
		ref.Key.InactivatedAt = time.Time{}
	default:
		return invalid("status", "must be ACTIVE or INACTIVE")
	}
	ref.Key.Status = status
	tx.record("key."+map[Status]string{Active: "activate", Inactive: "inactivate"}[status], ref.Org.ID, ref.User.Name, keyID, "")
	return nil
}

// RemoveKey deletes an INACTIVE key.
func (tx *Tx) RemoveKey(keyID string) error {
	p, ok := tx.keyAt(keyID)
	if !ok {
		return fmt.Errorf("access key %s: %w", keyID, ErrNotFound)
	}
	ref := tx.doc.ref(p)
	if ref.Key.Status != Inactive {
		return fmt.Errorf("%w: %s", ErrKeyActive, keyID)
	}
	keys := ref.User.Keys
	ref.User.Keys = append(keys[:p.key:p.key], keys[p.key+1:]...)
	tx.removedKey(keyID, p.org, p.user)
	tx.record("key.remove", ref.Org.ID, ref.User.Name, keyID, "")
	if ref.User.backWithinLimit() {
		tx.record("user.within-limit", ref.Org.ID, ref.User.Name, "", fmt.Sprintf("back to %d keys: no longer over the limit after merge", len(ref.User.Keys)))
	}
	return nil
}

// MaxDeployedTo is the length of a key's deployed-to note, in characters.
const MaxDeployedTo = 200

// ValidateDeployedTo checks a deployed-to note: 1–200 printable characters, like a name.
func ValidateDeployedTo(text string) error {
	if text == "" {
		return invalid("deployed-to note", "must be 1 to %d characters", MaxDeployedTo)
	}
	return validate.PrintableText("deployed-to note", text, MaxDeployedTo)
}

// SetDeployedTo notes where the integration reads the key; empty text clears the note.
func (tx *Tx) SetDeployedTo(keyID, text string) error {
	if text != "" {
		if err := ValidateDeployedTo(text); err != nil {
			return err
		}
	}
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	if ref.Key.DeployedTo == text {
		return nil
	}
	ref.Key.DeployedTo = text
	detail := "deployed to " + text
	if text == "" {
		detail = "deployed-to note cleared"
	}
	tx.record("key.deployed-to", ref.Org.ID, ref.User.Name, keyID, detail)
	return nil
}

// MarkExposed flags keys someone who should not read their secrets could read (a team member
// removed): they must be rotated. Every ID must be stored; detail (why) goes to history.
func (tx *Tx) MarkExposed(keyIDs []string, detail string) error {
	if err := validate.Text("exposure detail", detail, maxDetail); err != nil {
		return err
	}
	refs := make([]KeyRef, 0, len(keyIDs))
	for _, id := range keyIDs {
		ref, err := tx.key(id)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	for _, ref := range refs {
		if !ref.Key.Exposed {
			ref.Key.Exposed, ref.Key.ExposedAt = true, tx.now
		}
		tx.record("key.exposed", ref.Org.ID, ref.User.Name, ref.Key.AccessKeyID, detail)
	}
	return nil
}

// MarkSecretCopied records that the secret is being handed out; it refuses a second time.
func (tx *Tx) MarkSecretCopied(keyID string) error { return tx.markSecretCopied(keyID, false) }

// MarkSecretCopiedUnconfirmed is MarkSecretCopied for a team store's hand-out made offline
// (--offline): recorded as not confirmed by the remote.
func (tx *Tx) MarkSecretCopiedUnconfirmed(keyID string) error {
	return tx.markSecretCopied(keyID, true)
}

func (tx *Tx) markSecretCopied(keyID string, unconfirmed bool) error {
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	if ref.Key.SecretCopied() {
		return fmt.Errorf("%w on %s", ErrSecretAlreadyCopied, timefmt.Minute(ref.Key.SecretCopiedAt))
	}
	ref.Key.SecretCopiedAt = tx.now
	detail := ""
	if unconfirmed {
		detail = "offline: the remote was not asked whether another member handed it out first"
	}
	if tx.by != "" {
		ref.Key.HandOuts = append(ref.Key.HandOuts, HandOut{Member: tx.by, At: tx.now, Unconfirmed: unconfirmed})
	}
	tx.record("secret.copy", ref.Org.ID, ref.User.Name, keyID, detail)
	return nil
}

// UnmarkSecretCopied rolls back MarkSecretCopied when the clipboard write failed.
func (tx *Tx) UnmarkSecretCopied(keyID, why string) error {
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	ref.Key.SecretCopiedAt = time.Time{}
	if n := len(ref.Key.HandOuts); n > 0 && ref.Key.HandOuts[n-1].Member == tx.by {
		ref.Key.HandOuts = ref.Key.HandOuts[: n-1 : n-1]
		if n == 1 {
			ref.Key.HandOuts = nil
		}
	}
	// The rollback must not fail over the wording of why, or the secret would stay marked
	// as handed out: make it text that survives the save instead.
	why = strings.ToValidUTF8(why, "\uFFFD")
	if len(why) > maxDetail {
		why = strings.ToValidUTF8(why[:maxDetail], "")
	}
	tx.record("secret.copy-failed", ref.Org.ID, ref.User.Name, keyID, why)
	return nil
}

// RecordCheck stores the outcome of a live test as the key's last check.
func (tx *Tx) RecordCheck(keyID string, c Check) error {
	if err := validate.PrintableText("check result", string(c.Result), 32); err != nil || c.Result == "" {
		return invalid("check result", "must be 1 to 32 printable characters")
	}
	if err := validate.Text("check message", c.Message, maxMessage); err != nil {
		return err
	}
	at, err := checkTime("check time", c.At)
	if err != nil {
		return err
	}
	c.At = at
	if err := validate.PrintableText("wrong service user", c.WrongServiceUser, 100); err != nil {
		return err
	}
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	c.WhileInactive = ref.Key.Status == Inactive
	if prev := ref.Key.LastCheck; prev != nil && c.WrongServiceUser == "" {
		c.WrongServiceUser = prev.WrongServiceUser // until users/me names the learned user again (SawServiceUser)
	}
	// History records a change of outcome, not every check, so checks cannot push real changes out.
	if prev := ref.Key.LastCheck; prev == nil || prev.Result != c.Result {
		tx.record("key.check", ref.Org.ID, ref.User.Name, keyID, string(c.Result))
	}
	ref.Key.LastCheck = &c
	return nil
}

// SawServiceUser records the m3ter service user ID that users/me named for a key's check.
// The first one learned becomes the service user's ID; a different one later does not
// overwrite it but flags the key's last check (WrongServiceUser) and says so in history:
// the key was perhaps generated for another service user.
func (tx *Tx) SawServiceUser(keyID, m3terID string) error {
	if m3terID == "" {
		return nil
	}
	if err := validate.PrintableText("service user ID", m3terID, 100); err != nil {
		return err
	}
	ref, err := tx.key(keyID)
	if err != nil {
		return err
	}
	if ref.User.ID == "" {
		return tx.SetUserID(ref.Org.ID, ref.User.Name, m3terID)
	}
	c := ref.Key.LastCheck
	if c == nil {
		return nil
	}
	wrong := ""
	if m3terID != ref.User.ID {
		wrong = m3terID
	}
	if c.WrongServiceUser == wrong {
		return nil
	}
	cp := *c
	cp.WrongServiceUser = wrong
	ref.Key.LastCheck = &cp
	if wrong != "" {
		tx.record("key.wrong-user", ref.Org.ID, ref.User.Name, keyID,
			fmt.Sprintf("users/me named m3ter service user %s, but %s was learned for %s: generated for the wrong service user?", wrong, ref.User.ID, ref.User.Name))
	}
	return nil
}

// SetRotation stores (or, with nil, clears) a service user's rotation progress.
func (tx *Tx) SetRotation(orgID, user string, r *Rotation) error {
	if r != nil {
		cp := *r
		for _, id := range []string{cp.FreeKeyID, cp.OldKeyID, cp.NewKeyID} {
			if id != "" {
				if err := validate.KeyID(id); err != nil {
					return err
				}
			}
		}
		if cp.FreedDeployedTo != "" {
			if err := ValidateDeployedTo(cp.FreedDeployedTo); err != nil {
				return err
			}
		}
		if cp.StartedAt.IsZero() {
			cp.StartedAt = tx.now
		}
		at, err := checkTime("rotation start", cp.StartedAt)
		if err != nil {
			return err
		}
		cp.StartedAt, r = at, &cp
	}
	u, err := tx.user(orgID, user)
	if err != nil {
		return err
	}
	orgID = CanonicalOrgID(orgID)
	if r == nil {
		tx.record("rotation.clear", orgID, user, "", "")
	} else {
		tx.record("rotation.step", orgID, user, r.NewKeyID, fmt.Sprintf("step %d", r.Step))
	}
	u.Rotation = r
	return nil
}

func (tx *Tx) orgPos(id string) (int, error) {
	if i := tx.orgAt(id); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("organization %s: %w", id, ErrNotFound)
}

func (tx *Tx) org(id string) (*Organization, error) {
	i, err := tx.orgPos(id)
	if err != nil {
		return nil, err
	}
	return &tx.doc.Organizations[i], nil
}

func (tx *Tx) userPos(orgID, name string) (org, user int, err error) {
	if org, err = tx.orgPos(orgID); err != nil {
		return -1, -1, err
	}
	if user = tx.userAt(org, name); user < 0 {
		return -1, -1, fmt.Errorf("service user %q: %w", name, ErrNotFound)
	}
	return org, user, nil
}

func (tx *Tx) user(orgID, name string) (*ServiceUser, error) {
	o, u, err := tx.userPos(orgID, name)
	if err != nil {
		return nil, err
	}
	return &tx.doc.Organizations[o].ServiceUsers[u], nil
}

func (tx *Tx) key(id string) (KeyRef, error) {
	if ref, ok := tx.Key(id); ok {
		return ref, nil
	}
	return KeyRef{}, fmt.Errorf("access key %s: %w", id, ErrNotFound)
}
