package cli

import (
	"errors"
	"os"
	"syscall"
)

// discards says why what is written to f is lost — f is the null device, or not open — or "".
// A secret sent there is spent on nothing. (Go reopens a standard descriptor that was closed
// when the program started as /dev/null, so a closed stdout shows as the null device.)
func discards(f *os.File) string {
	fi, err := f.Stat()
	if errors.Is(err, syscall.EBADF) || errors.Is(err, os.ErrClosed) || errors.Is(err, os.ErrInvalid) {
		return "stdout is closed"
	}
	if err != nil {
		return "" // the write will tell
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return "stdout is " + os.DevNull + " (or was closed)"
	}
	return ""
}
