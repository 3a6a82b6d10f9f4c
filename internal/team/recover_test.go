package team_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/m3keys/m3keys/internal/team"
)

// Lock files a killed git left (a ref's, the config's, packed-refs') do not stop the next sync:
// it holds the store's lock, so no git of m3keys' is using them, and it clears them.
func TestSyncClearsLocksADeadGitLeft(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	bob.addKey("ingest", "AK-2")
	repo := filepath.Join(bob.dir, team.GitDir)
	for _, f := range []string{"refs/heads/main.lock", "refs/remotes/origin/main.lock", "config.lock", "packed-refs.lock", "HEAD.lock"} {
		if err := os.WriteFile(filepath.Join(repo, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if r := bob.mustSync(); !r.Merged || !r.Pushed {
		t.Fatalf("bob's sync after a dead git = %+v, want merged and pushed", r)
	}
	fsck(t, bob.dir)
}
