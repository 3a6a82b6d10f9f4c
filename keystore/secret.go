package keystore

import (
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/m3keys/m3keys/internal/validate"
)

// Secret holds an API Secret. It never prints: every fmt verb shows a placeholder,
// and it is left out of JSON except by the document codec.
type Secret struct {
	// A pointer, so that even fmt's raw struct dump (used for bad verbs, where
	// Format is not consulted) shows an address rather than the text.
	value *string
}

const redacted = "[secret]"

// NewSecret trims surrounding whitespace (pasted text often ends in a newline)
// and validates what is left.
func NewSecret(s string) (Secret, error) {
	s = strings.TrimSpace(s)
	if err := validate.Token("API secret", s, 512); err != nil {
		return Secret{}, err
	}
	return Secret{value: &s}, nil
}

// Reveal returns the secret itself: for the token request and the clipboard only.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// Equal reports whether two secrets are the same, in time that does not depend on where they differ.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(o.Reveal())) == 1
}

// IsZero reports whether no secret is set.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// Format covers every verb, so %x or %q cannot leak it either.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalJSON refuses to write a secret anywhere but through the document codec.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
