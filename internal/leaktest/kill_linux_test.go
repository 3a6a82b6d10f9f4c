package leaktest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/m3keys/m3keys/internal/testkit"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// The real TUI on a terminal hands a secret out with c, y to a system clipboard (a fake xclip
// on PATH, backed by a file), then dies by SIGKILL, which no clean-up of its own sees: the
// detached clearer it started before the write clears the clipboard at once, though the
// timeout is ten minutes away. xclip, which lives on in a real X session, got no M3KEYS_ variable.
func TestKilledTUILeavesNoSecretOnTheClipboard(t *testing.T) {
	if testing.Short() {
		t.Skip("builds m3keys")
	}
	bin := testkit.BuildM3keys(t)
	t.Run("SIGKILL", func(t *testing.T) { tuiLeaves(t, bin, true) })
	// y, then ctrl+c twice at once: the second quits without waiting for the copy in flight.
	t.Run("ctrl+c twice", func(t *testing.T) { tuiLeaves(t, bin, false) })
}

func tuiLeaves(t *testing.T, bin string, kill bool) {
	root := t.TempDir()
	dir, tools, state := filepath.Join(root, "store"), filepath.Join(root, "bin"), filepath.Join(root, "xclip")
	for _, d := range []string{tools, state} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	held := filepath.Join(state, "held")
	xclip := "#!/bin/sh\nenv >> '" + state + "/env'\ncase \"$*\" in\n" +
		"*-in*) cat > '" + held + ".tmp' && mv '" + held + ".tmp' '" + held + "' ;;\n" +
		"*-out*) cat '" + held + "' 2>/dev/null ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(tools, "xclip"), []byte(xclip), 0o700); err != nil {
		t.Fatal(err)
	}
	const pass = "kill-test passphrase"
	secret := "KILLTEST-" + strings.Repeat("s3cr3t", 4)
	store, err := keystore.Create(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystore.NewSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Update(func(tx *keystore.Tx) error {
		if err := tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: validate.DefaultAPIURL}); err != nil {
			return err
		}
		if err := tx.AddUser(orgA, "billing"); err != nil {
			return err
		}
		return tx.AddKey(orgA, "billing", keystore.NewKey{AccessKeyID: "AK-KILL", Secret: s})
	}); err != nil {
		t.Fatal(err)
	}

	term, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer term.close()
	size := struct{ rows, cols, x, y uint16 }{30, 100, 0, 0}
	if err := ioctl(term.follower, syscall.TIOCSWINSZ, unsafe.Pointer(&size)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + tools + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + root, "TERM=xterm", "NO_COLOR=1",
		"DISPLAY=:99", "M3KEYS_HOME=" + dir, "M3KEYS_PASSPHRASE=" + pass, "M3KEYS_CLIP_TIMEOUT=10m"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term.follower, term.follower, term.follower
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	within := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				shown := term.output()
				if bytes.Contains(shown, []byte(secret)) {
					shown = []byte("(withheld: it holds the secret)")
				}
				t.Fatalf("%s: not within %v; terminal: %q", what, d, shown)
			}
		}
	}
	shows := func(text string) func() bool {
		return func() bool { return bytes.Contains(term.output(), []byte(text)) }
	}
	holds := func(want string) func() bool {
		return func() bool { b, err := os.ReadFile(held); return err == nil && string(b) == want }
	}
	// What the TUI asks the terminal as it starts: the background colour, the cursor position.
	within("the terminal queries", 20*time.Second, shows("\x1b[6n"))
	_, _ = term.leader.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R"))
	within("the organizations screen", 20*time.Second, shows("Acme"))
	_, _ = term.leader.Write([]byte("\r"))
	within("the organization screen", 10*time.Second, shows("AK-KILL"))
	_, _ = term.leader.Write([]byte("c"))
	within("c's question", 10*time.Second, shows("Hand out the secret"))
	if _, err := os.Stat(held); err == nil {
		t.Fatal("the clipboard was written before the answer")
	}
	gone := func() bool { b, err := os.ReadFile(held); return err != nil || len(b) == 0 }
	if kill {
		_, _ = term.leader.Write([]byte("y"))
		within("the secret on the clipboard", 10*time.Second, holds(secret))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	} else {
		_, _ = term.leader.Write([]byte("y\x03\x03"))
	}
	_ = cmd.Wait()
	within("the clipboard cleared after the TUI ended", 10*time.Second, gone)
	time.Sleep(time.Second) // a write in flight when it ended has landed, and been cleared
	if !gone() {
		t.Fatal("the clipboard holds the secret after the TUI ended")
	}

	env, err := os.ReadFile(filepath.Join(state, "env"))
	if err != nil && (kill || !errors.Is(err, os.ErrNotExist)) { // ctrl+c may end it before xclip runs
		t.Fatal(err)
	}
	if bytes.Contains(env, []byte("M3KEYS_")) || bytes.Contains(env, []byte(pass)) {
		t.Error("xclip got an M3KEYS_ variable")
	}
	if bytes.Contains(term.output(), []byte(secret)) {
		t.Error("the terminal showed the secret")
	}
}
