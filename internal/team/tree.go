package team

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// tracked are the files of a team store that git holds; everything else stays local.
var tracked = []string{".gitignore", ".gitattributes", keystore.RecipientsFile, keystore.DocumentFile}

// entry is one name in a commit's tree, as ls-tree -l lists it: the size comes from the
// object's header, so nothing is read to learn it.
type entry struct {
	mode, kind, sha string
	size            int64
}

// tree lists rev's top-level names.
func (r repo) tree(rev string) (map[string]entry, error) {
	out, err := r.output(nil, "ls-tree", "-z", "-l", "--full-tree", rev)
	if err != nil {
		return nil, err
	}
	t := map[string]entry{}
	for _, line := range bytes.Split(out, []byte{0}) {
		meta, name, ok := bytes.Cut(line, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 4 {
			continue
		}
		size, _ := strconv.ParseInt(f[3], 10, 64) // "-" for a tree or submodule: 0
		t[string(name)] = entry{mode: f[0], kind: f[1], sha: f[2], size: size}
	}
	return t, nil
}

// problem says what is wrong with a tracked file as a commit holds it, "" when nothing is:
// a regular file, no larger than the store reads.
func (e entry) problem(name string) string {
	switch {
	case e.mode == "120000":
		return name + " is a symbolic link"
	case e.kind == "tree":
		return name + " is a directory"
	case e.kind != "blob":
		return name + " is a " + e.kind
	case e.mode != "100644":
		return fmt.Sprintf("%s has mode %s, not a plain file's 100644", name, e.mode)
	case e.size > keystore.MaxFileSize:
		return fmt.Sprintf("%s is %d MiB, larger than any m3keys store (%d MiB)", name, e.size>>20, keystore.MaxFileSize>>20)
	}
	return ""
}

// file reads a tracked file as rev holds it, checking its kind and size before reading it;
// ok is false when rev does not have it.
func (r repo) file(rev, name string) (data []byte, ok bool, err error) {
	t, err := r.tree(rev)
	if err != nil {
		return nil, false, err
	}
	e, ok := t[name]
	if !ok {
		return nil, false, nil
	}
	if p := e.problem(name); p != "" {
		return nil, false, fmt.Errorf("%w: commit %s: %s", ErrRefused, abbrev(rev), p)
	}
	data, err = r.output(nil, "cat-file", "blob", e.sha)
	return data, err == nil, err
}

// shared are the tracked files' contents as m3keys writes them: the two git files are
// constants, keystore.age and recipients.txt are the store's.
func shared(doc, recipients []byte) map[string][]byte {
	return map[string][]byte{".gitignore": []byte(gitignore), ".gitattributes": []byte(gitattributes),
		keystore.RecipientsFile: recipients, keystore.DocumentFile: doc}
}

// writeTree stores files as blobs and a tree of them, and returns the tree's name.
func (r repo) writeTree(files map[string][]byte) (string, error) {
	var list strings.Builder
	for _, name := range tracked {
		data, ok := files[name]
		if !ok {
			continue
		}
		sha, err := r.hashObject(data)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&list, "100644 blob %s\t%s\n", sha, name)
	}
	out, err := r.output([]byte(list.String()), "mktree")
	return strings.TrimSpace(string(out)), err
}

func (r repo) hashObject(data []byte) (string, error) {
	out, err := r.output(data, "hash-object", "-w", "--stdin")
	return strings.TrimSpace(string(out)), err
}

// localTree is the tree of the store's files as they are now. The caller holds the store's lock.
func (r repo) localTree() (string, error) {
	doc, recipients, err := keystore.ReadShared(r.dir)
	if err != nil {
		return "", err
	}
	return r.writeTree(shared(doc, recipients))
}

// treeOf is rev's tree, "" when rev does not exist.
func (r repo) treeOf(rev string) (string, error) {
	if has, err := r.has(rev); err != nil || !has {
		return "", err
	}
	return r.run("rev-parse", rev+"^{tree}")
}

// commitLocal commits the store's files on the branch when they differ from its head; it
// reports whether it did. Messages are opaque: what changed is inside the encrypted document.
func (r repo) commitLocal(message string) (bool, error) {
	tree, err := r.localTree()
	if err != nil {
		return false, err
	}
	parent, err := r.treeOf(head)
	if err != nil || parent == tree {
		return false, err
	}
	var parents []string
	if parent != "" {
		parents = []string{head}
	}
	return true, r.commit(tree, message, parents...)
}

// commit makes a commit of tree with parents and moves the branch to it, from the first
// parent (nothing moved it meanwhile) or from nothing.
func (r repo) commit(tree, message string, parents ...string) error {
	args := []string{"commit-tree", tree, "-m", message}
	var old string
	for i, p := range parents {
		sha, err := r.run("rev-parse", "--verify", p+"^{commit}")
		if err != nil {
			return err
		}
		if i == 0 {
			old = sha
		}
		args = append(args, "-p", sha)
	}
	c, err := r.run(args...)
	if err != nil {
		return err
	}
	return r.moveHead(c, old)
}

// moveHead points the branch at c, refusing if it no longer points at old ("" for unborn).
func (r repo) moveHead(c, old string) error {
	if old == "" {
		old = strings.Repeat("0", len(c))
	}
	_, err := r.run("update-ref", "-m", "m3keys", head, c, old)
	return err
}
