//go:build windows || plan9

package clipboard

import "github.com/atotto/clipboard"

// clipTools is atotto/clipboard where it starts no process: Windows' API, Plan 9's /dev/snarf.
type clipTools struct{}

func (o Options) tools() clipTools { return clipTools{} }

func (clipTools) write(text string) error {
	if clipboard.Unsupported {
		return ErrNoTool
	}
	return clipboard.WriteAll(text)
}

func (clipTools) read() (string, error) { return clipboard.ReadAll() }
