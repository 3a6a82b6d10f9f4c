package clipboard

import (
	"fmt"
	"io"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
)

// wrap says how an OSC 52 sequence must be dressed to get through a multiplexer to the terminal.
type wrap string

const (
	plain  wrap = ""
	tmux   wrap = "tmux"
	screen wrap = "screen"
)

func wrapFor(getenv func(string) string) wrap {
	switch {
	case getenv("TMUX") != "":
		return tmux
	case getenv("STY") != "", strings.HasPrefix(getenv("TERM"), "screen"):
		return screen
	}
	return plain
}

// osc52Clipboard asks the terminal to set its clipboard. It cannot read back, so it clears blindly.
type osc52Clipboard struct {
	term io.Writer
	wrap wrap
}

func newOSC52(term io.Writer, w wrap) *osc52Clipboard { return &osc52Clipboard{term: term, wrap: w} }

func (o *osc52Clipboard) Mode() Mode { return OSC52 }

func (o *osc52Clipboard) Write(text string) (Hash, error) {
	if err := o.send(text); err != nil {
		return Hash{}, err
	}
	return Sum(text), nil
}

// ClearIfUnchanged clears blindly: an empty OSC 52 payload empties the clipboard.
func (o *osc52Clipboard) ClearIfUnchanged(Hash) (bool, error) {
	if err := o.send(""); err != nil {
		return false, err
	}
	return true, nil
}

func (o *osc52Clipboard) send(text string) error {
	if o.term == nil {
		return ErrNoTerminal
	}
	// One Write, so the sequence is not split by another writer to the same terminal.
	if _, err := io.WriteString(o.term, o.sequence(text)); err != nil {
		return fmt.Errorf("the terminal could not be sent the clipboard (OSC 52): %v", err)
	}
	return nil
}

func (o *osc52Clipboard) sequence(text string) string {
	seq := osc52.New(text)
	switch o.wrap {
	case tmux:
		// Plain for tmux's `set-clipboard on`, wrapped for its `allow-passthrough on`: either
		// setting lets one through; what a setting does not allow, tmux drops.
		return seq.String() + seq.Tmux().String()
	case screen:
		return seq.Screen().String()
	}
	return seq.String()
}
