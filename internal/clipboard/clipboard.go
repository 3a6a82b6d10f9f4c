// Package clipboard hands a secret or a token out through the clipboard and clears it after:
// the system clipboard (xclip, xsel, wl-copy, pbcopy, … through atotto/clipboard) or the terminal's,
// through OSC 52. Only a SHA-256 hash of what was written is kept, so clearing can check that the
// clipboard still holds it; OSC 52 cannot read back, so it clears blindly.
package clipboard

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Mode names a backend, as --clipboard and $M3KEYS_CLIPBOARD spell it.
type Mode string

const (
	Auto   Mode = "auto"   // System where a display and a tool are present, else OSC52
	System Mode = "system" // xclip, xsel, wl-copy, pbcopy, … through atotto/clipboard
	OSC52  Mode = "osc52"  // the terminal's clipboard, through an escape sequence
)

// DefaultTimeout is how long a copy stays on the clipboard when --clip-timeout is not given.
const DefaultTimeout = 30 * time.Second

// ParseMode reads --clipboard (or $M3KEYS_CLIPBOARD); empty means Auto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return Auto, nil
	case Auto, System, OSC52:
		return m, nil
	}
	return "", fmt.Errorf("%q is not a clipboard mode: auto, system or osc52", s)
}

// ParseTimeout reads --clip-timeout (or $M3KEYS_CLIP_TIMEOUT): a Go duration, 0 for never;
// empty means DefaultTimeout.
func ParseTimeout(s string) (time.Duration, error) {
	if s == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration like 30s or 2m, or 0 for never", s)
	}
	if d < 0 {
		return 0, errors.New("a clipboard timeout must not be negative: 0 is never")
	}
	return d, nil
}

// Hash names what was written without being it: the SHA-256 of the text.
type Hash [sha256.Size]byte

// Sum is the Hash of text.
func Sum(text string) Hash { return sha256.Sum256([]byte(text)) }

// String is the hash in hex, as the detached clearer receives it.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads a Hash written by String.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, errors.New("not a hex SHA-256 hash")
	}
	copy(h[:], b)
	return h, nil
}

// Clipboard is where a secret or a token is handed out.
type Clipboard interface {
	// Write puts text on the clipboard and returns its hash, which is all a caller should keep.
	Write(text string) (Hash, error)
	// ClearIfUnchanged empties the clipboard if it still holds the text h names and reports whether
	// it did; a backend that cannot read back (OSC 52) clears blindly and reports true.
	ClearIfUnchanged(h Hash) (cleared bool, err error)
	// Mode is the backend actually used: System or OSC52, never Auto.
	Mode() Mode
}

// Why a clipboard cannot be used: facts only; each front end says what to do about them.
var (
	// ErrNoTool says the system clipboard has no tool to run.
	ErrNoTool = errors.New("no clipboard tool found")
	// ErrNoDisplay says the system clipboard has no display to reach.
	ErrNoDisplay = errors.New("no display for the system clipboard: $DISPLAY and $WAYLAND_DISPLAY are unset")
	// ErrNotWritten says the system clipboard's tool failed.
	ErrNotWritten = errors.New("the system clipboard could not be written")
	// ErrNoTerminal says OSC 52 has no terminal to go to.
	ErrNoTerminal = errors.New("no terminal to send the clipboard to (OSC 52)")
)

// Options say where OSC 52 goes and what New may look at to choose; zero values mean the real process.
type Options struct {
	// Terminal receives OSC 52 sequences: the terminal the user sees (/dev/tty, or stderr when it is one).
	Terminal io.Writer
	Getenv   func(string) string          // nil: os.Getenv
	LookPath func(string) (string, error) // nil: exec.LookPath

	goos string // "": runtime.GOOS; tests pin it
}

func (o Options) getenv(k string) string {
	if o.Getenv == nil {
		return os.Getenv(k)
	}
	return o.Getenv(k)
}

func (o Options) goOS() string {
	if o.goos == "" {
		return runtime.GOOS
	}
	return o.goos
}

func (o Options) has(tool string) bool {
	look := o.LookPath
	if look == nil {
		look = exec.LookPath
	}
	_, err := look(tool)
	return err == nil
}

// New returns the backend mode names, resolving Auto now. It never fails: a backend that cannot
// work says why, and what to do, when it is written to — so only commands that copy refuse.
func New(mode Mode, o Options) Clipboard {
	if mode == Auto {
		mode = OSC52
		if o.systemReady() == nil && !o.remoteMac() {
			mode = System
		}
	}
	if mode == OSC52 {
		return newOSC52(o.Terminal, wrapFor(o.getenv))
	}
	return newSystem(o)
}

// systemReady says why the system clipboard cannot work here, or nil. It follows atotto's own
// choice of tool: wl-copy and wl-paste under Wayland, else xclip or xsel, else termux's.
func (o Options) systemReady() error {
	switch o.goOS() {
	case "darwin", "windows", "plan9":
		return nil
	}
	if o.has("termux-clipboard-set") && o.has("termux-clipboard-get") {
		return nil
	}
	wayland, x11 := o.getenv("WAYLAND_DISPLAY") != "", o.getenv("DISPLAY") != ""
	switch {
	case wayland && o.has("wl-copy") && o.has("wl-paste"):
		return nil
	case x11 && (o.has("xclip") || o.has("xsel")):
		return nil
	case !wayland && !x11:
		return ErrNoDisplay
	}
	return ErrNoTool
}

// remoteMac: over SSH to a Mac, pbcopy would fill the remote Mac's clipboard, not the user's.
func (o Options) remoteMac() bool {
	return o.goOS() == "darwin" && (o.getenv("SSH_CONNECTION") != "" || o.getenv("SSH_TTY") != "")
}
