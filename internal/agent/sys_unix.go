//go:build unix

package agent

import (
	"io/fs"
	"syscall"
)

// detached starts the agent in a session of its own, so it outlives the terminal it came from.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// fileIdentity is a file's device and inode, to tell a replaced file from the one first seen.
func fileIdentity(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}

// fileOwner is a file's owning uid; ok false when the system does not say.
func fileOwner(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// privateFiles makes the files created until the returned func is called private to this user.
func privateFiles() (restore func()) {
	old := syscall.Umask(0o077)
	return func() { syscall.Umask(old) }
}
