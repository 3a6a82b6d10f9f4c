package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/team"
)

// teamHarness is one member's m3keys, on a shared bare remote, with git kept away from the
// machine's configuration.
func teamHarness(t *testing.T, root, name string) *harness {
	h := newHarness(t)
	h.home = filepath.Join(root, name)
	h.vars["M3KEYS_HOME"] = h.home
	h.vars["USER"] = name
	return h
}

func gitSandbox(t *testing.T) (remote string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed, and CI must run the team store's tests: install git")
		}
		t.Skip("git is not installed: the team store's tests need it")
	}
	home := t.TempDir()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	remote = filepath.Join(t.TempDir(), "team.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", remote).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	return remote
}

func must(t *testing.T, o outcome, code int, what string) outcome {
	t.Helper()
	if o.code != code {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, o.code, code, o.stdout, o.stderr)
	}
	return o
}

// TestTeamTwoMembersTranscript walks what two members do on one remote: init, join, add,
// keys added on both sides, sync, over the limit, a member removed.
func TestTeamTwoMembersTranscript(t *testing.T) {
	remote := gitSandbox(t)
	root := t.TempDir()
	alice, bob := teamHarness(t, root, "alice"), teamHarness(t, root, "bob")

	must(t, alice.run(secret, "add", "--org", org1, "--user", "billing", "--key-id", "AK-1"), 0, "alice add")
	o := must(t, alice.run("", "team", "init", "--remote", remote, "--name", "alice"), 0, "team init")
	if !strings.Contains(o.stdout, "m3keys team join "+remote) {
		t.Errorf("team init does not say how to join:\n%s", o.stdout)
	}
	o = must(t, bob.run("", "team", "join", remote, "--name", "bob"), 0, "team join")
	cmd := regexp.MustCompile(`m3keys team add bob (age1[a-z0-9]+)`).FindStringSubmatch(o.stdout)
	if cmd == nil || !strings.Contains(o.stdout, cmd[1]+" # bob") {
		t.Fatalf("team join does not print the recipient line and the command to send:\n%s", o.stdout)
	}
	if o := bob.run("", "list"); o.code == 0 || !strings.Contains(o.stderr, "m3keys team add NAME "+cmd[1]) {
		t.Fatalf("bob's list before being added = %d %q, want a refusal saying what to send", o.code, o.stderr)
	}
	must(t, alice.run("", "team", "add", "bob", cmd[1]), 0, "team add")
	o = must(t, bob.run("", "sync"), 0, "bob's first sync")
	if !strings.Contains(o.stdout, "+ bob") || !strings.Contains(o.stdout, "by alice") {
		t.Errorf("bob's sync does not show he was added by alice:\n%s", o.stdout)
	}
	if o := bob.run(secret, "add", "--org", org1, "--user", "ingest", "--key-id", "AK-B0"); o.code == 0 || !strings.Contains(o.stderr, "team trust") {
		t.Fatalf("a save before trusting = %d %q", o.code, o.stderr)
	}
	if o := bob.run("", "team", "trust"); o.code == 0 {
		t.Fatal("team trust without a terminal or --yes trusted")
	}
	must(t, bob.run("", "team", "trust", "--yes"), 0, "team trust")
	o = must(t, bob.run("", "team", "list"), 0, "team list")
	if !strings.Contains(o.stdout, "2 member(s)") || !strings.Contains(o.stdout, "(you)") || !strings.Contains(o.stdout, "status: in sync") {
		t.Errorf("team list:\n%s", o.stdout)
	}

	// Both add a key to billing: over the limit after the merge, both kept.
	must(t, alice.run(secret+"-A2", "add", "--org", org1, "--user", "billing", "--key-id", "AK-A2"), 0, "alice add AK-A2")
	must(t, bob.run(secret+"-B2", "add", "--org", org1, "--user", "billing", "--key-id", "AK-B2"), 0, "bob add AK-B2")
	must(t, alice.run("", "sync"), 0, "alice sync")
	o = must(t, bob.run("", "sync"), 0, "bob sync")
	if !strings.Contains(o.stdout, "merged") || !strings.Contains(o.stdout, `over the limit after merge: service user "billing"`) {
		t.Errorf("bob's merging sync:\n%s", o.stdout)
	}
	// alice's sync only fast-forwards onto bob's merge: the note reaches her too.
	o = must(t, alice.run("", "sync"), 0, "alice sync")
	if !strings.Contains(o.stdout, `over the limit after merge: service user "billing"`) {
		t.Errorf("alice's fast-forward sync does not tell her billing is over the limit:\n%s", o.stdout)
	}
	o = must(t, alice.run("", "list"), 0, "alice list")
	for _, id := range []string{"AK-1", "AK-A2", "AK-B2"} {
		if !strings.Contains(o.stdout, id) {
			t.Errorf("alice lost %s:\n%s", id, o.stdout)
		}
	}
	must(t, alice.run("", "inactivate", "AK-1"), 0, "inactivate")
	must(t, alice.run("", "remove", "AK-1"), 0, "remove")

	// One inactivates a key while the other inactivates another: both kept.
	must(t, alice.run("", "sync"), 0, "alice sync")
	must(t, bob.run("", "sync"), 0, "bob sync")
	must(t, alice.run("", "inactivate", "AK-A2"), 0, "alice inactivate")
	must(t, bob.run("", "inactivate", "AK-B2"), 0, "bob inactivate")
	must(t, alice.run("", "sync"), 0, "alice sync")
	must(t, bob.run("", "sync"), 0, "bob sync")
	o = must(t, bob.run("", "list", "--json"), 0, "bob list")
	if strings.Count(o.stdout, `"INACTIVE"`) != 2 {
		t.Errorf("bob's keys after both inactivated one:\n%s", o.stdout)
	}

	// Removing bob: the keys he could read are flagged exposed.
	o = must(t, alice.run("", "team", "remove", "bob"), 0, "team remove")
	if !strings.Contains(o.stdout, "flagged exposed") {
		t.Errorf("team remove does not say keys are exposed:\n%s", o.stdout)
	}
	o = must(t, bob.run("", "sync"), 1, "bob's sync after removal")
	if !strings.Contains(o.stderr, "you were removed from the team by alice in commit") || strings.Contains(o.stdout+o.stderr, "team trust") {
		t.Errorf("bob's sync after his removal does not say who removed him, or sends him to team trust:\n%s%s", o.stdout, o.stderr)
	}
	if o := bob.run("", "list"); o.code == 0 {
		t.Fatalf("bob still reads the store after being removed:\n%s", o.stdout)
	}

	log, err := exec.Command("git", "-C", remote, "log", "-p", "--all", "--format=%an %s %b").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), secret) {
		t.Fatal("a secret is in the remote's history in clear")
	}
	if _, err := os.Stat(filepath.Join(alice.home, team.GitDir)); err != nil {
		t.Fatal(err)
	}
}

// teamOfTwo is alice and bob on one remote, both holding AK-1 and AK-2, in sync.
func teamOfTwo(t *testing.T) (remote string, alice, bob *harness) {
	remote = gitSandbox(t)
	root := t.TempDir()
	alice, bob = teamHarness(t, root, "alice"), teamHarness(t, root, "bob")
	must(t, alice.run(secret, "add", "--org", org1, "--user", "billing", "--key-id", "AK-1"), 0, "alice add")
	must(t, alice.run(secret+"-2", "add", "--org", org1, "--user", "billing", "--key-id", "AK-2"), 0, "alice add")
	must(t, alice.run("", "team", "init", "--remote", remote, "--name", "alice"), 0, "team init")
	o := must(t, bob.run("", "team", "join", remote, "--name", "bob"), 0, "team join")
	cmd := regexp.MustCompile(`m3keys team add bob (age1[a-z0-9]+)`).FindStringSubmatch(o.stdout)
	must(t, alice.run("", "team", "add", "bob", cmd[1]), 0, "team add")
	must(t, alice.run("", "sync"), 0, "alice sync")
	must(t, bob.run("", "sync"), 0, "bob sync")
	must(t, bob.run("", "team", "trust", "--yes"), 0, "team trust")
	alice.secretOut, bob.secretOut = true, true // secret writes it to stdout, and only there
	return remote, alice, bob
}

func TestTeamHandOutOnceTeamWide(t *testing.T) {
	remote, alice, bob := teamOfTwo(t)
	o := must(t, alice.run("", "secret", "AK-1"), 0, "alice secret AK-1")
	if o.stdout != secret {
		t.Fatal("alice's granted hand-out did not write the secret")
	}
	// Bob has not synced: the hand-out syncs first and finds alice's, pushed at once.
	o = must(t, bob.run("", "secret", "AK-1"), 1, "bob secret AK-1")
	if o.stdout != "" || !strings.Contains(o.stderr, "already handed out, by alice, on ") {
		t.Fatalf("bob's refusal does not name alice and when, or wrote something:\n%s", o.stderr)
	}

	// The remote cannot be reached: refused with advice, or handed out --offline, unconfirmed.
	aside := remote + ".away"
	if err := os.Rename(remote, aside); err != nil {
		t.Fatal(err)
	}
	o = must(t, bob.run("", "secret", "AK-2"), 1, "bob secret AK-2, offline")
	if o.stdout != "" || !strings.Contains(o.stderr, "the remote cannot be reached") || !strings.Contains(o.stderr, "--offline") {
		t.Fatalf("a hand-out with the remote unreachable:\n%s", o.stderr)
	}
	for _, h := range []*harness{bob, alice} {
		o = must(t, h.run("", "secret", "--offline", "AK-2"), 0, "secret --offline AK-2")
		if o.stdout != secret+"-2" || !strings.Contains(o.stderr, "recorded as unconfirmed") || strings.Contains(o.stderr, "its one hand-out") {
			t.Fatalf("secret --offline:\n%s", o.stderr)
		}
	}
	if err := os.Rename(aside, remote); err != nil {
		t.Fatal(err)
	}
	must(t, alice.run("", "sync"), 0, "alice sync")
	o = must(t, bob.run("", "sync"), 0, "bob sync")
	if !strings.Contains(o.stdout, "handed out twice — rotate: AK-2") {
		t.Fatalf("bob's merging sync does not warn AK-2 was handed out twice:\n%s", o.stdout)
	}
	o = must(t, bob.run("", "list", "--json"), 0, "bob list")
	if !strings.Contains(o.stdout, `"handedOutTwice": true`) {
		t.Fatalf("list --json does not flag AK-2:\n%s", o.stdout)
	}
	for _, h := range []*harness{alice, bob} {
		for _, out := range []string{h.run("", "list").stdout} {
			if strings.Contains(out, secret) {
				t.Fatal("a secret is in list's output")
			}
		}
	}
	log, err := exec.Command("git", "-C", remote, "log", "-p", "--all", "--format=%an %s %b").CombinedOutput()
	if err != nil || strings.Contains(string(log), secret) {
		t.Fatalf("a secret is in the remote's history in clear (%v)", err)
	}
}

// A hand-out whose commit fails delivers nothing and takes its mark back: never a burnt secret.
func TestTeamHandOutWhoseCommitFails(t *testing.T) {
	_, _, bob := teamOfTwo(t)
	gitDir := filepath.Join(bob.home, team.GitDir)
	for _, args := range [][]string{{"config", "--unset", "user.name"}, {"config", "--unset", "user.email"}, {"config", "user.useConfigOnly", "true"}} {
		if out, err := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	o := bob.run("", "secret", "AK-1")
	if o.code == 0 || o.stdout != "" || !strings.Contains(o.stderr, "could not be committed") || !strings.Contains(o.stderr, "the mark was taken back") {
		t.Fatalf("secret with no git author: exit %d, wrote %d bytes\n%s", o.code, len(o.stdout), o.stderr)
	}
	if l := must(t, bob.run("", "list", "--json"), 0, "list").stdout; strings.Contains(l, `"secretCopied": true`) {
		t.Fatalf("the store says AK-1 was handed out, though nothing was:\n%s", l)
	}
}
