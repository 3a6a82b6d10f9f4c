package team_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

const (
	pass = "team test passphrase"
	org  = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	// secretMark starts every test secret, so one search finds any that leaked.
	secretMark = "SeCrEtMARK"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	if os.Getenv("TEAM_TEST_CHILD") == "sync" {
		// The process SIGKILL interrupts: syncs until killed.
		dir := os.Getenv("TEAM_TEST_DIR")
		fmt.Println("start")
		for {
			_, err := team.Sync(dir, team.SyncOptions{Unlock: unlock(dir)})
			if err != nil {
				fmt.Fprintln(os.Stderr, "child sync:", err)
				os.Exit(1)
			}
			fmt.Println("synced")
		}
	}
	os.Exit(m.Run())
}

func unlock(dir string) func() (*keystore.Member, error) {
	return func() (*keystore.Member, error) { return keystore.UnlockMember(dir, pass) }
}

// gitSandbox keeps git away from the machine's configuration: no system file, a fresh HOME.
func gitSandbox(t testing.TB) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed, and CI must run the team store's tests: install git")
		}
		t.Skip("git is not installed: the team store's tests need it")
	}
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(os.Getenv("HOME"), ".gitconfig"))
}

func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if fi, err := os.Stat(filepath.Join(dir, team.GitDir)); err == nil && fi.IsDir() {
		cmd.Dir = filepath.Join(dir, team.GitDir) // a member's store: its bare repository
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// bareRemote is the team's shared repository, a bare one on disk.
func bareRemote(t testing.TB) string {
	dir := filepath.Join(t.TempDir(), "remote.git")
	// A plain bare repository, as on a file share: its HEAD names master, not the team's branch.
	git(t, t.TempDir(), "init", "-q", "--bare", dir)
	return dir
}

type member struct {
	t     testing.TB
	name  string
	dir   string
	store *keystore.Store
}

func (m *member) open() {
	m.t.Helper()
	s, err := keystore.Open(m.dir, pass, team.AfterSave(m.dir))
	if err != nil {
		m.t.Fatalf("%s: open: %v", m.name, err)
	}
	m.store = s
}

func (m *member) sync(opts ...func(*team.SyncOptions)) (team.Result, error) {
	o := team.SyncOptions{Unlock: unlock(m.dir)}
	if m.store != nil {
		o.Known = m.store.Member() // as the TUI's sync has it
	}
	for _, f := range opts {
		f(&o)
	}
	r, err := team.Sync(m.dir, o)
	if err == nil && m.store != nil {
		if err := m.store.Reload(); err != nil {
			m.t.Fatalf("%s: reload after sync: %v", m.name, err)
		}
	}
	return r, err
}

func (m *member) mustSync() team.Result {
	m.t.Helper()
	r, err := m.sync()
	if err != nil {
		m.t.Fatalf("%s: sync: %v (result %+v)", m.name, err, r)
	}
	return r
}

func (m *member) update(fn func(tx *keystore.Tx) error) {
	m.t.Helper()
	if err := m.store.Update(fn); err != nil {
		m.t.Fatalf("%s: save: %v", m.name, err)
	}
}

func (m *member) addKey(user, id string) {
	m.t.Helper()
	m.update(func(tx *keystore.Tx) error {
		if err := tx.EnsureUser(org, user); err != nil {
			return err
		}
		return tx.AddKey(org, user, keystore.NewKey{AccessKeyID: id, Secret: secretFor(m.t, id)})
	})
}

func secretFor(t testing.TB, id string) keystore.Secret {
	s, err := keystore.NewSecret(secretMark + "-" + id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (m *member) key(id string) (keystore.AccessKey, bool) {
	ref, ok := m.store.Document().Key(id)
	if !ok {
		return keystore.AccessKey{}, false
	}
	return *ref.Key, true
}

// newTeam makes alice's store a team store on a bare remote, with one organization, then has
// each other name join and be added by alice: every member trusts the full list and is in sync.
func newTeam(t testing.TB, names ...string) (remote string, members []*member) {
	gitSandbox(t)
	remote = bareRemote(t)
	root := t.TempDir()
	alice := &member{t: t, name: "alice", dir: filepath.Join(root, "alice")}
	s, err := keystore.Create(alice.dir, pass, team.AfterSave(alice.dir))
	if err != nil {
		t.Fatal(err)
	}
	alice.store = s
	alice.update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: org, Name: "Acme", APIURL: validate.DefaultAPIURL})
	})
	if err := team.Init(s, team.InitOptions{Name: "alice", Remote: remote}); err != nil {
		t.Fatal(err)
	}
	members = []*member{alice}
	for _, name := range names {
		m := &member{t: t, name: name, dir: filepath.Join(root, name)}
		j, err := team.Join(remote, m.dir, name, pass)
		if err != nil {
			t.Fatalf("%s: join: %v", name, err)
		}
		if _, err := keystore.Open(m.dir, pass); !errors.Is(err, keystore.ErrNotMember) {
			t.Fatalf("%s: a store not encrypted to a new member yet opened with %v, want ErrNotMember", name, err)
		}
		if err := team.Add(alice.store, name, j.Recipient); err != nil {
			t.Fatalf("alice: add %s: %v", name, err)
		}
		alice.mustSync()
		members = append(members, m)
	}
	for _, m := range members[1:] {
		r := m.mustSync()
		if r.Pending != nil {
			if err := team.Trust(m.dir, r.Pending); err != nil {
				t.Fatal(err)
			}
		}
		m.open()
	}
	return remote, members
}

// noSecretInRemote: the remote's whole history, patches and messages, holds no secret in
// clear, and its messages are opaque: no key ID, service user or organization ID.
func noSecretInRemote(t *testing.T, remote string, names ...string) {
	t.Helper()
	if log := git(t, remote, "log", "-p", "--all", "--format=%an %s %b"); strings.Contains(log, secretMark) {
		t.Fatal("a secret is in the remote's git history in clear")
	}
	messages := git(t, remote, "log", "--all", "--format=%B")
	for _, s := range append(names, org, org[:8]) {
		if strings.Contains(messages, s) {
			t.Errorf("a commit message in the shared repository names %q in clear:\n%s", s, messages)
		}
	}
}

func TestSyncConcurrentAddsToDifferentUsersBothSurvive(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-ALICE")
	bob.addKey("ingest", "AK-BOB")
	alice.mustSync()
	r := bob.mustSync()
	if !r.Merged || !r.Pushed {
		t.Fatalf("bob's sync = %+v, want a merge pushed", r)
	}
	alice.mustSync()
	for _, m := range ms {
		for _, id := range []string{"AK-ALICE", "AK-BOB"} {
			if _, ok := m.key(id); !ok {
				t.Errorf("%s lost %s", m.name, id)
			}
		}
	}
	fsck(t, alice.dir)
	fsck(t, remote)
	author := git(t, remote, "log", "--format=%an: %s", "main")
	if !strings.Contains(author, "bob: m3keys: save") || !strings.Contains(author, "alice: m3keys: save") || !strings.Contains(author, "bob: m3keys: merge") {
		t.Errorf("commits are not authored by the member with an opaque message:\n%s", author)
	}
	noSecretInRemote(t, remote, "AK-ALICE", "AK-BOB", "billing", "ingest")
}

func TestSyncBothAddKeyToSameUserKeepsBothOverTheLimit(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	bob.mustSync()
	alice.addKey("billing", "AK-2")
	bob.addKey("billing", "AK-3")
	alice.mustSync()
	r := bob.mustSync()
	if len(r.OverLimit) != 1 || r.OverLimit[0].User != "billing" || len(r.OverLimit[0].Keys) != 3 {
		t.Fatalf("over the limit = %+v, want billing with 3 keys", r.OverLimit)
	}
	// The member whose sync only takes the merge in is told too.
	if r := alice.mustSync(); r.Received == 0 || len(r.OverLimit) != 1 || r.OverLimit[0].User != "billing" {
		t.Fatalf("alice's sync after bob's merge = %+v, want billing over the limit told", r)
	}
	for _, m := range ms {
		o, _ := m.store.Document().Org(org)
		u, ok := o.User("billing")
		if !ok || len(u.Keys) != 3 || !u.OverLimitAfterMerge {
			t.Fatalf("%s: billing = %+v, want 3 keys flagged over the limit after merge", m.name, u)
		}
	}
	// Back within the limit by inactivating and removing one, then in sync again.
	alice.update(func(tx *keystore.Tx) error {
		if err := tx.SetStatus("AK-1", keystore.Inactive, false); err != nil {
			return err
		}
		return tx.RemoveKey("AK-1")
	})
	alice.mustSync()
	bob.mustSync()
	o, _ := bob.store.Document().Org(org)
	if u, _ := o.User("billing"); len(u.Keys) != 2 || u.OverLimitAfterMerge {
		t.Fatalf("bob: billing after the removal = %+v, want 2 keys, not flagged", u)
	}
}

func TestSyncInactivateAgainstCheckKeepsBoth(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.addKey("billing", "AK-2")
	alice.mustSync()
	bob.mustSync()
	alice.update(func(tx *keystore.Tx) error { return tx.SetStatus("AK-1", keystore.Inactive, false) })
	checkedAt := time.Now().UTC().Truncate(time.Second)
	bob.update(func(tx *keystore.Tx) error {
		return tx.RecordCheck("AK-1", keystore.Check{At: checkedAt, Result: "valid", Verified: true, HTTPStatus: 200})
	})
	alice.mustSync()
	bob.mustSync()
	alice.mustSync()
	for _, m := range ms {
		k, _ := m.key("AK-1")
		if k.Status != keystore.Inactive || k.LastCheck == nil || k.LastCheck.Result != "valid" {
			t.Errorf("%s: AK-1 = %s, check %+v; want INACTIVE with bob's check", m.name, k.Status, k.LastCheck)
		}
	}
}

func TestSyncConflictStopsSavesNothingAndIsSettled(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	bob.mustSync()
	alice.update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-1", "vault prod") })
	bob.update(func(tx *keystore.Tx) error { return tx.SetDeployedTo("AK-1", "k8s secret") })
	alice.mustSync()
	head := git(t, bob.dir, "rev-parse", "HEAD")
	before, _ := os.ReadFile(filepath.Join(bob.dir, keystore.DocumentFile))
	r, err := bob.sync()
	if !errors.Is(err, team.ErrConflicts) || len(r.Conflicts) != 1 {
		t.Fatalf("sync = %v, %d conflicts; want ErrConflicts with one", err, len(r.Conflicts))
	}
	c := r.Conflicts[0]
	if c.AccessKeyID != "AK-1" || !strings.Contains(c.String(), c.ID) || strings.Contains(c.String(), secretMark) {
		t.Fatalf("conflict = %s", c)
	}
	if !strings.HasPrefix(c.OursBy, "bob, ") || !strings.HasPrefix(c.TheirsBy, "alice, ") {
		t.Fatalf("conflict sides made by %q and %q, want bob's and alice's", c.OursBy, c.TheirsBy)
	}
	after, _ := os.ReadFile(filepath.Join(bob.dir, keystore.DocumentFile))
	if git(t, bob.dir, "rev-parse", "HEAD") != head || string(before) != string(after) {
		t.Fatal("a sync that stopped on a conflict changed the store or its history")
	}
	if _, err := bob.sync(func(o *team.SyncOptions) {
		o.Choose = map[string]merge.Side{"deadbeef": merge.Theirs, c.ID: merge.Theirs}
	}); err == nil || !strings.Contains(err.Error(), "deadbeef") {
		t.Fatalf("an unknown conflict ID was accepted: %v", err)
	}
	if _, err := bob.sync(func(o *team.SyncOptions) { o.Choose = map[string]merge.Side{c.ID: merge.Theirs} }); err != nil {
		t.Fatal(err)
	}
	alice.mustSync()
	for _, m := range ms {
		if k, _ := m.key("AK-1"); k.DeployedTo != "vault prod" {
			t.Errorf("%s: deployed to %q, want theirs (alice's) %q", m.name, k.DeployedTo, "vault prod")
		}
	}
}

// A push rejected because another member pushed meanwhile is fetched, merged and pushed again.
func TestSyncPushRaceResolves(t *testing.T) {
	remote, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	alice.addKey("billing", "AK-ALICE")
	bob.addKey("ingest", "AK-BOB")
	// Bob's first push finds alice's commit pushed just before it reaches the remote.
	hook := filepath.Join(bob.dir, team.GitDir, "hooks", "pre-push")
	script := fmt.Sprintf("#!/bin/sh\nrm -f %q\nenv -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE git --git-dir %q push -q origin main:refs/heads/main >&2\n", hook, filepath.Join(alice.dir, team.GitDir))
	if err := os.WriteFile(hook, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	r := bob.mustSync()
	if r.Tries != 2 || !r.Pushed {
		t.Fatalf("bob's sync = %+v, want pushed on the second try", r)
	}
	if _, err := os.Stat(hook); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the race did not happen: the hook did not run")
	}
	alice.mustSync()
	for _, m := range ms {
		for _, id := range []string{"AK-ALICE", "AK-BOB"} {
			if _, ok := m.key(id); !ok {
				t.Errorf("%s lost %s", m.name, id)
			}
		}
	}
	fsck(t, remote)
}

func TestRecipientAddedByOneIsRefusedByOtherUntilTrusted(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	carol := &member{t: t, name: "carol", dir: filepath.Join(t.TempDir(), "carol")}
	j, err := team.Join(mustRemote(t, alice.dir), carol.dir, "carol", pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := team.Add(alice.store, "carol", j.Recipient); err != nil {
		t.Fatal(err)
	}
	alice.mustSync()

	r := bob.mustSync()
	if r.Pending == nil || len(r.Pending.Added) != 1 || r.Pending.Added[0].Name != "carol" ||
		r.Pending.Added[0].Author != "alice" || r.Pending.Added[0].Commit == "" {
		t.Fatalf("bob's sync pending = %+v, want carol added by alice in a named commit", r.Pending)
	}
	err = bob.store.Update(func(tx *keystore.Tx) error { return tx.AddUser(org, "ingest") })
	if !errors.Is(err, keystore.ErrUntrustedRecipients) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("a save with an untrusted recipient pending = %v, want ErrUntrustedRecipients, nothing saved", err)
	}
	if st, _ := team.StatusOf(bob.dir); !st.Untrusted || st.String() != "trust needed" {
		t.Fatalf("status = %+v %q, want trust needed", st, st)
	}
	change, err := team.Pending(bob.dir)
	if err != nil || change == nil {
		t.Fatalf("pending = %v, %v", change, err)
	}
	if err := team.Trust(bob.dir, change); err != nil {
		t.Fatal(err)
	}
	bob.addKey("ingest", "AK-BOB")
	bob.mustSync()
	// Carol, trusting the list she joined with, syncs, is told she was added, trusts it, and reads bob's key.
	r, err = carol.sync()
	if err != nil || r.Pending == nil {
		t.Fatalf("carol's sync = %+v, %v; want her addition pending", r, err)
	}
	if err := team.Trust(carol.dir, r.Pending); err != nil {
		t.Fatal(err)
	}
	carol.open()
	if _, ok := carol.key("AK-BOB"); !ok {
		t.Fatal("carol cannot read a key bob added after trusting her")
	}
}

// A recipient change that arrives while this member has changes of their own stops the merge:
// nothing is encrypted to a list the member has not seen.
func TestSyncMergeWaitsForTrust(t *testing.T) {
	_, ms := newTeam(t, "bob", "carol")
	alice, bob := ms[0], ms[1]
	if _, err := team.Remove(alice.store, "carol"); err != nil {
		t.Fatal(err)
	}
	alice.mustSync()
	bob.addKey("ingest", "AK-BOB")
	head := git(t, bob.dir, "rev-parse", "HEAD")
	r, err := bob.sync()
	if !errors.Is(err, team.ErrUntrusted) || r.Pending == nil || len(r.Pending.Removed) != 1 || r.Pending.Removed[0].Name != "carol" {
		t.Fatalf("sync = %+v, %v; want it stopped with carol's removal pending", r.Pending, err)
	}
	if git(t, bob.dir, "rev-parse", "HEAD") != head {
		t.Fatal("a sync stopped for trust merged anyway")
	}
	change, err := team.Pending(bob.dir)
	if err != nil || change == nil || len(change.Removed) != 1 {
		t.Fatalf("team trust would show %+v, %v", change, err)
	}
	if err := team.Trust(bob.dir, change); err != nil {
		t.Fatal(err)
	}
	if r := bob.mustSync(); !r.Merged {
		t.Fatalf("sync after trust = %+v, want a merge", r)
	}
	rs, _ := keystore.ReadRecipients(bob.dir)
	if _, ok := rs.Named("carol"); ok || len(rs) != 2 {
		t.Fatalf("merged recipients = %+v, want alice and bob", rs)
	}
}

func TestRemovedMemberCannotDecryptNewVersions(t *testing.T) {
	remote, ms := newTeam(t, "bob", "carol")
	alice, carol := ms[0], ms[2]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	carol.mustSync()
	if _, ok := carol.key("AK-1"); !ok {
		t.Fatal("carol cannot read AK-1 while a member")
	}
	removed, err := team.Remove(alice.store, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if len(removed.Exposed) != 1 {
		t.Fatalf("exposed = %v, want AK-1", removed.Exposed)
	}
	if k, _ := alice.key("AK-1"); !k.Exposed {
		t.Fatal("a key carol could read is not flagged exposed")
	}
	alice.addKey("billing", "AK-2")
	alice.mustSync()

	// Carol fetches the new versions but cannot read them.
	carolMember, err := keystore.UnlockMember(carol.dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	carol.store = nil // it no longer opens
	r, err := carol.sync()
	var removedErr *team.RemovedError
	if !errors.As(err, &removedErr) || r.Pending == nil || !strings.Contains(err.Error(), "by alice in commit "+removedErr.Commit) ||
		removedErr.Commit == "" || strings.Contains(err.Error(), "team trust") || !strings.Contains(removedErr.AddLine(), removedErr.Key) {
		t.Fatalf("carol's sync = %+v, %v; want her told she was removed by alice, in which commit, with her recipient", r, err)
	}
	if err := team.Trust(carol.dir, r.Pending); !errors.Is(err, team.ErrRemoved) {
		t.Fatalf("carol trusting the list that removed her = %v, want ErrRemoved", err)
	}
	data := []byte(git(t, remote, "cat-file", "blob", "main:"+keystore.DocumentFile))
	if _, err := carolMember.DecryptDocument(data, "the latest version"); !errors.Is(err, keystore.ErrNotMember) {
		t.Fatalf("carol decrypting the latest version = %v, want ErrNotMember", err)
	}
	if _, err := keystore.Open(carol.dir, pass); !errors.Is(err, keystore.ErrNotMember) {
		t.Fatalf("carol opening the store = %v, want ErrNotMember", err)
	}
	if _, err := team.Remove(alice.store, "alice"); err == nil {
		t.Fatal("a member removed themselves")
	}
}

func TestStatusCountsAheadAndBehind(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	if st, err := team.StatusOf(bob.dir); err != nil || st.String() != "in sync" {
		t.Fatalf("status = %q, %v", st, err)
	}
	alice.addKey("billing", "AK-1")
	alice.addKey("billing", "AK-2")
	if st, _ := team.StatusOf(alice.dir); st.Ahead != 2 || st.String() != "2 ahead" {
		t.Fatalf("alice: status = %+v", st)
	}
	alice.mustSync()
	git(t, bob.dir, "fetch", "-q")
	if st, _ := team.StatusOf(bob.dir); st.String() != "2 behind" {
		t.Fatalf("bob: status = %+v", st)
	}
	if st, _ := team.StatusOf(t.TempDir()); st.Team || st.String() != "" {
		t.Fatalf("a plain directory's status = %+v", st)
	}
}

// A sync killed at any instant leaves a store that opens and a git repository that checks;
// the next sync finishes the job.
func TestSyncKilledLeavesOpenableStoreAndConsistentRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	// A child sync that both sides moved for, killed after d (for d < 0: once it has synced);
	// whether it finished, and how long it ran.
	round := 0
	syncKilledAfter := func(d time.Duration) (finished bool, took time.Duration) {
		alice.addKey(fmt.Sprintf("a%d", round), fmt.Sprintf("AK-A%d", round))
		alice.mustSync()
		bob.addKey(fmt.Sprintf("b%d", round), fmt.Sprintf("AK-B%d", round))
		round++
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "TEAM_TEST_CHILD=sync", "TEAM_TEST_DIR="+bob.dir)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its git too, as a closed terminal would
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewReader(stdout)
		if line, err := lines.ReadString('\n'); line != "start\n" {
			t.Fatalf("child: %q, %v", line, err)
		}
		started := time.Now()
		if d >= 0 {
			time.Sleep(d)
		} else if line, _ := lines.ReadString('\n'); line != "synced\n" { // the child syncs until killed
			t.Fatalf("child: %q", line)
		}
		took = time.Since(started)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // it may have finished a round or more: that is fine too
		rest, _ := io.ReadAll(lines)
		_ = cmd.Wait()
		for wait := 0; syscall.Kill(-cmd.Process.Pid, 0) == nil && wait < 200; wait++ {
			time.Sleep(time.Millisecond) // its git, reparented, may take a moment to die
		}
		return d < 0 || strings.Contains(string(rest), "synced"), took
	}
	// Kills spread over the time a whole sync takes on this machine now, so they span one
	// however loaded the machine is; the last ones leave room for a sync several times
	// slower than the measured one, as when the load grows during the test.
	if finished, _ := syncKilledAfter(-1); !finished {
		t.Fatal("a sync that was not killed did not finish")
	}
	_, whole := syncKilledAfter(-1)
	var delays []time.Duration
	for _, f := range []float64{0, 0.01, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 1.2, 2, 3, 5, 8} {
		delays = append(delays, time.Duration(f*float64(whole)))
	}
	interrupted := 0
	for _, d := range delays {
		i := round
		if finished, _ := syncKilledAfter(d); !finished {
			interrupted++
		}
		fsck(t, bob.dir)
		if _, err := keystore.Open(bob.dir, pass); err != nil {
			t.Fatalf("after a kill at %s the store does not open: %v", d, err)
		}
		bob.mustSync()
		for _, id := range []string{fmt.Sprintf("AK-A%d", i), fmt.Sprintf("AK-B%d", i)} {
			if _, ok := bob.key(id); !ok {
				t.Fatalf("after a kill at %s and a sync, bob lost %s", d, id)
			}
		}
	}
	if interrupted == 0 || interrupted == len(delays) {
		t.Fatalf("%d of %d syncs were killed before they finished: the kills do not span a sync", interrupted, len(delays))
	}
	t.Logf("%d of %d syncs killed before they finished (a whole sync took %s)", interrupted, len(delays), whole)
}

func TestSingleStoreNeedsNoGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no git anywhere
	dir := filepath.Join(t.TempDir(), "solo")
	s, err := keystore.Create(dir, pass, team.AfterSave(dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: org, APIURL: validate.DefaultAPIURL})
	}); err != nil {
		t.Fatalf("a single-person store needs git to save: %v", err)
	}
	if _, err := team.Sync(dir, team.SyncOptions{}); !errors.Is(err, team.ErrNoGit) {
		t.Fatalf("sync without git = %v, want ErrNoGit", err)
	}
}

func mustRemote(t *testing.T, dir string) string {
	return strings.TrimSpace(git(t, dir, "remote", "get-url", "origin"))
}

func fsck(t testing.TB, dir string) {
	t.Helper()
	git(t, dir, "fsck", "--strict", "--no-progress")
}

// A removed member's m3keys says so, rather than calling the store damaged.
func TestRemovedMemberIsToldWhy(t *testing.T) {
	_, ms := newTeam(t, "bob")
	alice, bob := ms[0], ms[1]
	bob.addKey("ingest", "AK-BOB") // so bob has a backup his identity opens
	bob.mustSync()
	alice.mustSync()
	if _, err := team.Remove(alice.store, "bob"); err != nil {
		t.Fatal(err)
	}
	alice.mustSync()
	bob.store = nil
	if _, err := bob.sync(); !errors.Is(err, team.ErrRemoved) {
		t.Fatalf("bob's sync after his removal = %v, want ErrRemoved", err)
	}
	_, err := keystore.Open(bob.dir, pass)
	if !errors.Is(err, keystore.ErrNotMember) || errors.Is(err, keystore.ErrCorrupt) || !strings.Contains(err.Error(), "removed") {
		t.Fatalf("a removed member opening the store = %v", err)
	}
}

// A sync that failed (the remote unreachable) must not say "up to date" beside its error.
func TestFailedSyncDoesNotSayUpToDate(t *testing.T) {
	_, ms := newTeam(t)
	alice := ms[0]
	git(t, alice.dir, "remote", "set-url", "origin", filepath.Join(t.TempDir(), "gone.git"))
	r, err := alice.sync()
	if err == nil {
		t.Fatal("a sync to a remote that is gone succeeded")
	}
	if s := r.Summary(); s == "up to date" {
		t.Errorf("a failed sync summarizes as %q (error %v)", s, err)
	}
}
