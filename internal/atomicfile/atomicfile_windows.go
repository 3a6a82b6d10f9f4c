package atomicfile

import (
	"errors"
	"os"
)

// ErrUnsupported: a replace that no crash can tear (renameio: fsync, rename, fsync the
// directory) is written for POSIX file systems only.
var ErrUnsupported = errors.New("not supported on Windows: m3keys replaces files atomically only on Linux and macOS")

// Write refuses on Windows, writing nothing.
func Write(path string, data []byte, perm os.FileMode, prepare func(Pending) error) error {
	return ErrUnsupported
}

// SyncDir refuses on Windows, like Write.
func SyncDir(dir string) error { return ErrUnsupported }
