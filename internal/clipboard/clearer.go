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
	// Watch: the starter keeps the pipe open while it lives, and the clearer also clears as
	// soon as the pipe ends — however the starter ended (the TUI killed, or quit at once by a
	// second ctrl+c). Timeout 0 then means: only then.
	Watch bool `json:"watch,omitempty"`
}

// Stopper ends a clearer that is no longer needed: its copy failed, or its owner cleared it.
type Stopper interface{ Stop() }

// Clearer is a started detached clearer.
type Clearer struct {
	cmd   *exec.Cmd
	watch io.Closer // the pipe a watching clearer waits on; nil once told everything
}

var _ Stopper = (*Clearer)(nil)

// Stop ends the clearer before it clears anything, and waits for it. It is safe to call on a
// clearer that ended already, and on nil.
func (c *Clearer) Stop() {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	if c.watch != nil {
		_ = c.watch.Close()
	}
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
	return start(exe, cb, h, timeout, false)
}

// WatchClearer is StartClearer for a program that stays (the TUI): the clearer also clears
// as soon as this process ends, however it ends — even by SIGKILL, which no clean-up sees.
// Timeout 0 means only then. The owner Stops it once it has cleared the copy itself.
func WatchClearer(exe string, cb Clipboard, h Hash, timeout time.Duration) (*Clearer, error) {
	return start(exe, cb, h, timeout, true)
}

func start(exe string, cb Clipboard, h Hash, timeout time.Duration, watch bool) (*Clearer, error) {
	req, term, err := requestFor(cb, h, timeout)
	if err != nil {
		return nil, err
	}
	req.Watch = watch
	cmd := clearerCommand(exe, clearerEnv(childenv.Environ()), term)
	in, err := startClearerPipe(cmd, req)
	if err != nil {
		return nil, err
	}
	return &Clearer{cmd: cmd, watch: in}, nil
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
	_, err := startClearerPipe(cmd, req)
	return err
}

// startClearerPipe starts the clearer and tells it req; the pipe stays open when req.Watch,
// and is returned, so that its end (this process's) tells the clearer to clear.
func startClearerPipe(cmd *exec.Cmd, req clearRequest) (io.WriteCloser, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("the clipboard clearer could not start: %v", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("the clipboard clearer could not start: %v", err)
	}
	err = json.NewEncoder(in).Encode(req)
	if err == nil && req.Watch {
		return in, nil
	}
	if cerr := in.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("the clipboard clearer could not be told what to clear: %v", err)
	}
	return nil, nil
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
	var gone chan struct{} // closed when a watched starter ends; nil: never
	if err == nil && req.Watch {
		gone = make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			close(gone)
		}()
	} else if c, ok := stdin.(io.Closer); ok {
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
	if err != nil || timeout < 0 || timeout == 0 && !req.Watch {
		return fmt.Errorf("clearer: bad timeout %q", req.Timeout)
	}
	cb, err := open(req)
	if err != nil {
		return err
	}
	if ready != nil {
		fmt.Fprintln(ready, "ready")
	}
	var due <-chan time.Time // nil: never by time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		due = t.C
	}
	select {
	case <-due:
	case <-sig:
	case <-gone:
		// The starter died: perhaps while a clipboard tool was taking the text from it. Give
		// the tool a moment to take the selection, so that what is cleared is the secret.
		time.Sleep(settle)
	}
	_, err = cb.ClearIfUnchanged(h)
	return err
}

// settle is how long a clearer whose starter died waits before it clears.
const settle = 500 * time.Millisecond

func openForClearer(req clearRequest) (Clipboard, error) {
	switch req.Mode {
	case System:
		return newSystem(Options{}), nil
	case OSC52:
		return newOSC52(os.NewFile(3, "terminal"), req.Wrap), nil
	}
	return nil, fmt.Errorf("clearer: unknown mode %q", req.Mode)
}
