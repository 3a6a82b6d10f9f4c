package cli

import (
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

// maxSecretInput bounds what is read from a piped stdin: far more than a secret (512 at most).
const maxSecretInput = 4096

// readSecretInput reads a secret from piped stdin, or asks on the terminal. Piped, it is one
// line: a second one would be dropped unseen, and the stored secret would not be the one meant.
func (c *invocation) readSecretInput(prompt string) (string, error) {
	if !c.env.StdinIsTTY {
		const pipe = "pipe only the secret: printf '%s' \"$SECRET\" | m3keys add …"
		in, err := io.ReadAll(io.LimitReader(c.stdin(), maxSecretInput+1))
		if err != nil {
			return "", usageErr("cannot read the API secret from stdin: %v", err).hint("%s", pipe)
		}
		if len(in) == 0 {
			return "", usageErr("no API secret on stdin").hint("%s, or run on a terminal", pipe)
		}
		if len(in) > maxSecretInput {
			return "", usageErr("stdin holds more than %d bytes: an API secret is one line of at most 512 characters", maxSecretInput).hint("%s", pipe)
		}
		line := strings.TrimSuffix(strings.TrimSuffix(string(in), "\n"), "\r")
		if strings.ContainsAny(line, "\r\n") {
			return "", usageErr("stdin holds more than one line: an API secret is one line").hint("%s", pipe)
		}
		return line, nil
	}
	if c.env.Terminal == nil {
		return "", usageErr("no terminal to ask for the API secret").hint("pipe it on stdin")
	}
	return c.env.Terminal.ReadHidden(prompt)
}
