package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/sanitize"
)

// installAdvice is what to do when no clipboard works here.
const installAdvice = "install xclip or wl-clipboard, or run with --clipboard osc52"

// openClipboard checks the clipboard settings and opens the clipboard they name, before anything
// is marked or fetched, so a clipboard that cannot work costs nothing.
func (c *invocation) openClipboard() (clipboard.Clipboard, time.Duration, error) {
	mode, timeout, err := c.clipboardOptions()
	if err != nil {
		return nil, 0, err
	}
	if c.env.Clipboard == nil {
		return nil, 0, usageErr("this build has no clipboard").hint("pipe the secret instead: m3keys secret KEY_ID | …")
	}
	cb, err := c.env.Clipboard(mode)
	if err != nil {
		return nil, 0, failure(ExitUsage, "cannot use the clipboard: ", err, installAdvice)
	}
	return cb, timeout, nil
}

// clipboardSink is where copy and token --copy write; its clearer starts before the write.
func (c *invocation) clipboardSink(cb clipboard.Clipboard, timeout time.Duration) *handout.Clipboard {
	s := &handout.Clipboard{CB: cb}
	if timeout > 0 && c.env.StartClearer != nil {
		s.StartClearer = func(h clipboard.Hash) (clipboard.Stopper, error) { return c.env.StartClearer(cb, h, timeout) }
	}
	return s
}

// copied says on stderr, in one line, what was copied and when it goes.
func (c *invocation) copied(s *handout.Clipboard, timeout time.Duration, what, note string) {
	if s.CB.Mode() == clipboard.OSC52 {
		// OSC 52 cannot be read back: only the user can tell whether the terminal took it.
		what += " through the terminal (OSC 52: if nothing pastes, the terminal does not allow it; in tmux, set -g set-clipboard on)"
	}
	when := "the clipboard clears in " + shortDuration(timeout)
	switch {
	case timeout == 0:
		when = "the clipboard is never cleared (--clip-timeout 0): clear it yourself once pasted"
	case s.StartClearer == nil:
		when = "the clipboard will not be cleared: this build cannot clear it later; clear it yourself once pasted"
	case s.ClearerErr != nil:
		when = "the clipboard will not be cleared: " + sanitize.Line(s.ClearerErr.Error()) + "; clear it yourself once pasted"
	}
	if note != "" {
		when += "; " + note
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: %s — %s\n", what, when)
}

// shortDuration is 30s, 2m or 1h30m rather than Go's 2m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

var errNoTerminalForOSC52 = errors.New("OSC 52 sends the clipboard through the terminal, and there is none — " +
	"run m3keys on a terminal, or install xclip or wl-clipboard and run with --clipboard system")

// systemClipboard is the real Env.Clipboard. OSC 52 goes to /dev/tty, which stays open for the
// life of the process: the detached clearer inherits it to clear the clipboard later.
func systemClipboard(mode clipboard.Mode) (clipboard.Clipboard, error) {
	opts := clipboard.Options{}
	f, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err == nil && term.IsTerminal(int(f.Fd())) {
		opts.Terminal = f
	} else if err == nil {
		_ = f.Close()
	}
	cb := clipboard.New(mode, opts)
	if cb.Mode() == clipboard.OSC52 && opts.Terminal == nil {
		return nil, errNoTerminalForOSC52
	}
	return cb, nil
}

// startClearer is the real Env.StartClearer: a detached copy of this program.
func startClearer(cb clipboard.Clipboard, h clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("the m3keys program that would clear it cannot be found: %v", err)
	}
	cl, err := clipboard.StartClearer(exe, cb, h, timeout)
	if cl == nil { // a nil *Clearer is not a nil Stopper
		return nil, err
	}
	return cl, err
}
