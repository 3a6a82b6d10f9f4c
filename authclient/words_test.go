package authclient

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMessagesNameNoFlagOrKey: a result's message is stored with the check and shown by both
// faces, later too, so it says what m3ter answered and face-neutral advice ("check the API URL")
// but never a CLI flag, an m3keys command or a key to press: each face words those itself.
func TestMessagesNameNoFlagOrKey(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("%v (%d files)", err, len(files))
	}
	literal := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	faceWords := regexp.MustCompile(` --[a-z]|\bm3keys [a-z]|\bpress [a-zA-Z]\b`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
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
