package keystore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockTimeoutError is returned when another process held the store's lock for the
// whole wait. It matches ErrLockTimeout with errors.Is.
type LockTimeoutError struct {
	Path    string
	PID     int // 0 when the holder did not record it
	Timeout time.Duration
}

func (e *LockTimeoutError) Error() string {
	holder := "another process"
	switch {
	case e.Own():
		return fmt.Sprintf("this m3keys's own team sync is using the store: it held %s for %s", e.Path, e.Timeout)
	case e.PID > 0:
		holder = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%v: %s held %s for %s", ErrLockTimeout, holder, e.Path, e.Timeout)
}

// Own reports that this process holds the lock: its team sync, the one thing that holds the
// store's lock beside a save, which the store serializes itself.
func (e *LockTimeoutError) Own() bool { return e.PID == os.Getpid() }

func (e *LockTimeoutError) Unwrap() error { return ErrLockTimeout }

// dirLock is the held lock on a store directory. The holder's pid is in the file
// while it is held, so a waiter can name it.
type dirLock struct{ f *os.File }

func lockDir(dir string, own owner, o options) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := openStoreFile(path, os.O_RDWR|os.O_CREATE, own)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	noticed := false
	for delay := time.Millisecond; ; delay = min(2*delay, 25*time.Millisecond) {
		held, err := tryLock(f)
		if held {
			break
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("cannot lock %s: %w", path, err)
		}
		waited := time.Since(start)
		if waited >= o.lockTimeout {
			pid := holderPID(f)
			_ = f.Close()
			return nil, &LockTimeoutError{Path: path, PID: pid, Timeout: o.lockTimeout}
		}
		if !noticed && waited >= o.noticeAfter && o.lockNotice != nil {
			noticed = true
			o.lockNotice(LockWait{Path: path, PID: holderPID(f), Timeout: o.lockTimeout})
		}
		time.Sleep(min(delay, o.lockTimeout-waited))
	}
	// A failure to record the pid costs only the name in a waiter's message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) Unlock() {
	_ = l.f.Truncate(0)
	unlockFile(l.f)
	_ = l.f.Close()
}

// holderPID reads the pid the holder wrote, or 0.
func holderPID(f *os.File) int {
	buf := make([]byte, 32)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
