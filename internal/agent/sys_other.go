//go:build !unix

package agent

import (
	"io/fs"
	"syscall"
)

// The agent does not run here (Supported is false, see peer_other.go): these only let the
// package build, for the CLI to say so.

func detached() *syscall.SysProcAttr { return nil }

func fileIdentity(fs.FileInfo) (dev, ino uint64) { return 0, 0 }

func fileOwner(fs.FileInfo) (uid int, ok bool) { return 0, false }

func privateFiles() (restore func()) { return func() {} }
