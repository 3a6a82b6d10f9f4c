package testkit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sources is the text of dir's non-test Go files, by path, for tests that hold a rule over
// the code itself (which package may do what, which words an error may carry).
func Sources(t testing.TB, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	srcs := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = string(b)
	}
	return srcs
}
