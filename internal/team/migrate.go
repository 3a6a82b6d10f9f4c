package team

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/m3keys/m3keys/internal/atomicfile"
	"github.com/m3keys/m3keys/keystore"
)

// isLegacy reports a team store of the first layout: the store directory a git work tree,
// where a checkout could write the member's own files.
func isLegacy(dir string) bool { return isDir(filepath.Join(dir, ".git")) }

// openRepo is dir's team repository, migrated to the bare layout first; locked says the
// caller holds the store's lock already (a save, a sync), else a migration takes it.
func openRepo(ctx context.Context, dir string, locked bool) (repo, error) {
	if _, err := gitPath(); err != nil {
		return repo{}, err
	}
	if !keystore.IsTeam(dir) || !isRepo(dir) {
		return repo{}, notTeam(dir)
	}
	if isLegacy(dir) {
		if err := migrateLocking(ctx, dir, locked); err != nil {
			return repo{}, err
		}
	}
	return newRepo(ctx, dir), nil
}

func migrateLocking(ctx context.Context, dir string, locked bool) error {
	if !locked {
		held, err := keystore.LockStore(dir)
		if err != nil {
			return err
		}
		defer held.Unlock()
	}
	return migrate(ctx, dir)
}

// Moving an old team store's .git to team.git: facts only; each front end says what to do.
var (
	ErrTwoRepos = errors.New("the store holds both .git and " + GitDir)
	ErrNotMoved = errors.New("cannot move the team repository to " + GitDir)
)

// migrate makes a first-layout repository bare and moves it to team.git. Nothing is lost:
// the store's files stay where they are, and the next commit takes a change not committed yet.
// A migration killed at any instant is finished by the next; the rename is its one step that
// the layout depends on. The caller holds the store's lock.
func migrate(ctx context.Context, dir string) error {
	if !isLegacy(dir) {
		return nil // another m3keys migrated it while we waited for the lock
	}
	if isDir(filepath.Join(dir, GitDir)) {
		return fmt.Errorf("%w: %s", ErrTwoRepos, dir)
	}
	old := repo{dir: dir, ctx: ctx, git: filepath.Join(dir, ".git")}
	if _, err := old.run("config", "core.bare", "true"); err != nil {
		return fmt.Errorf("%w: %w", ErrNotMoved, err)
	}
	_, _ = old.run("config", "--unset-all", "core.worktree") // set only by hand
	for _, f := range []string{"index", "index.lock", "MERGE_HEAD", "ORIG_HEAD"} {
		if err := os.Remove(filepath.Join(old.git, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(old.git, filepath.Join(dir, GitDir)); err != nil {
		return fmt.Errorf("%w: %w", ErrNotMoved, err)
	}
	return atomicfile.SyncDir(dir)
}
