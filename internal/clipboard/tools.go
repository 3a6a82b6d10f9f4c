//go:build !windows && !plan9

package clipboard

import (
	"errors"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/childenv"
)

// clipTools runs the system clipboard's programs itself, rather than through atotto/clipboard,
// which starts them with the whole environment: xclip lives on for as long as it holds the
// selection, and would hold $M3KEYS_PASSPHRASE all that time. The tools are chosen as atotto
// chooses them (systemReady follows the same order), when used rather than at start-up.
type clipTools struct{ o Options }

func (o Options) tools() clipTools { return clipTools{o} }

// commands are the copy and paste programs with their arguments, or ErrNoTool.
func (t clipTools) commands() (copyArgs, pasteArgs []string, err error) {
	o := t.o
	switch {
	case o.goOS() == "darwin":
		return []string{"pbcopy"}, []string{"pbpaste"}, nil
	case o.getenv("WAYLAND_DISPLAY") != "" && o.has("wl-copy") && o.has("wl-paste"):
		return []string{"wl-copy"}, []string{"wl-paste", "--no-newline"}, nil
	case o.has("xclip"):
		return []string{"xclip", "-in", "-selection", "clipboard"}, []string{"xclip", "-out", "-selection", "clipboard"}, nil
	case o.has("xsel"):
		return []string{"xsel", "--input", "--clipboard"}, []string{"xsel", "--output", "--clipboard"}, nil
	case o.has("termux-clipboard-set") && o.has("termux-clipboard-get"):
		return []string{"termux-clipboard-set"}, []string{"termux-clipboard-get"}, nil
	}
	return nil, nil, ErrNoTool
}

func (t clipTools) write(text string) error {
	args, _, err := t.commands()
	if err != nil {
		return err
	}
	cmd := childenv.Command(args[0], args[1:]...)
	// stdout and stderr stay /dev/null: xclip's daemon keeps them open, and a pipe would make
	// Run wait for it.
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		return err
	}
	if args[0] == "xclip" || args[0] == "xsel" {
		return t.until(text)
	}
	return nil
}

// xTakeTime bounds the wait for an X clipboard tool's daemon to own the selection.
const xTakeTime = 3 * time.Second

// until waits until the clipboard reads back text: xclip's and xsel's daemons claim the
// selection after the command has returned, and a copy said done must be done (a read at once,
// by the user or by the clearer's compare, could find the old owner or none).
func (t clipTools) until(text string) error {
	deadline := time.Now().Add(xTakeTime)
	for {
		if got, err := t.read(); err == nil && got == text {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the X clipboard did not take the text within " + xTakeTime.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (t clipTools) read() (string, error) {
	_, args, err := t.commands()
	if err != nil {
		return "", err
	}
	out, err := childenv.Command(args[0], args[1:]...).Output()
	return string(out), err
}
