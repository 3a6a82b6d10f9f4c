// Command m3keys keeps m3ter service-user access keys: a terminal UI and a small CLI.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "early.invalid/termquiet" // first: Bubble Tea's init would otherwise query the terminal

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/internal/cli"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/demo"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
	"github.com/m3keys/m3keys/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// The detached clipboard clearer that m3keys copy starts: nothing else may run before it.
	if len(os.Args) == 2 && os.Args[1] == clipboard.ClearerArg {
		if clipboard.RunClearer(os.Stdin) != nil { // its stdout and stderr are /dev/null: the code tells
			os.Exit(1)
		}
		return
	}
	// The unlock agent (m3keys unlock): told everything through its stdin.
	if len(os.Args) == 2 && os.Args[1] == agent.ServeArg {
		os.Exit(agent.Main())
	}
	env := cli.System(version)
	env.OpenTUI = openTUI
	os.Exit(cli.Run(os.Args[1:], env))
}

func openTUI(o cli.TUIOptions) error {
	// Listen from the start, so a hang-up (closed window, tmux kill-session) or an interrupt,
	// even one that comes while the demo is being set up, ends the program through its clean-up.
	hangup := make(chan os.Signal, 1)
	signal.Notify(hangup, syscall.SIGHUP, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(hangup)

	// The TUI asks the terminal for its background (for the adaptive colors) now, before
	// Bubble Tea takes the terminal over; the CLI never asks (see internal/termquiet).
	r := lipgloss.NewRenderer(os.Stdout)
	r.HasDarkBackground()
	lipgloss.SetDefaultRenderer(r)

	lock := keystore.WithLockTimeout(o.LockTimeout)
	deps := ui.Deps{
		Checker:       &authclient.Batch{Client: authclient.New(authclient.Options{UserAgent: "m3keys/" + version})},
		Passphrase:    o.Passphrase,
		Verify:        true,
		DefaultAPIURL: o.APIURL,
		Vault:         ui.NewVault(o.Home, lock, team.AfterSave(o.Home)), // a team store commits every save
		Team:          ui.NewTeam(o.Home, lock),
		// OSC 52 goes to the terminal bubbletea draws on.
		Clipboard:    clipboard.New(o.Clipboard, clipboard.Options{Terminal: os.Stdout}),
		ClipTimeout:  o.ClipTimeout,
		WatchClearer: watchClearer,
	}
	if exe, err := os.Executable(); err == nil && !o.Demo {
		deps.Agent = ui.NewAgent(o.Home, exe, lock, team.AfterSave(o.Home)) // m3keys unlock's, or "keep unlocked"
	}
	if o.Demo {
		d, err := demo.New(time.Now())
		if err != nil {
			return err
		}
		defer d.Close()
		deps.Demo, deps.Passphrase, deps.DefaultAPIURL = true, demo.Passphrase, d.APIURL
		deps.Vault, deps.Team = ui.NewVault(d.Dir, append(d.StoreOptions(), lock)...), nil // the demo's Console: keys added or made INACTIVE here are in its m3ter
	}
	p := tea.NewProgram(ui.New(deps), tea.WithAltScreen())
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-hangup:
			// Through Update, so results are saved and the clipboard cleared; a save waits for the
			// lock at most o.LockTimeout, and a second signal or that bound ends it regardless.
			p.Send(ui.Hangup{})
			select {
			case <-hangup:
			case <-time.After(o.LockTimeout + 5*time.Second):
			case <-done:
				return
			}
			p.Kill()
		case <-done:
		}
	}()
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

// watchClearer is the TUI's detached clearer: a copy of this program that clears what c or y
// copied after the timeout, or as soon as the TUI ends, however it ends.
func watchClearer(cb ui.Clipboard, h clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("the m3keys program that would clear it cannot be found: %v", err)
	}
	c, err := clipboard.WatchClearer(exe, cb, h, timeout)
	if c == nil { // a nil *Clearer is not a nil Stopper
		return nil, err
	}
	return c, nil
}
