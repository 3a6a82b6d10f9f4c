package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/hinttest"
	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// TestNoAdviceSplitOut: the CLI words its hints from errors (hint); it never cuts a " — advice"
// out of another package's message, and those packages put none there.
func TestNoAdviceSplitOut(t *testing.T) {
	hinttest.NoAdviceSplitOut(t, ".")
	for _, dir := range []string{"../importer", "../agent", "../clipboard", "../team", "../../keystore"} {
		hinttest.NoAdviceInErrors(t, dir)
	}
}

// TestHintWordsThePackagesErrors: every error of the packages below that once carried its own
// advice has a CLI hint now, and its text carries facts only.
func TestHintWordsThePackagesErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{importer.ErrTooLarge, "split it"},
		{fmt.Errorf("column 3 of the header is %w", importer.ErrUnknownColumn), importer.Columns},
		{fmt.Errorf("%w org_id", importer.ErrMissingColumn), "must start org_id,service_user,access_key_id,api_secret"},
		{&importer.RowError{Where: "entry 1", Err: fmt.Errorf("org_id %w", importer.ErrFieldTwice)}, "give each field once"},
		{clipboard.ErrNoTool, "install xclip or wl-clipboard, or run with --clipboard osc52"},
		{clipboard.ErrNoDisplay, "--clipboard osc52"},
		{fmt.Errorf("%w: exit status 1", clipboard.ErrNotWritten), "$DISPLAY"},
		{clipboard.ErrNoTerminal, "--clipboard system"},
		{&agent.SocketDirError{Dir: "/run/m3keys", Err: agent.ErrSocketPathLong}, "shorter directory"},
		{&agent.SocketDirError{Dir: "/run/m3keys", Err: agent.ErrSocketDirNotMade}, "XDG_RUNTIME_DIR"},
		{&agent.SocketDirError{Dir: "/run/m3keys", Err: agent.ErrSocketDirForeign}, "remove it"},
		{&agent.SocketDirError{Dir: "/run/m3keys", Err: agent.ErrSocketDirMode}, "chmod 700 /run/m3keys"},
		{team.ErrNoGit, "install git"},
		{fmt.Errorf("git fetch %w", team.ErrGitTimeout), "check the network"},
		{fmt.Errorf("git fetch %w: %w", team.ErrGitStopped, errors.New("context canceled")), "m3keys sync finishes the job"},
		{&team.RefusedError{Commit: "abc1234", Author: "eve", Reason: "an unknown file"}, "main branch reset"},
		{&team.RemovedError{Changed: team.Changed{Recipient: keystore.Recipient{Name: "carol x", Key: "age1carol"}}}, "m3keys team add 'carol x' age1carol"},
		{&team.NoRemoteError{GitDir: "/s/team.git"}, "git --git-dir /s/team.git remote add origin URL"},
		{fmt.Errorf("%w: 5 tries", team.ErrPushRace), "m3keys sync again"},
		{team.ErrUntrusted, "m3keys team trust"},
		{fmt.Errorf("%w: X1; nothing was saved", team.ErrNoSuchConflict), "without it"},
		{team.ErrAlreadyMember, "m3keys team list"},
		{fmt.Errorf("%w: %q", team.ErrNoMember, "bob"), "m3keys team list"},
		{fmt.Errorf("%w: %q", team.ErrNameTaken, "bob"), "choose another name"},
		{fmt.Errorf("%w: %q", team.ErrJoinNameTaken, "bob"), "--name"},
		{&team.SelfRemovalError{Name: "bob"}, "ask another member to run m3keys team remove bob"},
		{&team.NoBranchError{URL: "git@h:t.git", Dir: "/s"}, "m3keys team init --remote git@h:t.git first; then remove /s"},
		{fmt.Errorf("%w: /s has no recipients.txt", team.ErrNotTeam), "m3keys team init"},
		{fmt.Errorf("%w: /s", team.ErrAlreadyTeam), "m3keys team list"},
		{fmt.Errorf("%w: /s", team.ErrRepoInStore), "move team.git (or .git)"},
		{fmt.Errorf("%w: %w", team.ErrInitNotPushed, team.ErrNoGit), "fix the remote"},
		{fmt.Errorf("%w: %w: /s", keystore.ErrStoreExists, team.ErrJoinNotEmpty), "--home DIR"},
		{fmt.Errorf("%w: /s", team.ErrTwoRepos), "move .git out"},
		{fmt.Errorf("%w: %w", team.ErrNotMoved, errors.New("exit status 1")), "as it was"},
		{&keystore.MissingError{Path: "/s/keystore.age", Backup: "/s/keystore.age.bak"}, "cp /s/keystore.age.bak /s/keystore.age"},
		{&keystore.MissingError{Path: "/s/keystore.age"}, "from a backup of your own"},
		{fmt.Errorf("the change is saved, but %w: %w", keystore.ErrNotCommitted, errors.New("index.lock")), "m3keys sync commits it"},
	} {
		h := hint(tc.err)
		if !strings.Contains(h, tc.want) {
			t.Errorf("hint(%q) = %q, want it to say %q", tc.err, h, tc.want)
		}
		if line := errorLine(tc.err); strings.Count(line, " — ") != 1 {
			t.Errorf("the line for %T reads %q: want its facts, \" — \" once, and the advice", tc.err, line)
		}
	}
}

// TestAdviceIsSaidOnce: the CLI's line for another package's error still carries that error's
// advice, once.
func TestAdviceIsSaidOnce(t *testing.T) {
	t.Run("importer", func(t *testing.T) {
		o := newHarness(t).run("org_id,service_user,access_key_id,api_secret,colour\n", "import")
		saysOnce(t, o, ExitUsage, "m3keys: nothing was imported: line 1: column 5 of the header is not a known column — the first line must be a header naming columns from "+importer.Columns+"\n")
	})
	t.Run("clipboard", func(t *testing.T) {
		h := newHarness(t)
		h.add("AK-1", "ci-bot")
		h.clipErr = clipboard.ErrNoTool
		saysOnce(t, h.run("", "copy", "AK-1"), ExitUsage, "m3keys: cannot use the clipboard: no clipboard tool found — install xclip or wl-clipboard, or run with --clipboard osc52\n")
	})
	t.Run("agent", func(t *testing.T) {
		shortRuntimeDir(t)
		sock := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "m3keys")
		if err := os.Mkdir(sock, 0o755); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t)
		h.add("AK-1", "ci-bot")
		saysOnce(t, h.run("", "unlock"), ExitUsage, "m3keys: the store cannot be kept unlocked: the agent's directory "+sock+
			": its mode is not 0700 (it is 0755) — chmod 700 "+sock+", or remove it\n")
	})
	t.Run("m3ter", func(t *testing.T) {
		h, fake := checkFixture(t)
		fake.AddFault(m3tertest.Fault{KeyID: "AK-GOOD", Endpoint: m3tertest.TokenEndpoint, Status: 404, Times: 10})
		saysOnce(t, h.run("", "token", "AK-GOOD"), ExitUncertain, "m3keys: no token: unexpected answer 404 from the token endpoint — check the API URL: Not Found\n")
	})
	t.Run("keystore", func(t *testing.T) {
		h := newHarness(t)
		h.add("AK-1", "ci-bot")
		if err := os.Chmod(h.home, 0o750); err != nil {
			t.Fatal(err)
		}
		saysOnce(t, h.run("", "list"), ExitUsage, "m3keys: store is accessible by other users: "+h.home+" has mode 0750 — run: chmod 700 "+h.home+"\n")
	})
	t.Run("team", func(t *testing.T) {
		h := newHarness(t)
		h.add("AK-1", "ci-bot")
		saysOnce(t, h.run("", "team", "remove", "bob"), ExitUsage, "m3keys: this store is not a team store: "+h.home+
			" has no recipients.txt — make it one with m3keys team init, or join one with m3keys team join URL\n")
	})
}

func saysOnce(t *testing.T, o outcome, code int, want string) {
	t.Helper()
	if o.code != code || o.stderr != want {
		t.Errorf("exit %d, stderr:\n%q\nwant exit %d, stderr:\n%q", o.code, o.stderr, code, want)
	}
}
