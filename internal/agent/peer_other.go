//go:build !linux && !darwin

package agent

import (
	"errors"
	"net"
)

// Supported: the agent does not run here — the peer's uid cannot be checked.
const Supported = false

func peerUID(*net.UnixConn) (int, error) { return -1, errors.New("unsupported") }

func harden() {}
