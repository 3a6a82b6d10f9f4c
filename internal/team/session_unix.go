//go:build !windows

package team

import (
	"os/exec"
	"syscall"
)

// ownSession starts cmd in a session of its own, with no controlling terminal, and has a
// cancel end its whole process group.
func ownSession(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	diesWithParent(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
