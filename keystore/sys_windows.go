package keystore

import (
	"errors"
	"io/fs"
	"os"
)

// errPlatform: the store keeps secrets private with POSIX file owners and modes (refusing a
// store others can read) and serializes saves with flock(2); Windows has ACLs and LockFileEx
// instead, which m3keys does not check or use, so it refuses rather than keep a store it
// cannot vouch for.
var errPlatform = errors.New("not supported on Windows: the keystore relies on POSIX file modes and flock(2) to keep secrets private — run m3keys in WSL, or on Linux or macOS")

const openFlags = 0

func isSymlinkRefusal(error) bool { return false }

func fileOwner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

func fileIdentity(fs.FileInfo) (dev, ino uint64) { return 0, 0 }

func tryLock(*os.File) (bool, error) { return false, errPlatform }

func unlockFile(*os.File) {}
