package keystore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/m3keys/m3keys/internal/validate"
)

// Team store files. recipients.txt is shared through git; the trust file is each member's own.
const (
	RecipientsFile = "recipients.txt"
	TrustFile      = "recipients.trusted"
)

// Team store errors.
var (
	// ErrUntrustedRecipients: a sync brought a recipient list this member has not confirmed.
	ErrUntrustedRecipients = errors.New("the team's recipient list changed and is not trusted yet")
	// ErrNotMember: the store is not encrypted to this member (yet, or any more).
	ErrNotMember = errors.New("this team store is not encrypted to you")
	// ErrWrittenBeforeAdded: keystore.age is a version from before this member was added; a
	// sync brings the one encrypted to them.
	ErrWrittenBeforeAdded = fmt.Errorf("%w: %s was written before you were added", ErrNotMember, DocumentFile)
	// ErrLeftOut: a new recipient list that leaves this member out; another member removes them.
	ErrLeftOut = fmt.Errorf("%w: the new list leaves you out", ErrNotMember)
	// ErrTrustDamaged: recipients.trusted does not parse; confirming the list again rewrites it.
	ErrTrustDamaged = fmt.Errorf("%w: %s is damaged", ErrCorrupt, TrustFile)
)

// UnlistedError is ErrNotMember when recipients.txt does not name this member (not added yet,
// or removed): Recipient is their age1… key, what a member adds.
type UnlistedError struct{ Recipient string }

func (e *UnlistedError) Error() string {
	return fmt.Sprintf("%s: you are not in %s (not added yet, or removed)", ErrNotMember, RecipientsFile)
}
func (e *UnlistedError) Unwrap() error { return ErrNotMember }

// Recipient is one member of a team store: an age X25519 recipient and a name for people.
type Recipient struct {
	Key  string // age1…
	Name string
}

// Recipients is a team's member list, in the order of recipients.txt.
type Recipients []Recipient

// IsTeam reports whether dir is a team store: one with a recipient list.
func IsTeam(dir string) bool { return fileExists(filepath.Join(dir, RecipientsFile)) }

// ValidateMemberName accepts a member's name: printable, no "#" (recipients.txt's comment
// mark), 1–100 characters.
func ValidateMemberName(name string) error {
	if err := validate.Name("member name", name); err != nil {
		return err
	}
	if strings.ContainsAny(name, "#\r\n") {
		return invalid("member name", "must not contain #")
	}
	return nil
}

// NewRecipient checks a recipient line's parts.
func NewRecipient(key, name string) (Recipient, error) {
	if _, err := age.ParseX25519Recipient(key); err != nil {
		return Recipient{}, invalid("recipient", "is not an age X25519 recipient (age1…)")
	}
	if err := ValidateMemberName(name); err != nil {
		return Recipient{}, err
	}
	return Recipient{Key: key, Name: name}, nil
}

// ParseRecipients reads recipients.txt: `age1… # name` per line; blank lines and lines that
// start with # are skipped.
func ParseRecipients(data []byte) (Recipients, error) {
	var out Recipients
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, name, _ := strings.Cut(line, "#")
		r, err := NewRecipient(strings.TrimSpace(key), strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", ErrCorrupt, RecipientsFile, i+1, err)
		}
		if out.Has(r.Key) {
			return nil, fmt.Errorf("%w: %s line %d: recipient listed twice", ErrCorrupt, RecipientsFile, i+1)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s lists no recipient", ErrCorrupt, RecipientsFile)
	}
	return out, nil
}

// Marshal is the file's text: one `age1… # name` line per member.
func (rs Recipients) Marshal() []byte {
	var b bytes.Buffer
	for _, r := range rs {
		fmt.Fprintf(&b, "%s # %s\n", r.Key, r.Name)
	}
	return b.Bytes()
}

// Has reports whether key is a member.
func (rs Recipients) Has(key string) bool {
	return slices.ContainsFunc(rs, func(r Recipient) bool { return r.Key == key })
}

// Named returns the member called name.
func (rs Recipients) Named(name string) (Recipient, bool) {
	i := slices.IndexFunc(rs, func(r Recipient) bool { return r.Name == name })
	if i < 0 {
		return Recipient{}, false
	}
	return rs[i], true
}

// Hash identifies the set of keys, whatever the order and the names.
func (rs Recipients) Hash() string {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.Key
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:])
}

// SameSet reports whether rs and other hold the same keys.
func (rs Recipients) SameSet(other Recipients) bool { return rs.Hash() == other.Hash() }

// Diff lists the members of next that rs lacks, and those of rs that next lacks.
func (rs Recipients) Diff(next Recipients) (added, removed Recipients) {
	for _, r := range next {
		if !rs.Has(r.Key) {
			added = append(added, r)
		}
	}
	for _, r := range rs {
		if !next.Has(r.Key) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

func (rs Recipients) ageRecipients() ([]age.Recipient, error) {
	out := make([]age.Recipient, len(rs))
	for i, r := range rs {
		x, err := age.ParseX25519Recipient(r.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: recipient of %s is invalid", ErrCorrupt, RecipientsFile, r.Name)
		}
		out[i] = x
	}
	return out, nil
}

// ReadRecipients reads dir's recipients.txt.
func ReadRecipients(dir string) (Recipients, error) {
	own, err := checkStore(dir, newOptions(nil))
	if err != nil {
		return nil, err
	}
	return readRecipients(dir, own)
}

func readRecipients(dir string, own owner) (Recipients, error) {
	data, err := readStoreFile(filepath.Join(dir, RecipientsFile), own)
	if err != nil {
		return nil, err
	}
	return ParseRecipients(data)
}

// ReadTrusted reads the recipient list this member last confirmed; ok is false when there is none.
func ReadTrusted(dir string) (rs Recipients, ok bool, err error) {
	own, err := checkStore(dir, newOptions(nil))
	if err != nil {
		return nil, false, err
	}
	return readTrusted(dir, own)
}

func readTrusted(dir string, own owner) (Recipients, bool, error) {
	data, err := readStoreFile(filepath.Join(dir, TrustFile), own)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	rs, err := ParseRecipients(data)
	if err != nil {
		return nil, false, ErrTrustDamaged
	}
	return rs, true, nil
}

// Trust records rs as the recipient list this member confirmed. It is the local trust
// file, never shared.
func Trust(dir string, rs Recipients) error {
	own, err := checkStore(dir, newOptions(nil))
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, TrustFile), rs.Marshal(), own)
}

// teamRecipients is what a save in a team store encrypts to: recipients.txt, when it is
// the list this member trusts and names them.
func teamRecipients(dir string, own owner, self string) ([]age.Recipient, error) {
	rs, err := readRecipients(dir, own)
	if err != nil {
		return nil, err
	}
	trusted, ok, err := readTrusted(dir, own)
	if err != nil {
		return nil, err
	}
	if !ok || !trusted.SameSet(rs) {
		return nil, fmt.Errorf("%w; nothing was saved", ErrUntrustedRecipients)
	}
	if !rs.Has(self) {
		return nil, fmt.Errorf("%w; nothing was saved", &UnlistedError{Recipient: self})
	}
	return rs.ageRecipients()
}
