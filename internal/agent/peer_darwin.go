//go:build darwin

package agent

import "golang.org/x/sys/unix"

// socketPeerUID reads the peer's uid with LOCAL_PEERCRED.
func socketPeerUID(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}

// harden: macOS has no PR_SET_DUMPABLE; a zero core limit keeps the identity out of core files.
func harden() { _ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}) }
