package childenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every file of m3keys that starts a process says which environment the process gets, through
// this package: a new exec.Command elsewhere would hand a child the passphrase again.
func TestEveryChildOfM3keysGoesThroughChildenv(t *testing.T) {
	root := filepath.Join("..", "..")
	skip := map[string]bool{
		"internal/childenv":           true, // this package
		"internal/benchcheck":         true, // a benchmark driver, not part of m3keys
		"internal/clipboard/xvfbtest": true, // a test helper
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skip[rel] || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := string(src)
		starts := strings.Contains(s, "exec.Command") || strings.Contains(s, "os.StartProcess") || strings.Contains(s, "syscall.Exec")
		if starts && !strings.Contains(s, "childenv.") {
			t.Errorf("%s starts a process without childenv", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
