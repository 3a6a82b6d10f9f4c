//go:build !linux && !darwin

package agent

func lockedBytes(n int) ([]byte, func()) {
	b := make([]byte, n)
	return b, func() { clear(b) }
}
