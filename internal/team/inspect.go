package team

import (
	"errors"
	"fmt"
	"strings"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// ErrRefused: the remote holds a commit that no m3keys writes; sync takes nothing in.
var ErrRefused = errors.New("sync refused what the remote holds")

// RefusedError is a commit the remote holds that sync will not take in: what is wrong with
// it, and who made it (sanitized: the author is anyone's text).
type RefusedError struct {
	Commit, Author, Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s: commit %s by %s: %s; nothing was taken in", ErrRefused, e.Commit, e.Author, e.Reason)
}

// Branch is the remote's branch that holds the commit.
func (e *RefusedError) Branch() string { return branch }

func (e *RefusedError) Unwrap() error { return ErrRefused }

// inspect checks every commit that from lacks and to has (to alone when from is "": a
// member who joins), before any of it is taken in: exactly the tracked files, each a regular file within
// the store's size cap, recipients.txt parsing, the git files as m3keys writes them, and the
// tip's keystore.age an age file. One bad commit refuses them all, even under a clean tip: no
// m3keys writes one, so it is tampering the member must hear of, and a commit in history is
// read again later (as a merge base, and by older m3keys that check commits out).
func (r repo) inspect(from, to string) error {
	args := []string{"rev-list", "-1", to} // a member who joins takes in the tip only
	if from != "" {
		args = []string{"rev-list", to, "^" + from}
	}
	out, err := r.run(args...)
	if err != nil || out == "" {
		return err // nothing new: what is in was checked when it came in
	}
	want, err := r.gitFiles()
	if err != nil {
		return err
	}
	parsed := map[string]bool{} // recipients.txt blobs that parse
	for _, c := range strings.Fields(out) {
		reason, err := r.problemIn(c, want, parsed)
		if err != nil {
			return err
		}
		if reason != "" {
			return r.refuse(c, reason)
		}
	}
	return r.inspectDocument(to)
}

// gitFiles are the blob names of .gitignore and .gitattributes as m3keys writes them.
func (r repo) gitFiles() (map[string]string, error) {
	want := map[string]string{}
	for name, text := range map[string]string{".gitignore": gitignore, ".gitattributes": gitattributes} {
		sha, err := r.hashObject([]byte(text))
		if err != nil {
			return nil, err
		}
		want[name] = sha
	}
	return want, nil
}

// problemIn says what is wrong with commit c's tree, "" when nothing is.
func (r repo) problemIn(c string, want map[string]string, parsed map[string]bool) (string, error) {
	t, err := r.tree(c)
	if err != nil {
		return "", err
	}
	for name := range t {
		if !isTracked(name) {
			return fmt.Sprintf("it adds %q, which m3keys never shares", sanitize.Text(name, 60)), nil
		}
	}
	for _, name := range tracked {
		e, ok := t[name]
		switch {
		case !ok && name == keystore.RecipientsFile:
			return "it deletes " + name + ", which would make the store personal", nil
		case !ok:
			return "it deletes " + name, nil
		case e.problem(name) != "":
			return e.problem(name), nil
		case want[name] != "" && e.sha != want[name]:
			return "it changes " + name + " from what m3keys writes", nil
		}
	}
	return r.recipientsProblem(t[keystore.RecipientsFile], parsed)
}

func isTracked(name string) bool {
	for _, t := range tracked {
		if t == name {
			return true
		}
	}
	return false
}

// recipientsProblem says why a recipients.txt (already size-checked) does not parse.
func (r repo) recipientsProblem(e entry, parsed map[string]bool) (string, error) {
	if parsed[e.sha] {
		return "", nil
	}
	data, err := r.output(nil, "cat-file", "blob", e.sha)
	if err != nil {
		return "", err
	}
	if _, err := keystore.ParseRecipients(data); err != nil {
		return keystore.RecipientsFile + " does not parse (" + sanitize.Text(strings.TrimPrefix(err.Error(), keystore.ErrCorrupt.Error()+": "), 120) + ")", nil
	}
	parsed[e.sha] = true
	return "", nil
}

// inspectDocument refuses a tip whose keystore.age is not an age file.
func (r repo) inspectDocument(tip string) error {
	data, _, err := r.file(tip, keystore.DocumentFile)
	if err != nil {
		return err
	}
	if !keystore.LooksEncrypted(data) {
		return r.refuse(tip, keystore.DocumentFile+" is not an age-encrypted m3keys store")
	}
	return nil
}

// refuse names commit c and its author.
func (r repo) refuse(c, reason string) error {
	author, err := r.run("log", "-1", "--format=%an <%ae>", c)
	if err != nil {
		author = "an unknown author"
	}
	return &RefusedError{Commit: abbrev(c), Author: sanitize.Text(author, 100), Reason: reason}
}
