// Package cli runs m3keys' commands: it parses arguments, asks for what it needs,
// and turns keystore and authclient errors into messages and exit codes.
package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/sanitize"
)

// Exit codes, as DESIGN.md fixes them.
const (
	ExitOK        = 0
	ExitRefused   = 1 // a rule refused the change, or check found a failing key
	ExitUsage     = 2 // usage, passphrase or store error
	ExitUncertain = 3 // check could not tell for some key and found none failing
)

// Env is everything a command touches outside itself, so tests can play every part.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Terminal       Terminal // nil when there is none
	StdinIsTTY     bool
	StdoutIsTTY    bool
	StderrIsTTY    bool
	// StdoutDiscards says why stdout keeps nothing written to it ("stdout is /dev/null"), or "".
	StdoutDiscards string
	Now            func() time.Time
	Version        string
	// OpenTUI starts the terminal UI; main supplies it so this package does not depend on ui.
	OpenTUI func(TUIOptions) error
	// Clipboard opens the clipboard a --clipboard mode names; it fails when that mode cannot
	// work here at all (OSC 52 with no terminal). Tests pass a clipboard.Fake.
	Clipboard func(clipboard.Mode) (clipboard.Clipboard, error)
	// StartClearer has cb cleared after timeout, if it still holds what h names, by a
	// process that outlives this one (clipboard.StartClearer); Stop ends it unused.
	StartClearer func(cb clipboard.Clipboard, h clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error)
	// Tokens keeps Bearer tokens for token until 5 minutes before they expire; nil gives each
	// Run its own.
	Tokens *authclient.TokenCache
}

// TUIOptions is what the TUI needs from the command line.
type TUIOptions struct {
	Home        string
	Clipboard   clipboard.Mode
	ClipTimeout time.Duration
	Demo        bool
	Passphrase  string        // from $M3KEYS_PASSPHRASE, may be empty
	APIURL      string        // default for new organizations
	LockTimeout time.Duration // how long to wait for another m3keys to release the store
}

// Run executes one command line and returns the exit code.
func Run(args []string, env Env) int {
	if env.Tokens == nil {
		env.Tokens = authclient.NewTokenCache(env.Now)
	}
	root := rootCommand(&invocation{env: env, args: args})
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, errorLine(err))
	return exitCode(err)
}

// invocation carries the parsed global options and the environment through one command line.
type invocation struct {
	env  Env
	args []string // the command line, for messages about it
	home string
	// Global settings as given: the commands that use one check it (clipboardOptions,
	// storeOptions), so a bad clipboard value in a cron job's environment breaks nothing else.
	clipboard, clipTimeout, lockTimeout setting
	// passphraseOnly: the command proves the passphrase (passwd), so the unlock agent is not asked.
	passphraseOnly bool
}

// setting is a global option's raw value and where it came from, for messages.
type setting struct{ value, source, flag string }

// envSetting starts a setting from its environment variable; its flag overrides it.
func (c *invocation) envSetting(env, flag string) setting {
	return setting{value: c.env.Getenv(env), source: env, flag: flag}
}

func (s *setting) String() string { return s.value }
func (s *setting) Type() string   { return "string" }

func (s *setting) Set(v string) error {
	s.value, s.source = v, s.flag
	return nil
}

func (c *invocation) openTUI(demo bool) error {
	if c.env.OpenTUI == nil {
		return usageErr("this build has no terminal UI")
	}
	apiURL, err := c.defaultAPIURL()
	if err != nil {
		return err
	}
	mode, timeout, err := c.clipboardOptions()
	if err != nil {
		return err
	}
	lockTimeout, err := c.lockWait()
	if err != nil {
		return err
	}
	opts := TUIOptions{Clipboard: mode, ClipTimeout: timeout, Demo: demo, LockTimeout: lockTimeout,
		Passphrase: c.env.Getenv("M3KEYS_PASSPHRASE"), APIURL: apiURL}
	if !demo {
		home, err := c.storeDir()
		if err != nil {
			return err
		}
		opts.Home = home
	}
	return c.env.OpenTUI(opts)
}

// clipboardOptions checks the clipboard settings, for the commands that use the clipboard.
// The rules are the clipboard package's; the messages name where the value came from.
func (c *invocation) clipboardOptions() (mode clipboard.Mode, timeout time.Duration, err error) {
	m, err := clipboard.ParseMode(c.clipboard.value)
	if err != nil {
		return "", 0, usageErr("%s=%s is not a clipboard mode", c.clipboard.source, sanitize.Text(c.clipboard.value, 40)).hint("use auto, system or osc52")
	}
	if timeout, err = clipboard.ParseTimeout(c.clipTimeout.value); err != nil {
		return "", 0, usageErr("%s=%s is not a duration of 0 or more", c.clipTimeout.source, sanitize.Text(c.clipTimeout.value, 40)).hint("use a value like 30s, or 0 to never clear")
	}
	return m, timeout, nil
}

// System is the Env of a real process.
func System(version string) Env {
	return Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv:         os.Getenv,
		Terminal:       openTerminal(),
		StdinIsTTY:     isTerminal(os.Stdin),
		StdoutIsTTY:    isTerminal(os.Stdout),
		StderrIsTTY:    isTerminal(os.Stderr),
		StdoutDiscards: discards(os.Stdout),
		Now:            time.Now,
		Version:        version,
		Clipboard:      systemClipboard,
		StartClearer:   startClearer,
	}
}
