package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Terminal asks the person at the keyboard, with the input hidden.
type Terminal interface {
	ReadHidden(prompt string) (string, error)
}

// tty is the controlling terminal, used even when stdin is a pipe (add reads its secret there).
type tty struct{ f *os.File }

func openTerminal() Terminal {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return tty{f}
}

func (t tty) ReadHidden(prompt string) (string, error) {
	fmt.Fprint(t.f, prompt)
	b, err := term.ReadPassword(int(t.f.Fd()))
	fmt.Fprintln(t.f)
	if err != nil {
		return "", fmt.Errorf("cannot read from the terminal: %w", err)
	}
	return string(b), nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// readSecretInput reads a secret from piped stdin (first line), or asks on the terminal.
func (c *ctx) readSecretInput(prompt string) (string, error) {
	if !c.env.StdinIsTTY {
		line, err := bufio.NewReader(io.LimitReader(c.stdin(), 4096)).ReadString('\n')
		if err != nil && line == "" {
			return "", usageErr("no API secret on stdin — pipe it in (printf '%%s' \"$SECRET\" | m3keys add …) or run on a terminal")
		}
		return strings.TrimSpace(line), nil
	}
	if c.env.Terminal == nil {
		return "", usageErr("no terminal to ask for the API secret — pipe it on stdin")
	}
	return c.env.Terminal.ReadHidden(prompt)
}
