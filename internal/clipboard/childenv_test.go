//go:build unix

package clipboard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The system clipboard's tool gets no M3KEYS_ variable: xclip lives on for as long as it owns
// the selection, and would hold $M3KEYS_PASSPHRASE all that time. A fake xclip on PATH keeps
// what it is given in a file and writes down its environment.
func TestClipboardToolGetsNoM3keysVariable(t *testing.T) {
	bin, state := t.TempDir(), t.TempDir()
	fake := "#!/bin/sh\nenv >> '" + state + "/env'\ncase \"$1\" in\n-in) cat > '" + state + "/held' ;;\n-out) cat '" + state + "/held' ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(bin, "xclip"), []byte(fake), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DISPLAY", ":42")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("M3KEYS_PASSPHRASE", "passphrase-for-no-child")
	t.Setenv("CHILDENV_MARK", "kept")
	cb := New(System, Options{goos: "linux"})
	h, err := cb.Write("text")
	if err != nil {
		t.Fatal(err)
	}
	if cleared, err := cb.ClearIfUnchanged(h); err != nil || !cleared {
		t.Fatalf("clear: %v %v", cleared, err)
	}
	data, err := os.ReadFile(filepath.Join(state, "env"))
	if err != nil {
		t.Fatal(err)
	}
	// write and its read back, the clear's read back, its write and that write's read back
	if n := strings.Count(string(data), "CHILDENV_MARK=kept"); n != 5 {
		t.Fatalf("xclip ran %d times with the marker, want 5 (write and read back, read back, clear and read back)", n)
	}
	if strings.Contains(string(data), "M3KEYS_") || strings.Contains(string(data), "passphrase-for-no-child") {
		t.Error("xclip got an M3KEYS_ variable")
	}
}
