//go:build !windows

package atomicfile

import (
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// Write replaces path with data: a temp file in path's directory (never $TMPDIR, where a
// kill would leave a copy), fsync, rename, fsync the directory. prepare, when set, runs on
// the temp file before data is written (to chown it).
func Write(path string, data []byte, perm os.FileMode, prepare func(Pending) error) error {
	dir := filepath.Dir(path)
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir), renameio.WithStaticPermissions(perm))
	if err != nil {
		return err
	}
	defer func() { _ = pf.Cleanup() }() // no-op after a successful replace
	if prepare != nil {
		if err := prepare(pf); err != nil {
			return err
		}
	}
	if _, err := pf.Write(data); err != nil {
		return err
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes a change to dir's entries (a rename, a removal) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}
