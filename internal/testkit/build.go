// Package testkit holds what the tests of several packages share.
package testkit

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildM3keys builds the m3keys program into a folder of t's and returns its path, for
// tests that run the real binary.
func BuildM3keys(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "m3keys")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/m3keys/m3keys").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
