//go:build linux

package team

import "syscall"

// diesWithParent has the kernel end git when m3keys dies, however it dies (SIGKILL, a closed
// terminal): a git left running would go on changing the repository under the next sync.
func diesWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
