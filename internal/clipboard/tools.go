//go:build !windows && !plan9

package clipboard

import (
	"strings"

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
	return cmd.Run()
}

func (t clipTools) read() (string, error) {
	_, args, err := t.commands()
	if err != nil {
		return "", err
	}
	out, err := childenv.Command(args[0], args[1:]...).Output()
	return string(out), err
}
