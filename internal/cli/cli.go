// Package cli runs m3keys' commands: it parses arguments, asks for what it needs,
// and turns keystore and authclient errors into messages and exit codes.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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

type command struct {
	name, args, summary string
	run                 func(c *ctx, args []string) error
}

func commands() []command {
	return append([]command{
		{"list", "[--json]", "organizations, service users and keys; never secrets", runList},
		{"add", "--org ID --user NAME --key-id ID [--org-name NAME] [--api-url URL] [--deployed-to TEXT]", "store a key pair; the secret comes from stdin or a hidden prompt", runAdd},
		{"import", "[--json]", "add many keys from CSV (or JSON) on stdin: all rows or none", runImport},
		{"inactivate", "KEY_ID [--force]", "make a key INACTIVE", runInactivate},
		{"activate", "KEY_ID", "make a key ACTIVE", runActivate},
		{"remove", "KEY_ID", "remove an INACTIVE key", runRemove},
		{"check", "[KEY_ID...] [--org ID] [--all] [--json] [--timeout DUR] [--concurrency N] [--rate N] [--max-age DUR] [--fail-on-stale] [--no-verify]", "test ACTIVE keys live against m3ter (--all: INACTIVE ones too; KEY_IDs: just those)", runCheck},
		{"copy", copyArgs, "hand the API secret out once, to the clipboard, cleared after --clip-timeout", runCopy},
		{"secret", secretArgs, "hand the API secret out once, with no newline, to COMMAND's stdin only if granted, or to a pipe or a file (never a terminal or /dev/null)", runSecret},
		{"token", "KEY_ID [--copy]", "print a Bearer token on stdout, or copy it to the clipboard", runToken},
		{"passwd", "[--new-identity]", "change the passphrase; --new-identity also re-encrypts the store to a fresh identity", runPasswd},
		{"team", teamArgs, "share the store with a team through git, encrypted to every member", runTeam},
		{"sync", "[--ours ID|all] [--theirs ID|all]", "commit, fetch, merge and push a team store; settle conflicts by ID", runSync},
		{"demo", "", "the TUI on a throwaway store with sample data and a built-in fake m3ter", runDemo},
		{"version", "", "print the version", runVersion},
	}, agentCommands()...)
}

// Run executes one command line and returns the exit code.
func Run(args []string, env Env) int {
	if env.Tokens == nil {
		env.Tokens = authclient.NewTokenCache(env.Now)
	}
	c := &ctx{env: env}
	err := c.dispatch(args)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, message(err))
	return exitCode(err)
}

// ctx carries the parsed global options and the environment through a command.
type ctx struct {
	env   Env
	usage func() // prints the usage of the command being parsed
	home  string
	// Global settings as given: the commands that use one check it (clipboardOptions,
	// storeOptions), so a bad clipboard value in a cron job's environment breaks nothing else.
	clipboard, clipTimeout, lockTimeout setting
	// passphraseOnly: the command proves the passphrase (passwd), so the unlock agent is not asked.
	passphraseOnly bool
}

// setting is a global option's raw value and where it came from, for messages.
type setting struct{ value, source, flag string }

// envSetting starts a setting from its environment variable; its flag overrides it.
func (c *ctx) envSetting(env, flag string) setting {
	return setting{value: c.env.Getenv(env), source: env, flag: flag}
}

func (s *setting) String() string { return s.value }

func (s *setting) Set(v string) error {
	s.value, s.source = v, s.flag
	return nil
}

func (c *ctx) dispatch(args []string) error {
	c.clipboard = c.envSetting("M3KEYS_CLIPBOARD", "--clipboard")
	c.clipTimeout = c.envSetting("M3KEYS_CLIP_TIMEOUT", "--clip-timeout")
	c.lockTimeout = c.envSetting("M3KEYS_LOCK_TIMEOUT", "--lock-timeout")
	fs := c.flags("m3keys", "[--home DIR] [--lock-timeout DUR] [--clipboard MODE] [--clip-timeout DUR] [COMMAND]")
	c.clipboardFlags(fs)
	c.usage = func() { c.printUsage(fs) }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		c.usage()
		return err
	} else if err != nil {
		return usageErr("%v — run m3keys --help", err)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return c.openTUI(false)
	}
	for _, cmd := range append(commands(), hiddenCommands()...) {
		if cmd.name == rest[0] {
			return cmd.run(c, rest[1:])
		}
	}
	if rest[0] == "help" {
		c.printUsage(fs)
		return nil
	}
	return usageErr("unknown command %q — run m3keys --help for the list", rest[0])
}

func (c *ctx) printUsage(fs *flag.FlagSet) {
	w := c.env.Stderr
	fmt.Fprintf(w, "m3keys %s — keep, rotate and test m3ter service-user access keys\n\n", c.env.Version)
	fmt.Fprintf(w, "usage:\n  m3keys [--home DIR] [--lock-timeout DUR] [--clipboard MODE] [--clip-timeout DUR]   open the TUI\n")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %s\n        %s\n", strings.TrimSpace("m3keys "+cmd.name+" "+cmd.args), cmd.summary)
	}
	fmt.Fprintln(w, "\nglobal options:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nenvironment: M3KEYS_HOME, M3KEYS_PASSPHRASE, M3KEYS_API_URL, M3KEYS_LOCK_TIMEOUT, M3KEYS_CLIPBOARD, M3KEYS_CLIP_TIMEOUT")
	fmt.Fprintln(w, "exit codes: 0 ok, 1 refused by a rule or a failing key, 2 usage/passphrase/store error, 3 check could not tell")
}

// flags makes a flag set that accepts --home anywhere, so `m3keys list --home DIR` works too.
func (c *ctx) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints its own error and the whole usage on a bad flag; we print one line instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&c.home, "home", c.home, "the store directory (env M3KEYS_HOME; default: the user config dir's m3keys)")
	fs.Var(&c.lockTimeout, "lock-timeout", "how long to wait while another m3keys uses the store (a `DURATION`, 0 to 1h; env M3KEYS_LOCK_TIMEOUT; default 10s)")
	c.usage = func() {
		fmt.Fprintln(c.env.Stderr, strings.TrimSpace("usage: m3keys "+name+" "+args))
		fs.SetOutput(c.env.Stderr)
		fs.PrintDefaults()
	}
	return fs
}

// anyNumber is parse's positional count for a command taking any number of arguments.
const anyNumber = -1

// parse parses a subcommand's flags, allowing flags after positional arguments.
func (c *ctx) parse(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.usage()
			return nil, err // Run exits 0
		}
		if err != nil {
			return nil, usageErr("%s: %v — run m3keys %s --help", fs.Name(), err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if positional == anyNumber {
		return pos, nil
	}
	if len(pos) != positional {
		want := "no arguments"
		if positional == 1 {
			want = "one argument"
		}
		return nil, usageErr("%s takes %s — run m3keys %s --help", fs.Name(), want, fs.Name())
	}
	return pos, nil
}

func (c *ctx) openTUI(demo bool) error {
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

// clipboardFlags adds the clipboard settings to fs: global, and also taken after the commands
// that copy, so `m3keys copy AK-1 --clip-timeout 10s` works.
func (c *ctx) clipboardFlags(fs *flag.FlagSet) {
	fs.Var(&c.clipboard, "clipboard", "clipboard `MODE`: auto, system or osc52 (env M3KEYS_CLIPBOARD; default auto)")
	fs.Var(&c.clipTimeout, "clip-timeout", "clear the clipboard after this long (a `DURATION`); 0 means never (env M3KEYS_CLIP_TIMEOUT; default 30s)")
}

// clipboardOptions checks the clipboard settings, for the commands that use the clipboard.
// The rules are the clipboard package's; the messages name where the value came from.
func (c *ctx) clipboardOptions() (mode clipboard.Mode, timeout time.Duration, err error) {
	m, err := clipboard.ParseMode(c.clipboard.value)
	if err != nil {
		return "", 0, usageErr("%s=%s is not a clipboard mode — use auto, system or osc52", c.clipboard.source, sanitize.Text(c.clipboard.value, 40))
	}
	if timeout, err = clipboard.ParseTimeout(c.clipTimeout.value); err != nil {
		return "", 0, usageErr("%s=%s is not a duration of 0 or more — use a value like 30s, or 0 to never clear", c.clipTimeout.source, sanitize.Text(c.clipTimeout.value, 40))
	}
	return m, timeout, nil
}

func runDemo(c *ctx, args []string) error {
	if _, err := c.parse(c.flags("demo", ""), args, 0); err != nil {
		return err
	}
	return c.openTUI(true)
}

func runVersion(c *ctx, args []string) error {
	if _, err := c.parse(c.flags("version", ""), args, 0); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stdout, "m3keys", c.env.Version)
	return nil
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
