//go:build unix

package clipboard

import "syscall"

// detached puts the clearer in a session of its own: the terminal's hang-up and ^C do not reach it.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
