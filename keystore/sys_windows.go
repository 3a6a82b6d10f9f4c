package keystore

import (
	"io/fs"
	"os"
)

// errPlatform is why this system cannot keep a store.
var errPlatform = ErrUnsupportedPlatform

const openFlags = 0

func isSymlinkRefusal(error) bool { return false }

func fileOwner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

func fileIdentity(fs.FileInfo) (dev, ino uint64) { return 0, 0 }

func tryLock(*os.File) (bool, error) { return false, errPlatform }

func unlockFile(*os.File) {}
