//go:build unix

package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/testkit"
)

// The real program, as a script runs it: stdout a pipe, no controlling terminal. The store is
// made in this process with the cheap work factor, which the binary reads from identity.age.
func TestSecretThroughTheBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds m3keys")
	}
	bin := testkit.BuildM3keys(t)
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	run := func(stdin io.Reader, stdout io.Writer, args ...string) (int, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = []string{"M3KEYS_HOME=" + h.home, "M3KEYS_PASSPHRASE=" + pass, "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
		var errb bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &errb
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no /dev/tty
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("m3keys %s: %v", strings.Join(args, " "), err)
		}
		if strings.Contains(errb.String(), secret) {
			t.Fatalf("m3keys %s printed the secret on stderr", strings.Join(args, " "))
		}
		return cmd.ProcessState.ExitCode(), errb.String()
	}
	marked := func() bool {
		ref, _ := h.store().Key("AK-1")
		return ref.Key.SecretCopied()
	}

	// A reader that went away: the write fails (EPIPE, not a SIGPIPE death) and the mark is rolled back.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	code, stderr := run(nil, w, "secret", "AK-1")
	w.Close()
	if code != ExitUsage || !strings.Contains(stderr, "was not written to stdout") || !strings.Contains(stderr, "broken pipe") || marked() {
		t.Fatalf("closed pipe: exit %d, marked %v, stderr %q", code, marked(), stderr)
	}

	// Nowhere: /dev/null, or a stdout closed by the shell (>&-), is refused before the mark.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if code, stderr := run(nil, null, "secret", "AK-1"); code != ExitUsage || !strings.Contains(stderr, "stdout is /dev/null") || marked() {
		t.Fatalf("/dev/null: exit %d, marked %v, stderr %q", code, marked(), stderr)
	}
	closed := exec.Command("/bin/sh", "-c", `exec "$0" secret AK-1 >&-`, bin)
	closed.Env = []string{"M3KEYS_HOME=" + h.home, "M3KEYS_PASSPHRASE=" + pass, "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	closed.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var closedErr bytes.Buffer
	closed.Stderr = &closedErr
	_ = closed.Run()
	if code := closed.ProcessState.ExitCode(); code != ExitUsage || !strings.Contains(closedErr.String(), "(or was closed)") || marked() {
		t.Fatalf("closed stdout: exit %d, marked %v, stderr %q", code, marked(), closedErr.String())
	}

	var out bytes.Buffer
	if code, stderr := run(nil, &out, "secret", "AK-1"); code != 0 || out.String() != secret || !marked() {
		t.Fatalf("pipe: exit %d, %d bytes on stdout (want %d), marked %v, stderr %q", code, out.Len(), len(secret), marked(), stderr)
	}
	out.Reset()
	if code, stderr := run(nil, &out, "secret", "AK-1"); code != ExitRefused || out.Len() != 0 || !strings.Contains(stderr, "already handed out, on ") {
		t.Errorf("second time: exit %d, stdout %q, stderr %q", code, out.String(), stderr)
	}

	// main hands the hidden argument to the clearer before anything else: a bad request ends it
	// quietly with 1, where the command line would have said "unknown command" with 2.
	if code, stderr := run(strings.NewReader("not a request\n"), &out, clipboard.ClearerArg); code != 1 || stderr != "" || out.Len() != 0 {
		t.Errorf("clearer: exit %d, stdout %q, stderr %q", code, out.String(), stderr)
	}
}
