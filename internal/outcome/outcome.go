// Package outcome is what a live check of an access key found, as one type: the class
// m3ter's answers put it in (authclient decides it, keystore stores it) and the rules that
// read it for a key that was INACTIVE when checked. Front ends only render it.
package outcome

// Class is the verdict of a live check.
type Class string

const (
	// Valid: a token was issued and users/me accepted it (or was skipped).
	Valid Class = "valid"
	// Rejected: the token endpoint refused the credentials.
	Rejected Class = "rejected"
	// Forbidden: a token was issued, but not for this organization, or the
	// service user lacks permission (users/me 403).
	Forbidden Class = "forbidden"
	// Undetermined: the check could not tell (network, timeout, TLS, 429,
	// 5xx, a response that is not the documented one, cancellation).
	Undetermined Class = "undetermined"
)

// Failing reports whether the key is known to be unusable.
func (c Class) Failing() bool { return c == Rejected || c == Forbidden }

// Mark is the sign in front of the class: ✓ valid, ✗ rejected, ! forbidden, ? otherwise.
func (c Class) Mark() string {
	switch c {
	case Valid:
		return "✓"
	case Rejected:
		return "✗"
	case Forbidden:
		return "!"
	}
	return "?"
}

// Outcome is a check as it reads for its key: the class, and whether the key was INACTIVE
// when checked. Then the answers read the other way round: rejected is healthy (retired),
// valid is the warning (still accepted).
type Outcome struct {
	Class         Class
	WhileInactive bool
}

// Retired: an INACTIVE key m3ter rejects, as it should.
func (o Outcome) Retired() bool { return o.WhileInactive && o.Class == Rejected }

// StillAccepted: an INACTIVE key m3ter still accepts: inactivate it in the Console.
func (o Outcome) StillAccepted() bool { return o.WhileInactive && o.Class == Valid }

// Failing: the outcome calls for action: rejected or forbidden (a retired key's rejection
// aside), or an INACTIVE key m3ter still accepts.
func (o Outcome) Failing() bool { return !o.Retired() && (o.StillAccepted() || o.Class.Failing()) }

// Labels of the two INACTIVE readings, in a table cell or a sentence.
const (
	RetiredLabel       = "✓ retired (rejected)"
	StillAcceptedLabel = "! still accepted"
)
