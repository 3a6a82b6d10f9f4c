package handout

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/m3keys/m3keys/internal/childenv"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/sanitize"
)

// Writer delivers to w (stdout), as is: no newline.
type Writer struct {
	Name string // "stdout"
	W    io.Writer
}

func (s Writer) To() string { return s.Name }

func (s Writer) Deliver(secret string) error {
	_, err := io.WriteString(s.W, secret)
	return err
}

// Clipboard delivers to a clipboard. Its clearer starts before the write: at no instant does the
// clipboard hold the secret with nothing set to clear it, whenever this process dies.
type Clipboard struct {
	CB clipboard.Clipboard
	// Replace is the previous copy (the TUI's), cleared just before this one is written.
	Replace clipboard.Pending
	// StartClearer has the text h names cleared later by another process; nil when nothing
	// clears it later (--clip-timeout 0).
	StartClearer func(h clipboard.Hash) (clipboard.Stopper, error)

	// What Deliver did.
	Hash       clipboard.Hash
	Clearer    clipboard.Stopper // the clearer that waits, nil when none
	ClearerErr error             // why no clearer waits
	Replaced   bool              // Replace was cleared
}

func (s *Clipboard) To() string { return "clipboard" }

func (s *Clipboard) Deliver(text string) error {
	_, _ = s.Replace.ClearIfUnchanged() // this copy replaces it: a failure to clear changes nothing here
	s.Replaced = true
	h := clipboard.Sum(text)
	if s.StartClearer != nil {
		s.Clearer, s.ClearerErr = s.StartClearer(h)
	}
	got, err := s.CB.Write(text)
	if err != nil {
		if s.Clearer != nil {
			s.Clearer.Stop() // nothing of ours to clear; OSC 52 would clear blindly what is there
			s.Clearer = nil
		}
		return err
	}
	s.Hash = got
	return nil
}

// Command delivers to the stdin of a command, run without a shell and without the M3KEYS_
// variables; its stdout and stderr pass through. It fails when the command cannot start or
// exits non-zero. Signals that would end m3keys while it runs (^C reaches both; SIGTERM and
// SIGHUP this process) go to the command instead, so m3keys lives to roll the mark back.
type Command struct {
	Argv           []string
	Stdout, Stderr io.Writer
}

func (s Command) To() string { return "command " + s.name() }

func (s Command) name() string { return sanitize.Line(s.Argv[0]) }

// ErrCommandFailed is a command that ran and exited non-zero.
var ErrCommandFailed = errors.New("the command failed")

func (s Command) Deliver(secret string) error {
	if len(s.Argv) == 0 {
		return errors.New("no command")
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	cmd.Env = childenv.Environ()
	cmd.Stdin = strings.NewReader(secret)
	cmd.Stdout, cmd.Stderr = s.Stdout, s.Stderr
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s did not start: %w", s.name(), unwrapPath(err))
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case v := <-sig:
				_ = cmd.Process.Signal(v)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return fmt.Errorf("%w: %s %s", ErrCommandFailed, s.name(), exit.ProcessState.String())
	case err != nil:
		return fmt.Errorf("%s: %w", s.name(), err)
	}
	return nil
}

// unwrapPath drops exec's own "exec: "name": " prefix from a command not found.
func unwrapPath(err error) error {
	var e *exec.Error
	if errors.As(err, &e) {
		return e.Err
	}
	return err
}
