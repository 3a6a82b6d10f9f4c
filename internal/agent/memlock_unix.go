//go:build linux || darwin

package agent

import "golang.org/x/sys/unix"

// lockedBytes is n bytes outside Go's heap, locked in memory (never swapped) where the
// system allows it — best effort: without the right it is still a page of its own, wiped on exit.
func lockedBytes(n int) (buf []byte, free func()) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		b := make([]byte, n)
		return b, func() { clear(b) }
	}
	_ = unix.Mlock(b)
	return b, func() {
		clear(b)
		_ = unix.Munlock(b)
		_ = unix.Munmap(b)
	}
}
