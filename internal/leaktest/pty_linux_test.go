package leaktest

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// pty is a pseudo-terminal made with the standard library only: the child gets the
// follower side as its controlling terminal (so /dev/tty opens it), the test reads and
// writes the leader side as the person at the keyboard.
type pty struct {
	leader, follower *os.File
	mu               sync.Mutex
	out              bytes.Buffer // everything the child wrote to the terminal
	done             chan struct{}
	answered         int // how much of out the prompts answered so far take
}

func openPTY() (*pty, error) {
	leader, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	var n uint32
	if err := ioctl(leader, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		leader.Close()
		return nil, err
	}
	var unlock int32
	if err := ioctl(leader, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		leader.Close()
		return nil, err
	}
	follower, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		leader.Close()
		return nil, err
	}
	p := &pty{leader: leader, follower: follower, done: make(chan struct{})}
	go p.read()
	return p, nil
}

func ioctl(f *os.File, req uint, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(req), uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

func (p *pty) read() {
	defer close(p.done)
	buf := make([]byte, 4096)
	for {
		n, err := p.leader.Read(buf)
		p.mu.Lock()
		p.out.Write(buf[:n])
		p.mu.Unlock()
		if err != nil {
			return // EIO once the last follower is closed
		}
	}
}

func (p *pty) output() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.out.Bytes())
}

// echoOff reports whether the terminal has stopped echoing (a hidden prompt is reading).
func (p *pty) echoOff() bool {
	var tio syscall.Termios
	if err := ioctl(p.follower, syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		return false
	}
	return tio.Lflag&syscall.ECHO == 0
}

// answer waits for the child to show prompt (after the prompts answered so far) and
// switch echo off, then types line: typed before that, the line would be echoed back and
// show up in the terminal's output.
func (p *pty) answer(prompt, line string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		out := p.output()
		if i := bytes.Index(out[p.answered:], []byte(prompt)); i >= 0 && p.echoOff() {
			p.answered += i + len(prompt)
			_, err := p.leader.Write([]byte(line + "\n"))
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no hidden prompt %q within %v", prompt, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *pty) close() {
	p.follower.Close()
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
	}
	p.leader.Close()
}
