package keystore

import (
	"errors"
	"testing"
)

func TestValidateNewPassphrase(t *testing.T) {
	for _, c := range []struct {
		pass string
		ok   bool
	}{{"", false}, {"1234567", false}, {"12345678", true}, {"äöüßäöü", false}, {"äöüßäöüß", true}} {
		err := ValidateNewPassphrase(c.pass)
		if (err == nil) != c.ok {
			t.Errorf("ValidateNewPassphrase of %d runes: %v, want ok=%v", len([]rune(c.pass)), err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrPassphraseTooShort) {
			t.Errorf("error does not wrap ErrPassphraseTooShort: %v", err)
		}
	}
}
