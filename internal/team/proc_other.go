//go:build !linux && !windows

package team

import "syscall"

// diesWithParent: only Linux has a parent-death signal; elsewhere the caller's context ends git.
func diesWithParent(*syscall.SysProcAttr) {}
