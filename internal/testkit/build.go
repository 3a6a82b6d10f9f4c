// Package testkit holds what the tests of several packages share.
package testkit

import (
	"path/filepath"
	"testing"

	"github.com/m3keys/m3keys/internal/childenv"
)

// BuildM3keys builds the m3keys program into a folder of t's and returns its path, for
// tests that run the real binary. The build, a child like any other, gets no M3KEYS_ variable.
func BuildM3keys(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "m3keys")
	if out, err := childenv.Command("go", "build", "-o", bin, "github.com/m3keys/m3keys").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
