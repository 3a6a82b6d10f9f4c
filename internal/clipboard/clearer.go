package clipboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/m3keys/m3keys/internal/childenv"
)

// ClearerArg is the hidden argument on which m3keys runs as the detached clearer. main checks
// for it before anything else:
//
//	if len(os.Args) == 2 && os.Args[1] == clipboard.ClearerArg { _ = clipboard.RunClearer(os.Stdin); return }
const ClearerArg = "__clear-clipboard"

// clearRequest is all the clearer is told, through its stdin: a hash, never the text.
type clearRequest struct {
	Mode    Mode   `json:"mode"`
	Hash    string `json:"hash"`
	Timeout string `json:"timeout"`
	Wrap    wrap   `json:"wrap,omitempty"` // OSC52 only
}

// Stopper ends a clearer that is no longer needed: its copy failed, or its owner cleared it.
type Stopper interface{ Stop() }

// Clearer is a started detached clearer.
type Clearer struct{ cmd *exec.Cmd }

var _ Stopper = (*Clearer)(nil)

// Stop ends the clearer before it clears anything, and waits for it. It is safe to call on a
// clearer that ended already, and on nil.
func (c *Clearer) Stop() {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// StartClearer starts a detached copy of exe (os.Executable()) that clears cb after timeout if it
// still holds what h names — as `pass -c` does — and returns at once; the clearer outlives this
// process. The child learns only the hash and the timeout, through a pipe; argv and environment
// carry neither, and the environment is cut down to what the clipboard tools need. Timeout 0
// means never: nothing is started, and the Clearer is nil. OSC52 can be cleared later only when
// its Terminal is a file (the tty), which the child keeps.
func StartClearer(exe string, cb Clipboard, h Hash, timeout time.Duration) (*Clearer, error) {
	if timeout == 0 {
		return nil, nil
	}
	req, term, err := requestFor(cb, h, timeout)
	if err != nil {
		return nil, err
	}
	cmd := clearerCommand(exe, clearerEnv(childenv.Environ()), term)
	if err := startClearer(cmd, req); err != nil {
		return nil, err
	}
	return &Clearer{cmd: cmd}, nil
}

func requestFor(cb Clipboard, h Hash, timeout time.Duration) (clearRequest, *os.File, error) {
	if timeout < 0 {
		return clearRequest{}, nil, errors.New("the clipboard timeout must not be negative")
	}
	req := clearRequest{Mode: cb.Mode(), Hash: h.String(), Timeout: timeout.String()}
	switch c := cb.(type) {
	case *systemClipboard:
		return req, nil, nil
	case *osc52Clipboard:
		term, ok := c.term.(*os.File)
		if !ok {
			return req, nil, errors.New("the clipboard cannot be cleared later: OSC 52 was not sent to a terminal")
		}
		req.Wrap = c.wrap
		return req, term, nil
	}
	return req, nil, fmt.Errorf("the clipboard cannot be cleared later: a %T lives in this process only", cb)
}

// clearerCommand is the child, built but not started, so tests can read its argv and environment.
func clearerCommand(exe string, env []string, term *os.File) *exec.Cmd {
	cmd := exec.Command(exe, ClearerArg)
	cmd.Env = env
	cmd.SysProcAttr = detached()
	if term != nil {
		cmd.ExtraFiles = []*os.File{term} // fd 3 in the child
	}
	return cmd // stdout and stderr nil: /dev/null
}

// clearerEnv keeps what xclip, xsel, wl-copy and pbcopy need to reach the clipboard, and drops
// the rest — every M3KEYS_ variable above all (childenv): the clearer's settings come through its stdin.
func clearerEnv(environ []string) []string {
	keep := map[string]bool{"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "TMPDIR": true,
		"DISPLAY": true, "XAUTHORITY": true, "WAYLAND_DISPLAY": true, "XDG_RUNTIME_DIR": true,
		"LANG": true, "LC_ALL": true, "LC_CTYPE": true, "SYSTEMROOT": true}
	var env []string
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); keep[strings.ToUpper(k)] {
			env = append(env, kv)
		}
	}
	return env
}

func startClearer(cmd *exec.Cmd, req clearRequest) error {
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("the clipboard clearer could not start: %v", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("the clipboard clearer could not start: %v", err)
	}
	err = json.NewEncoder(in).Encode(req)
	if cerr := in.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("the clipboard clearer could not be told what to clear: %v", err)
	}
	return nil
}

// RunClearer is the detached clearer's whole life: read the request from stdin, close it, wait
// for the timeout or SIGHUP/SIGTERM/SIGINT, then clear the clipboard if it still holds what the
// hash names. Its stdout and stderr are /dev/null, so the error is for tests.
func RunClearer(stdin io.Reader) error {
	return runClearer(stdin, nil, openForClearer)
}

// runClearer tells ready when it waits, so a test can signal it without racing its start.
func runClearer(stdin io.Reader, ready io.Writer, open func(clearRequest) (Clipboard, error)) error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sig)

	var req clearRequest
	err := json.NewDecoder(io.LimitReader(stdin, 1<<10)).Decode(&req)
	if c, ok := stdin.(io.Closer); ok {
		_ = c.Close()
	}
	if err != nil {
		return fmt.Errorf("clearer: unreadable request: %v", err)
	}
	h, err := ParseHash(req.Hash)
	if err != nil {
		return fmt.Errorf("clearer: %v", err)
	}
	timeout, err := time.ParseDuration(req.Timeout)
	if err != nil || timeout <= 0 {
		return fmt.Errorf("clearer: bad timeout %q", req.Timeout)
	}
	cb, err := open(req)
	if err != nil {
		return err
	}
	if ready != nil {
		fmt.Fprintln(ready, "ready")
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sig:
	}
	_, err = cb.ClearIfUnchanged(h)
	return err
}

func openForClearer(req clearRequest) (Clipboard, error) {
	switch req.Mode {
	case System:
		return newSystem(Options{}), nil
	case OSC52:
		return newOSC52(os.NewFile(3, "terminal"), req.Wrap), nil
	}
	return nil, fmt.Errorf("clearer: unknown mode %q", req.Mode)
}
