//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// marked says whether the store records keyID's secret as handed out.
func (h *harness) marked(keyID string) bool {
	h.t.Helper()
	ref, _ := h.store().Key(keyID)
	return ref.Key.SecretCopied()
}

// holds says whether file holds exactly want; it never prints either.
func holds(t *testing.T, file, want string) bool {
	t.Helper()
	data, err := os.ReadFile(file)
	return err == nil && string(data) == want
}

func TestSecretToCommandRunsItOnlyWhenGranted(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	o := h.mustRun("", "secret", "AK-1", "--", "sh", "-c", `cat > "$0"`, got)
	if !holds(t, got, secret) { // exactly: no newline
		t.Error("the command's stdin was not exactly the secret")
	}
	if want := "m3keys: handed the API secret of AK-1 to sh on its stdin, with no newline — this was its one hand-out\n"; o.stderr != want || o.stdout != "" {
		t.Errorf("stdout %q, stderr %q; want stderr %q", o.stdout, o.stderr, want)
	}
	if !h.marked("AK-1") {
		t.Fatal("the hand-out was not recorded")
	}

	// Refused: nothing runs, whether to a command, stdout or the clipboard.
	ran := filepath.Join(dir, "ran")
	o = h.run("", "secret", "AK-1", "--", "sh", "-c", `touch "$0"; cat > "$1"`, ran, got+".2")
	refusedAgain(t, "secret -- COMMAND again", o)
	if !strings.Contains(o.stderr, "so sh was not run") {
		t.Errorf("the refusal does not say the command did not run: %q", o.stderr)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("a refused hand-out ran the command")
	}
}

// Flags after -- are the command's: m3keys does not read them.
func TestSecretToCommandTakesItsArgumentsAsGiven(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	args := filepath.Join(t.TempDir(), "args")
	h.mustRun("", "secret", "--home", h.home, "AK-1", "--", "sh", "-c", `cat >/dev/null; printf '%s|' "$@" > "$0"`, args, "--home", "x", "--", "-v")
	if data, _ := os.ReadFile(args); string(data) != "--home|x|--|-v|" {
		t.Errorf("the command got %q", data)
	}
}

func TestSecretToCommandThatFailsRollsBack(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"sh", "-c", "cat >/dev/null; exit 3"}, "the API secret of AK-1 was not handed out: the command failed: sh exit status 3 — the hand-out was rolled back"},
		{[]string{"m3keys-no-such-command"}, "the API secret of AK-1 was not handed out: m3keys-no-such-command did not start: executable file not found in $PATH — the hand-out was rolled back"},
	} {
		o := h.run("", append([]string{"secret", "AK-1", "--"}, tc.argv...)...)
		if o.code != ExitUsage || !strings.Contains(o.stderr, tc.want) || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.argv[0], o.code, o.stderr, tc.want)
		}
		if h.marked("AK-1") {
			t.Fatalf("%s: the mark was not rolled back", tc.argv[0])
		}
	}
	doc := h.store()
	if last := doc.History[len(doc.History)-1]; last.Action != "secret.copy-failed" || !strings.HasPrefix(last.Detail, "command m3keys-no-such-command: ") {
		t.Errorf("last history event %+v", last)
	}
	got := filepath.Join(t.TempDir(), "got")
	h.mustRun("", "secret", "AK-1", "--", "sh", "-c", `cat > "$0"`, got)
	if !holds(t, got, secret) || !h.marked("AK-1") {
		t.Error("after a failed command, the next hand-out was not granted")
	}
}

func TestSecretToCommandPassesItsOutputThrough(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	o := h.mustRun("", "secret", "AK-1", "--", "sh", "-c", "cat >/dev/null; echo set M3TER_API_SECRET; echo warning >&2")
	if o.stdout != "set M3TER_API_SECRET\n" || !strings.HasPrefix(o.stderr, "warning\n") {
		t.Errorf("stdout %q, stderr %q", o.stdout, o.stderr)
	}
}

// The consumer gets no M3KEYS_ variable: it needs the secret, not the key to the whole store.
func TestSecretToCommandGetsNoM3keysVariable(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	t.Setenv("M3KEYS_PASSPHRASE", pass)
	t.Setenv("CHILDENV_MARK", "kept")
	env := filepath.Join(t.TempDir(), "env")
	h.mustRun("", "secret", "AK-1", "--", "sh", "-c", `env > "$0"; cat >/dev/null`, env)
	data, err := os.ReadFile(env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "CHILDENV_MARK=kept") {
		t.Fatal("the command did not see the environment at all")
	}
	if strings.Contains(string(data), "M3KEYS_") || strings.Contains(string(data), pass) {
		t.Error("the command got an M3KEYS_ variable")
	}
}

func TestSecretToNowhereIsRefusedBeforeTheMark(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.stdoutDiscards = "stdout is /dev/null (or was closed)"
	o := h.run("", "secret", "AK-1")
	if o.code != ExitUsage || o.stdout != "" || !strings.HasPrefix(o.stderr, "m3keys: stdout is /dev/null (or was closed): the API secret would be spent on nothing — nothing was handed out;") {
		t.Errorf("exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	if h.marked("AK-1") {
		t.Error("a secret sent to nowhere was marked as handed out")
	}
	// The command form does not write stdout: /dev/null there is the command's business.
	h.mustRun("", "secret", "AK-1", "--", "sh", "-c", "cat >/dev/null")
}

func TestDiscards(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	closed, err := os.Create(filepath.Join(t.TempDir(), "closed"))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, tc := range []struct {
		name string
		f    *os.File
		want string
	}{
		{"null", null, "stdout is /dev/null (or was closed)"},
		{"closed", closed, "stdout is closed"},
		{"file", file, ""},
		{"pipe", w, ""},
	} {
		if got := discards(tc.f); got != tc.want {
			t.Errorf("%s: discards = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// git config, run for a member's default name, gets no M3KEYS_ variable either.
func TestGitConfigGetsNoM3keysVariable(t *testing.T) {
	bin, env := t.TempDir(), filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\nenv > '"+env+"'\necho name\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("M3KEYS_PASSPHRASE", pass)
	c := &invocation{env: Env{Getenv: func(string) string { return "" }}}
	if got, err := c.memberName(""); err != nil || got != "name" {
		t.Fatalf("memberName = %q, %v; want git's user.name", got, err)
	}
	data, _ := os.ReadFile(env)
	if !strings.Contains(string(data), "PATH=") || strings.Contains(string(data), "M3KEYS_") {
		t.Error("git config got an M3KEYS_ variable, or no environment")
	}
}
