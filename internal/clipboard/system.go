package clipboard

import "fmt"

// systemClipboard is the desktop's clipboard. It reads back, so clearing checks the hash first.
type systemClipboard struct {
	ready func() error // why it cannot work here, or nil
	write func(string) error
	read  func() (string, error)
}

func newSystem(o Options) *systemClipboard {
	t := o.tools()
	return &systemClipboard{ready: o.systemReady, write: t.write, read: t.read}
}

func (s *systemClipboard) Mode() Mode { return System }

func (s *systemClipboard) Write(text string) (Hash, error) {
	if err := s.ready(); err != nil {
		return Hash{}, err
	}
	// The tool's errors come from running it (an exit status, a missing file), never the text.
	if err := s.write(text); err != nil {
		return Hash{}, fmt.Errorf("%w: %v", ErrNotWritten, err)
	}
	return Sum(text), nil
}

func (s *systemClipboard) ClearIfUnchanged(h Hash) (bool, error) {
	if err := s.ready(); err != nil {
		return false, err
	}
	held, err := s.read()
	if err != nil {
		// xclip fails when nobody owns the selection any more: nothing of ours to clear.
		return false, fmt.Errorf("the system clipboard could not be read back: %v", err)
	}
	if Sum(held) != h {
		return false, nil
	}
	if err := s.write(""); err != nil {
		return false, fmt.Errorf("the system clipboard could not be cleared: %v", err)
	}
	return true, nil
}
