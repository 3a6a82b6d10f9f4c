package keystore

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MinPassphraseLength is the shortest passphrase a new store (or a new passphrase) takes,
// in characters. Stores made with a shorter one before the rule keep opening with it.
const MinPassphraseLength = 8

// ErrPassphraseTooShort is what ValidateNewPassphrase wraps.
var ErrPassphraseTooShort = errors.New("too short")

// ValidateNewPassphrase refuses a new passphrase under MinPassphraseLength characters,
// saying how long it is: "too short: 7 characters; a new passphrase needs at least 8".
func ValidateNewPassphrase(p string) error {
	if n := utf8.RuneCountInString(p); n < MinPassphraseLength {
		return fmt.Errorf("%w: %d characters; a new passphrase needs at least %d", ErrPassphraseTooShort, n, MinPassphraseLength)
	}
	return nil
}
