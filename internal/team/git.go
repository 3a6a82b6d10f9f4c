// Package team makes a keystore directory a team store: keystore.age encrypted to every member
// in recipients.txt, shared through any git remote. Git moves the bytes (the system git binary,
// so SSH keys and credential helpers work as they do for pass and gopass) in a bare repository
// inside the store, team.git, with no work tree: no git operation writes the store's own files.
// This package reads what git holds with cat-file, checks it before taking anything in, writes
// the store's files with the store's atomic writer, and commits them with plumbing. It merges
// the documents, not the bytes, with internal/merge, and keeps a recipient change that arrived
// by sync out of use until the member trusts it.
package team

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/childenv"
)

// ErrNoGit is returned when the git binary cannot be found.
var ErrNoGit = errors.New("git is not installed")

// A git command that did not finish: the store keeps what it had.
var (
	ErrGitTimeout = errors.New("did not finish in time")
	ErrGitStopped = errors.New("was stopped")
)

// ErrNotTeam is returned for a store directory that is not a team store.
var ErrNotTeam = errors.New("this store is not a team store")

// GitDir is the team store's bare git repository, inside the store directory.
const GitDir = "team.git"

// repo runs git on a store directory's bare repository.
type repo struct {
	dir string          // the store directory
	ctx context.Context // the caller's: its end ends git
	git string          // the repository when it is not GitDir (one being migrated)
	// waiting hears, every waitNotice, how long a fetch or push has waited for the remote.
	waiting func(time.Duration)
}

func newRepo(ctx context.Context, dir string) repo {
	if ctx == nil {
		ctx = context.Background()
	}
	return repo{dir: dir, ctx: ctx}
}

func (r repo) gitDir() string {
	if r.git != "" {
		return r.git
	}
	return filepath.Join(r.dir, GitDir)
}

// gitError is a failed git command, with what git said on stderr (never a secret: git sees
// only ciphertext and the recipient list).
type gitError struct {
	args   []string
	stderr string
	err    error
}

func (e *gitError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 && len(msg) > 400 {
		msg = msg[i+1:]
	}
	if msg == "" {
		msg = e.err.Error()
	}
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return fmt.Sprintf("git %s: %s", e.args[0], msg)
}

func (e *gitError) Unwrap() error { return e.err }

// gitPath finds git, or says what to install.
func gitPath() (string, error) {
	p, err := exec.LookPath("git")
	if err != nil {
		return "", ErrNoGit
	}
	return p, nil
}

// run runs git with args on the store's repository and returns its stdout, trimmed.
func (r repo) run(args ...string) (string, error) {
	out, err := r.output(nil, args...)
	return strings.TrimRight(string(out), "\n"), err
}

// output runs git with args on the store's repository (--git-dir, so no repository is
// discovered and none has a work tree), stdin as its input, and returns its stdout. Git runs
// under umask 077, so what it writes is private as the store's own files must be, and with a
// fixed locale, so its messages can be recognized.
func (r repo) output(stdin []byte, args ...string) ([]byte, error) {
	git, err := gitPath()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(r.ctx, gitTimeout)
	defer cancel()
	argv := append([]string{"-c", `umask 077 && exec "$0" "$@"`, git, "--git-dir=" + r.gitDir()}, args...)
	cmd := exec.CommandContext(ctx, "/bin/sh", argv...)
	cmd.Dir = r.dir
	cmd.Env = append(childenv.Environ(), "LC_ALL=C", "GIT_MERGE_AUTOEDIT=no")
	noPrompt(cmd)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.waiting != nil && (args[0] == "fetch" || args[0] == "push") {
		defer r.tellWaiting()()
	}
	if err := cmd.Run(); err != nil {
		return nil, gitFailed(ctx, args, stderr.String(), err)
	}
	return stdout.Bytes(), nil
}

// waitNotice is how often a fetch or push that has not finished says how long it has waited,
// so a stalled remote is not minutes of silence. Tests shorten it.
var waitNotice = 10 * time.Second

// tellWaiting tells r.waiting how long the remote has been waited for, every waitNotice,
// until the returned stop is called; stop returns once no notice is being told.
func (r repo) tellWaiting() (stop func()) {
	start := time.Now()
	tick := time.NewTicker(waitNotice)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				r.waiting(time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() {
		tick.Stop()
		close(done)
		<-exited
	}
}

// gitTimeout bounds every git command: a stalled remote must not hold the store's lock, or
// the TUI's spinner, for ever. Tests shorten it.
var gitTimeout = 2 * time.Minute

// gitFailed is the error of a git command, saying so plainly when it ran out of time.
func gitFailed(ctx context.Context, args []string, stderr string, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("git %s %w (%s)", args[0], ErrGitTimeout, gitTimeout)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("git %s %w: %w", args[0], ErrGitStopped, ctx.Err())
	}
	return &gitError{args: args, stderr: stderr, err: err}
}

// noPrompt keeps git, and the ssh or gpg it runs, from asking anything on the terminal: the TUI
// owns it (a prompt there reads as a hang, with the store's lock held), and a script has no one
// to answer. Credential helpers, ssh-agent and askpass programs work as before; a remote that
// needs a typed password fails with git's own message instead.
func noPrompt(cmd *exec.Cmd) {
	cmd.Env = append(cmd.Env, "GIT_TERMINAL_PROMPT=0")
	ownSession(cmd) // no controlling terminal: nothing opens /dev/tty; cancelling ends git and what it started (ssh)
	cmd.WaitDelay = 5 * time.Second
}

// ok runs a git command whose exit code is the answer (rev-parse --verify, merge-base --is-ancestor).
func (r repo) ok(args ...string) (bool, error) {
	_, err := r.run(args...)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return false, nil
	}
	return err == nil, err
}

// isRepo reports whether dir holds a team store's repository, in either layout.
func isRepo(dir string) bool { return isDir(filepath.Join(dir, GitDir)) || isLegacy(dir) }

func isDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}

// remote is the URL of origin, "" when there is none.
func (r repo) remote() string {
	url, err := r.run("remote", "get-url", "origin")
	if err != nil {
		return ""
	}
	return url
}

// head is the store's branch, and upstream what the last fetch brought of it.
const (
	head     = "refs/heads/" + branch
	upstream = "refs/remotes/origin/" + branch
)

// fetchArgs fetch the team's branch only, and no tags: what else the remote holds is not
// the team store's, and anyone who can push could make it large.
var fetchArgs = []string{"fetch", "-q", "--no-tags", "origin", "+" + head + ":" + upstream}

// has reports whether rev names a commit.
func (r repo) has(rev string) (bool, error) {
	return r.ok("rev-parse", "--verify", "-q", rev+"^{commit}")
}

// resolve is the commit rev names, "" when there is none.
func (r repo) resolve(rev string) (string, error) {
	if has, err := r.has(rev); err != nil || !has {
		return "", err
	}
	return r.run("rev-parse", "--verify", rev+"^{commit}")
}
