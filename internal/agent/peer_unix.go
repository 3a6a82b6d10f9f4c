//go:build linux || darwin

package agent

import "net"

// Supported: the agent runs here, since the peer's uid can be checked.
const Supported = true

// peerUID is the uid of the process at the other end of c, as the kernel reports it.
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, cerr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, cerr = socketPeerUID(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, cerr
}
