package team

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No git child gets $M3KEYS_PASSPHRASE: git runs hooks, ssh and credential helpers, none of
// which has any business with the key to the whole store. A git wrapper on PATH writes the
// environment each git command ran with, then runs the real git.
func TestGitGetsNoM3keysVariable(t *testing.T) {
	bin, dump := t.TempDir(), filepath.Join(t.TempDir(), "env")
	wrapper := "#!/bin/sh\nenv >> '" + dump + "'\necho '--' >> '" + dump + "'\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("M3KEYS_PASSPHRASE", "passphrase-for-no-child")
	t.Setenv("M3KEYS_HOME", "/somewhere")
	t.Setenv("CHILDENV_MARK", "kept")
	r := newRepo(context.Background(), t.TempDir())
	if _, err := r.run("status"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.output([]byte("data"), "hash-object", "--stdin"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	env := string(data)
	if n := strings.Count(env, "CHILDENV_MARK=kept"); n != 2 {
		t.Fatalf("the wrapper saw %d of the 2 git commands with their environment", n)
	}
	if strings.Contains(env, "M3KEYS_") || strings.Contains(env, "passphrase-for-no-child") {
		t.Error("a git child got an M3KEYS_ variable")
	}
}
