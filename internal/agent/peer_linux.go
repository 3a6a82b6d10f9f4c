//go:build linux

package agent

import "golang.org/x/sys/unix"

// socketPeerUID reads the peer's uid with SO_PEERCRED.
func socketPeerUID(fd int) (int, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}

// harden makes the agent's memory undumpable: no core file, no ptrace by the same user.
func harden() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
