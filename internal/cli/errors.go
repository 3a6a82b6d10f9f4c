package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// exitError carries its own exit code and advice; other errors are classified by kind.
type exitError struct {
	code   int
	msg    string
	advice string
}

func (e *exitError) Error() string { return e.msg }

// usageErr is bad input (exit 2): what went wrong; .hint adds what to do.
func usageErr(format string, args ...any) *exitError {
	return &exitError{code: ExitUsage, msg: fmt.Sprintf(format, args...)}
}

// refused is a rule that says no (exit 3); .hint adds what to do.
func refused(format string, args ...any) *exitError {
	return &exitError{code: ExitRefused, msg: fmt.Sprintf(format, args...)}
}

// hint sets what to do about e, in the CLI's terms.
func (e *exitError) hint(format string, args ...any) *exitError {
	e.advice = fmt.Sprintf(format, args...)
	return e
}

// errorLine is the one line a user reads: "m3keys: what went wrong[: why] — what to do".
func errorLine(err error) string {
	advice := hint(err)
	var e *exitError
	if errors.As(err, &e) && e.advice != "" {
		advice = e.advice
	}
	msg := "m3keys: " + err.Error()
	// The packages' errors carry facts only, but an m3ter answer's text (authclient's
	// Result.Message, also shown in the TUI's check results) carries its own advice.
	if advice != "" && !strings.Contains(msg, " — ") {
		msg += " — " + advice
	}
	return msg
}

func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	var v *keystore.ValidationError
	switch {
	case errors.As(err, &v), errors.Is(err, keystore.ErrNotFound), errors.Is(err, keystore.ErrLockTimeout): // bad input, like an unknown flag; a busy store
		return ExitUsage
	case errors.Is(err, keystore.ErrKeyLimit), errors.Is(err, keystore.ErrKeyActive),
		errors.Is(err, keystore.ErrLastActiveKey), errors.Is(err, keystore.ErrDuplicateKey),
		errors.Is(err, keystore.ErrDuplicateOrg), errors.Is(err, keystore.ErrOrgMismatch),
		errors.Is(err, keystore.ErrDuplicateUser), errors.Is(err, keystore.ErrOrgNotEmpty),
		errors.Is(err, keystore.ErrSecretAlreadyCopied), errors.Is(err, keystore.ErrOverLimit):
		return ExitRefused
	}
	return ExitUsage
}

// failure turns err into one message with code: prefix and err's facts, then what hint says
// to do about err, else the fallback advice.
func failure(code int, prefix string, err error, fallback string) error {
	advice := hint(err)
	if advice == "" {
		advice = fallback
	}
	return &exitError{code: code, msg: prefix + err.Error(), advice: advice}
}
