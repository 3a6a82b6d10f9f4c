package leaktest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/testkit"
)

// TestCLISendsNoTerminalQueries: a CLI command on a terminal asks it nothing. A colour or
// cursor query (OSC 11, DSR) on a terminal that does not answer stalls the command for 5 s,
// and answers that come late end up typed at the shell prompt.
func TestCLISendsNoTerminalQueries(t *testing.T) {
	bin := testkit.BuildM3keys(t)
	home := t.TempDir()
	for _, args := range [][]string{{"version"}, {"list"}, {"--help"}} {
		term, err := openPTY()
		if err != nil {
			t.Fatalf("no pseudo-terminal: %v", err)
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=xterm-256color", "COLORTERM=truecolor",
			"M3KEYS_HOME=" + filepath.Join(home, "store"), "M3KEYS_PASSPHRASE=correct horse battery"}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = term.follower, term.follower, term.follower
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		began := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		took := time.Since(began)
		term.close()
		out := term.output()
		for _, q := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[6n"} {
			if bytes.Contains(out, []byte(q)) {
				t.Errorf("m3keys %v on a terminal sent the query %q (took %v)", args, q, took.Round(100*time.Millisecond))
			}
		}
		if took > 3*time.Second {
			t.Errorf("m3keys %v on a terminal that does not answer took %v", args, took.Round(100*time.Millisecond))
		}
	}
}
