// Package termquiet keeps m3keys from asking the terminal anything while it starts.
//
// Bubble Tea v1's init asks Lip Gloss whether the background is dark (tea_init.go), and
// Lip Gloss asks the terminal (OSC 11, then a cursor-position report). Every command then
// writes those queries to its terminal, even m3keys version, and waits up to 5 s on one that
// does not answer. This package tells Lip Gloss's default renderer the answer beforehand, so
// nothing is asked; the TUI asks when it starts (main's openTUI), on a renderer of its own.
//
// It has to run before Bubble Tea's init. Go initializes, at each step, the first package in
// import path order whose imports are all initialized (the spec's "Package initialization");
// this one imports only Lip Gloss, so it is ready when Bubble Tea is, and its module path,
// early.invalid/…, sorts before github.com/charmbracelet/bubbletea. It is a module of its own
// (replaced by this directory in m3keys' go.mod) for that path alone.
package termquiet

import "github.com/charmbracelet/lipgloss"

func init() {
	lipgloss.SetHasDarkBackground(true) // what Lip Gloss assumes when it cannot tell
}
