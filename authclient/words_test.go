package authclient

import (
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/testkit"
)

// TestMessagesNameNoFlagOrKey: a result's message is stored with the check and shown by both
// faces, later too, so it says what m3ter answered and face-neutral advice ("check the API URL")
// but never a CLI flag, an m3keys command or a key to press: each face words those itself.
func TestMessagesNameNoFlagOrKey(t *testing.T) {
	literal := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	faceWords := regexp.MustCompile(` --[a-z]|\bm3keys [a-z]|\bpress [a-zA-Z]\b`)
	for f, src := range testkit.Sources(t, ".") {
		for i, line := range strings.Split(src, "\n") {
			for _, lit := range literal.FindAllString(line, -1) {
				if lit == `"m3keys token v1"` { // TokenKey's hash domain, never shown
					continue
				}
				if faceWords.MatchString(lit) {
					t.Errorf("%s:%d: %s names a flag, command or key", f, i+1, lit)
				}
			}
		}
	}
}
