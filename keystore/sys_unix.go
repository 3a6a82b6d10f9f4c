//go:build !windows

package keystore

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// What the store needs of the operating system: file owners and identities (stat), an open
// that follows no link and waits on no FIFO, and flock(2). Linux and macOS have all of them.

// errPlatform is why this system cannot keep a store, or nil.
var errPlatform error

// openFlags make an open follow no symbolic link and not block on a FIFO.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// isSymlinkRefusal reports that an open with openFlags met a symbolic link.
func isSymlinkRefusal(err error) bool { return errors.Is(err, syscall.ELOOP) }

// fileOwner is the uid and gid that own fi's file.
func fileOwner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// fileIdentity is the device and inode of fi's file, or zeros.
func fileIdentity(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}

// tryLock takes an exclusive flock on f without waiting; held is false when another has it.
func tryLock(f *os.File) (held bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR) {
		return false, nil
	}
	return err == nil, err
}

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
