package team

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// git must never ask on the terminal: in the TUI a credential, ssh host-key or gpg prompt
// reads keys the TUI also reads — a hang, with the store's lock held. A fake git on PATH
// reports what a prompt would need: GIT_TERMINAL_PROMPT and a controlling terminal.
func TestGitNeverPromptsOnTheTerminal(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\nif (: </dev/tty) 2>/dev/null; then tty=tty; else tty=notty; fi\necho \"prompt=$GIT_TERMINAL_PROMPT $tty\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(fake), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GIT_TERMINAL_PROMPT", "1")
	out, err := newRepo(context.Background(), t.TempDir()).run("fetch", "origin")
	if err != nil {
		t.Fatal(err)
	}
	if out != "prompt=0 notty" {
		t.Errorf("git ran with %q, want prompt=0 notty", out)
	}
}

// A remote that never answers must not hold the store's lock for ever: git is ended, with
// what it started, and the error says it ran out of time.
func TestGitThatHangsIsEnded(t *testing.T) {
	bin := t.TempDir()
	fake := "#!/bin/sh\nsleep 60 &\nwait\n" // a child too, as git's ssh would be
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(fake), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	defer func(d time.Duration) { gitTimeout = d }(gitTimeout)
	gitTimeout = 300 * time.Millisecond
	began := time.Now()
	_, err := newRepo(context.Background(), t.TempDir()).run("fetch", "-q", "origin")
	if !errors.Is(err, ErrGitTimeout) || !strings.Contains(err.Error(), "git fetch did not finish in time") {
		t.Fatalf("a hanging git fetch = %v, want an error saying it ran out of time", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("a hanging git fetch took %s to end", d)
	}
}

// A remote that stalls is not silence: a fetch that has not finished says, every notice
// interval, how long it has waited.
func TestStalledRemoteSaysHowLongItWaited(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\nsleep 60 &\nwait\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	defer func(d, n time.Duration) { gitTimeout, waitNotice = d, n }(gitTimeout, waitNotice)
	// Notices due every 100ms of a 2s wait: at least 2 of the 19 arrive however busy the machine.
	gitTimeout, waitNotice = 2*time.Second, 100*time.Millisecond
	var told []time.Duration
	r := newRepo(context.Background(), t.TempDir())
	r.waiting = func(d time.Duration) { told = append(told, d) }
	if _, err := r.run("fetch", "-q", "origin"); err == nil {
		t.Fatal("a hanging fetch succeeded")
	}
	if len(told) < 2 {
		t.Fatalf("a stalled fetch told %d times how long it waited, want at least 2", len(told))
	}
	before := len(told)
	gitTimeout = 500 * time.Millisecond // long enough for notices, were they given
	if _, err := r.run("config", "x.y"); err == nil || len(told) != before {
		t.Fatalf("a hanging config told %d times how long it waited (a command that is not fetch or push must not tell)", len(told)-before)
	}
}
