package hinttest

import (
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/testkit"
)

// splitOut is code that cuts a " — advice" out of a message.
var splitOut = regexp.MustCompile(`(strings\.Cut|strings\.SplitN?|strings\.Index)\([^\n]*" — "`)

// adviceInError is an error made with a " — advice" tail in its text.
var adviceInError = regexp.MustCompile(`(errors\.New|Errorf|Sprintf)\([^\n]* — `)

// NoAdviceSplitOut fails t for each non-test Go file in dir that cuts " — " out of a message: a
// front end words its hint from the error (hint, hintFor), never from another package's text.
func NoAdviceSplitOut(t testing.TB, dir string) {
	t.Helper()
	for f, src := range testkit.Sources(t, dir) {
		if splitOut.MatchString(src) {
			t.Errorf("%s splits \" — \" out of a message: word the hint from the error instead", f)
		}
	}
}

// NoAdviceInErrors fails t for each error in dir's non-test Go files whose text carries a
// " — " tail: below the front ends, errors carry facts, and the front ends say what to do.
func NoAdviceInErrors(t testing.TB, dir string) {
	t.Helper()
	for f, src := range testkit.Sources(t, dir) {
		for i, line := range strings.Split(src, "\n") {
			if code, _, _ := strings.Cut(line, "//"); adviceInError.MatchString(code) {
				t.Errorf("%s:%d: an error carries advice after \" — \": make it facts only, and word the advice in cli hint and ui hintFor", f, i+1)
			}
		}
	}
}
