package team_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// hostilePush is what anyone with push access can do: clone the remote into a plain work tree,
// change it, commit as mallory (a name with an escape sequence in it) and push.
func hostilePush(t *testing.T, remote string, change func(t *testing.T, wt string)) (commit string) {
	t.Helper()
	wt := filepath.Join(t.TempDir(), "wt")
	git(t, t.TempDir(), "clone", "-q", "--branch", "main", remote, wt)
	change(t, wt)
	git(t, wt, "add", "-A", "-f", ".")
	git(t, wt, "-c", "user.name=mallory\x1b[31m", "-c", "user.email=m@evil.invalid", "commit", "-q", "--no-verify", "-m", "m3keys: save")
	git(t, wt, "push", "-q", "origin", "HEAD:main")
	return strings.TrimSpace(git(t, wt, "rev-parse", "HEAD"))
}

func writeIn(t *testing.T, wt, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(wt, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustRefuse: the sync refused the pushed commit, naming it and its author, sanitized, and
// left the member's store as it was.
func mustRefuse(t *testing.T, m *member, bad, what string) {
	t.Helper()
	local := snapshot(t, m.dir)
	_, err := m.sync()
	if !errors.Is(err, team.ErrRefused) {
		t.Fatalf("sync of a hostile push (%s) = %v, want ErrRefused", what, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, bad[:10]) || !strings.Contains(msg, "mallory") || strings.Contains(msg, "\x1b") || !strings.Contains(msg, what) {
		t.Fatalf("refusal %q does not name commit %s, author mallory (sanitized) and %q", msg, bad[:10], what)
	}
	if after := snapshot(t, m.dir); after != local {
		t.Fatalf("a refused sync changed the member's files:\nbefore %s\nafter  %s", local, after)
	}
	if _, err := keystore.Open(m.dir, pass); err != nil {
		t.Fatalf("after a refused sync the store does not open: %v", err)
	}
}

// snapshot is the member's own files, by hash.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, name := range []string{keystore.IdentityFile, keystore.DocumentFile, keystore.RecipientsFile, keystore.TrustFile} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s:%x ", name, sum[:4])
	}
	return b.String()
}

// Issue 15 item 1: a push that adds a recipient and commits the local trust file must not
// make the member encrypt to the attacker.
func TestHostilePushOfTrustFileIsRefused(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	bob := ms[1]
	evil, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	bad := hostilePush(t, remote, func(t *testing.T, wt string) {
		rs, _ := os.ReadFile(filepath.Join(wt, keystore.RecipientsFile))
		list := string(rs) + evil.Recipient().String() + " # mallory\n"
		writeIn(t, wt, keystore.RecipientsFile, list)
		writeIn(t, wt, keystore.TrustFile, list)
	})
	mustRefuse(t, bob, bad, keystore.TrustFile)
	bob.addKey("ingest", "AK-BOB") // a save still encrypts to the list bob trusts
	data, err := os.ReadFile(filepath.Join(bob.dir, keystore.DocumentFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := age.Decrypt(bytes.NewReader(data), evil); err == nil {
		t.Fatal("bob's save after a hostile push is encrypted to the attacker")
	}
}

// Issue 15 item 2: a pushed identity.age must not replace the member's own.
func TestHostilePushOfIdentityIsRefused(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	bob := ms[1]
	bad := hostilePush(t, remote, func(t *testing.T, wt string) {
		writeIn(t, wt, keystore.IdentityFile, "age-encryption.org/v1\n-> scrypt AAAA 10\nnot yours\n")
	})
	mustRefuse(t, bob, bad, keystore.IdentityFile)
	if _, err := keystore.UnlockMember(bob.dir, pass); err != nil {
		t.Fatalf("bob's identity after a hostile push: %v", err)
	}
}

// Issue 15 item 3: what no m3keys writes is refused before anything changes, naming the commit.
func TestHostileTreesAreRefused(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	bob.mustSync()
	good := strings.TrimSpace(git(t, remote, "rev-parse", "main"))
	cases := []struct {
		name, what string
		change     func(t *testing.T, wt string)
	}{
		{"recipients deleted", keystore.RecipientsFile, func(t *testing.T, wt string) { os.Remove(filepath.Join(wt, keystore.RecipientsFile)) }},
		{"recipients garbage", keystore.RecipientsFile, func(t *testing.T, wt string) { writeIn(t, wt, keystore.RecipientsFile, "not a recipient\n") }},
		{"gitattributes crlf", ".gitattributes", func(t *testing.T, wt string) { writeIn(t, wt, ".gitattributes", "keystore.age text eol=crlf\n") }},
		{"gitignore changed", ".gitignore", func(t *testing.T, wt string) { writeIn(t, wt, ".gitignore", "*\n") }},
		{"garbage document", keystore.DocumentFile, func(t *testing.T, wt string) { writeIn(t, wt, keystore.DocumentFile, "garbage\n") }},
		{"symlink document", keystore.DocumentFile, func(t *testing.T, wt string) {
			os.Remove(filepath.Join(wt, keystore.DocumentFile))
			if err := os.Symlink("/etc/passwd", filepath.Join(wt, keystore.DocumentFile)); err != nil {
				t.Fatal(err)
			}
		}},
		{"directory document", keystore.DocumentFile, func(t *testing.T, wt string) {
			os.Remove(filepath.Join(wt, keystore.DocumentFile))
			os.Mkdir(filepath.Join(wt, keystore.DocumentFile), 0o755)
			writeIn(t, wt, keystore.DocumentFile+"/x", "x")
		}},
		{"executable document", keystore.DocumentFile, func(t *testing.T, wt string) { os.Chmod(filepath.Join(wt, keystore.DocumentFile), 0o755) }},
		{"huge document", keystore.DocumentFile, func(t *testing.T, wt string) {
			f, err := os.Create(filepath.Join(wt, keystore.DocumentFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Write([]byte("age-encryption.org/v1\n"))
			f.Write(make([]byte, 65<<20))
		}},
		{"extra file", "notes.txt", func(t *testing.T, wt string) { writeIn(t, wt, "notes.txt", "hi\n") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := hostilePush(t, remote, c.change)
			mustRefuse(t, bob, bad, c.what)
			git(t, remote, "update-ref", "refs/heads/main", good) // whoever can push puts it back
			bob.mustSync()
		})
	}
	// A bad commit under a clean tip is refused too: no m3keys writes one, so it is tampering.
	bad := hostilePush(t, remote, func(t *testing.T, wt string) { writeIn(t, wt, keystore.TrustFile, "x\n") })
	hostilePush(t, remote, func(t *testing.T, wt string) { os.Remove(filepath.Join(wt, keystore.TrustFile)) })
	mustRefuse(t, bob, bad, keystore.TrustFile)
}

// A team store of the first layout (the store directory git's work tree) moves to the bare
// repository on its first sync: nothing lost, its remote, its history and its own files kept.
func TestFirstLayoutStoreMigratesOnOpen(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	bob.addKey("ingest", "AK-BOB")
	bob.mustSync()
	legacy(t, bob.dir)
	before := snapshot(t, bob.dir)
	head := git(t, bob.dir, "rev-parse", "HEAD")
	alice.addKey("billing", "AK-ALICE")
	alice.mustSync()
	bob.addKey("ingest", "AK-BOB2") // the save migrates, under the store's lock, and commits
	if _, err := os.Stat(filepath.Join(bob.dir, ".git")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after a save the store still has .git (%v)", err)
	}
	if log := git(t, bob.dir, "log", "--format=%H"); !strings.Contains(log, strings.TrimSpace(head)) {
		t.Fatal("the migration lost the store's history")
	}
	if after := snapshot(t, bob.dir); !strings.HasPrefix(after, strings.SplitN(before, " ", 2)[0]) {
		t.Fatalf("the migration changed bob's identity: %s, was %s", after, before)
	}
	bob.mustSync()
	alice.mustSync()
	for _, m := range ms {
		for _, id := range []string{"AK-BOB", "AK-BOB2", "AK-ALICE"} {
			if _, ok := m.key(id); !ok {
				t.Errorf("%s lost %s", m.name, id)
			}
		}
	}
	fsck(t, bob.dir)
}

// legacy turns a member's store back into the first layout: team.git as the store's .git,
// the store directory its work tree, checked out.
func legacy(t *testing.T, dir string) {
	t.Helper()
	if err := os.Rename(filepath.Join(dir, team.GitDir), filepath.Join(dir, ".git")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "config", "core.bare", "false")
	git(t, dir, "reset", "-q")
	git(t, dir, "checkout", "--", ".gitignore", ".gitattributes")
	if st := git(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("the first layout's work tree is not clean:\n%s", st)
	}
}

// A member who joins takes in the tip only after the same checks as a sync.
func TestJoinRefusesAHostileTip(t *testing.T) {
	remote, _ := newTeam(t)
	bad := hostilePush(t, remote, func(t *testing.T, wt string) { writeIn(t, wt, keystore.IdentityFile, "not yours\n") })
	dir := filepath.Join(t.TempDir(), "dave")
	_, err := team.Join(remote, dir, "dave", pass)
	if !errors.Is(err, team.ErrRefused) || !strings.Contains(err.Error(), bad[:10]) {
		t.Fatalf("joining a remote whose tip holds identity.age = %v, want ErrRefused naming %s", err, bad[:10])
	}
	if _, err := os.Stat(filepath.Join(dir, keystore.IdentityFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused join left an identity.age in the store")
	}
}

// Anyone who can push can push a keystore.age encrypted to the members' public recipients, and
// a removed member knows the organization IDs: a pushed change of an API URL (where check sends
// the secrets) stops the sync as a conflict to settle, showing both URLs, and is not taken.
func TestPushedAPIURLChangeIsAskedNotTaken(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	bob := ms[1]
	forged := ms[0].store.Document()
	forged.Organizations[0].APIURL = "https://m3ter.evil.invalid"
	plain, err := keystore.EncodeDocument(forged)
	if err != nil {
		t.Fatal(err)
	}
	hostilePush(t, remote, func(t *testing.T, wt string) {
		text, err := os.ReadFile(filepath.Join(wt, keystore.RecipientsFile))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := keystore.ParseRecipients(text)
		if err != nil {
			t.Fatal(err)
		}
		var to []age.Recipient
		for _, r := range rs {
			x, err := age.ParseX25519Recipient(r.Key)
			if err != nil {
				t.Fatal(err)
			}
			to = append(to, x)
		}
		var enc bytes.Buffer
		w, err := age.Encrypt(&enc, to...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(plain); err != nil || w.Close() != nil {
			t.Fatal("encrypting the forged document:", err)
		}
		writeIn(t, wt, keystore.DocumentFile, enc.String())
	})
	r, err := bob.sync()
	if !errors.Is(err, team.ErrConflicts) || len(r.Conflicts) != 1 || r.Conflicts[0].Field != "apiUrl" ||
		!strings.Contains(r.Conflicts[0].Theirs, "m3ter.evil.invalid") {
		t.Fatalf("sync of a pushed API URL = %v, conflicts %v; want the API URL asked", err, r.Conflicts)
	}
	if o := bob.store.Document().Organizations[0]; o.APIURL == "https://m3ter.evil.invalid" {
		t.Fatal("the pushed API URL was taken")
	}
	// Kept as ours by choice: merged and pushed back; the remote's tip has our URL again.
	id := r.Conflicts[0].ID
	if _, err := bob.sync(func(o *team.SyncOptions) { o.Choose = map[string]merge.Side{id: merge.Ours} }); err != nil {
		t.Fatalf("settling with ours: %v", err)
	}
	if o := bob.store.Document().Organizations[0]; o.APIURL == "https://m3ter.evil.invalid" {
		t.Fatal("settled with ours, yet the pushed API URL was taken")
	}
	if r, err := bob.sync(); err != nil || len(r.Conflicts) > 0 {
		t.Fatalf("after settling, a sync still stops: %v %v", err, r.Conflicts)
	}
}
