//go:build unix

package cli

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard/xvfbtest"
	"github.com/m3keys/m3keys/internal/testkit"
)

// m3keys copy as a user runs it, on a real X clipboard: the secret is there at once, the
// detached clearer empties it after --clip-timeout, and text the user copied meanwhile is
// left alone.
func TestCopyThroughTheBuiltBinaryOnARealClipboard(t *testing.T) {
	if testing.Short() {
		t.Skip("builds m3keys and starts Xvfb")
	}
	display := xvfbtest.Start(t)
	bin := testkit.BuildM3keys(t)
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.add("AK-2", "ci-bot")
	copyKey := func(keyID string) {
		t.Helper()
		cmd := exec.Command(bin, "copy", keyID, "--clipboard", "system", "--clip-timeout", "3s")
		cmd.Env = []string{"M3KEYS_HOME=" + h.home, "M3KEYS_PASSPHRASE=" + pass, "HOME=" + t.TempDir(),
			"PATH=" + os.Getenv("PATH"), "DISPLAY=" + display}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no /dev/tty
		out, err := cmd.CombinedOutput()
		if strings.Contains(string(out), secret) {
			t.Fatalf("m3keys copy %s printed the secret", keyID)
		}
		if err != nil || !strings.Contains(string(out), "clears in 3s") {
			t.Fatalf("m3keys copy %s: %v: %s", keyID, err, out)
		}
	}
	// waitFor polls the clipboard until want holds or the time is up; it never prints the clipboard.
	waitFor := func(what string, want func(string) bool, within time.Duration) {
		t.Helper()
		for end := time.Now().Add(within); !want(xvfbtest.Read(t, display)); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("after %s the clipboard %s", within, what)
			}
		}
	}

	copyKey("AK-1")
	if xvfbtest.Read(t, display) != secret {
		t.Fatal("right after m3keys copy the clipboard does not hold the secret")
	}
	waitFor("still holds the secret", func(s string) bool { return s == "" }, 20*time.Second) // 3s, then a hang guard

	copyKey("AK-2")
	xvfbtest.Write(t, display, "the user's own text")
	time.Sleep(4 * time.Second) // past the 3s timeout
	if xvfbtest.Read(t, display) != "the user's own text" {
		t.Fatal("the clearer took away text the user copied during the countdown")
	}
}
