// Package team makes a keystore directory a team store: a git work tree shared through any
// remote, keystore.age encrypted to every member in recipients.txt. Git moves the bytes (the
// system git binary, so SSH keys and credential helpers work as they do for pass and gopass);
// this package merges the documents, not the bytes, with internal/merge, and keeps a recipient
// change that arrived by sync out of use until the member trusts it.
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
	"syscall"
	"time"

	"github.com/m3keys/m3keys/internal/childenv"
)

// ErrNoGit is returned when the git binary cannot be found.
var ErrNoGit = errors.New("git is not installed — install git (apt install git, dnf install git, brew install git, or https://git-scm.com) and try again")

// ErrNotTeam is returned for a store directory that is not a team store.
var ErrNotTeam = errors.New("this store is not a team store")

// repo runs git in a store directory.
type repo struct{ dir string }

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

// run runs git with args in the store directory and returns its stdout. Git runs under umask
// 077, so what it checks out is private as the store's own files must be, and with a fixed
// locale, so its messages can be recognized.
func (r repo) run(args ...string) (string, error) {
	return r.runIn(r.dir, args...)
}

func (r repo) runIn(dir string, args ...string) (string, error) {
	git, err := gitPath()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", `umask 077 && exec "$0" "$@"`, git}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(childenv.Environ(), "LC_ALL=C", "GIT_MERGE_AUTOEDIT=no")
	noPrompt(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", gitFailed(ctx, args, stderr.String(), err)
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// gitTimeout bounds every git command: a stalled remote must not hold the store's lock, or
// the TUI's spinner, for ever. Tests shorten it.
var gitTimeout = 2 * time.Minute

// gitFailed is the error of a git command, saying so plainly when it ran out of time.
func gitFailed(ctx context.Context, args []string, stderr string, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("git %s did not finish within %s — check the network and the remote, then try again; the store keeps what it had", args[0], gitTimeout)
	}
	return &gitError{args: args, stderr: stderr, err: err}
}

// noPrompt keeps git, and the ssh or gpg it runs, from asking anything on the terminal: the TUI
// owns it (a prompt there reads as a hang, with the store's lock held), and a script has no one
// to answer. Credential helpers, ssh-agent and askpass programs work as before; a remote that
// needs a typed password fails with git's own message instead.
func noPrompt(cmd *exec.Cmd) {
	cmd.Env = append(cmd.Env, "GIT_TERMINAL_PROMPT=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal: nothing opens /dev/tty
	// Out of time: end git and whatever it started (ssh), its session's whole process group.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
}

// ok runs a git command whose exit code is the answer (diff --quiet, rev-parse --verify).
func (r repo) ok(args ...string) (bool, error) {
	_, err := r.run(args...)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return false, nil
	}
	return err == nil, err
}

// show reads a file as a commit holds it; ok is false when the commit does not have it.
func (r repo) show(rev, path string) (data []byte, ok bool, err error) {
	git, err := gitPath()
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, git, "cat-file", "blob", rev+":"+path)
	cmd.Dir = r.dir
	cmd.Env = append(childenv.Environ(), "LC_ALL=C")
	noPrompt(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if has, _ := r.ok("cat-file", "-e", rev); has && ctx.Err() == nil {
			return nil, false, nil // the commit exists, the file is not in it
		}
		return nil, false, gitFailed(ctx, []string{"show", rev + ":" + path}, stderr.String(), err)
	}
	return stdout.Bytes(), true, nil
}

// isRepo reports whether dir is the top of a git work tree.
func isRepo(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, ".git"))
	return err == nil && fi.IsDir()
}

// branch is the checked-out branch.
func (r repo) branch() (string, error) { return r.run("symbolic-ref", "--short", "HEAD") }

// remote is the URL of origin, "" when there is none.
func (r repo) remote() string {
	url, err := r.run("remote", "get-url", "origin")
	if err != nil {
		return ""
	}
	return url
}

// tracked are the files of a team store that git holds; everything else stays local.
var tracked = []string{".gitignore", ".gitattributes", "recipients.txt", "keystore.age"}

// commitTracked commits the store's tracked files when they changed; it reports whether it did.
func (r repo) commitTracked(message string) (bool, error) {
	var present []string
	for _, f := range tracked {
		if _, err := os.Lstat(filepath.Join(r.dir, f)); err == nil {
			present = append(present, f)
		}
	}
	if _, err := r.run(append([]string{"add", "--"}, present...)...); err != nil {
		return false, err
	}
	hasHead, err := r.ok("rev-parse", "--verify", "-q", "HEAD")
	if err != nil {
		return false, err
	}
	if hasHead {
		same, err := r.ok("diff", "--cached", "--quiet", "HEAD", "--")
		if err != nil || same {
			return false, err
		}
	}
	_, err = r.run("commit", "-q", "--no-verify", "-m", message)
	return err == nil, err
}
