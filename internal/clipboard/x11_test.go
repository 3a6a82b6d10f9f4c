package clipboard

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	atotto "github.com/atotto/clipboard"
)

// startXvfb starts an X server on a free display for this test and returns its name (":N").
// It skips when the server or xclip is missing or will not start — but fails in CI ($CI set),
// where the real clipboard must be tested.
func startXvfb(t *testing.T) string {
	t.Helper()
	cannot := func(why string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("the real X clipboard test must run in CI: %s — apt-get install xvfb xclip", why)
		}
		t.Skipf("no real X clipboard: %s (apt-get install xvfb xclip to run this test)", why)
	}
	for _, tool := range []string{"Xvfb", "xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			cannot(tool + " is not installed")
		}
	}
	if atotto.Unsupported {
		cannot("atotto/clipboard found no tool when the test started")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var log bytes.Buffer
	// -displayfd: Xvfb picks a free display and writes its number on fd 3 once it accepts clients.
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "320x240x24")
	xvfb.ExtraFiles = []*os.File{w}
	xvfb.Stdout, xvfb.Stderr = &log, &log
	if err := xvfb.Start(); err != nil {
		w.Close()
		cannot("Xvfb did not start: " + err.Error())
	}
	w.Close()
	// xclip's selection owners exit when the server goes away, so killing it leaks nothing.
	t.Cleanup(func() { _ = xvfb.Process.Kill(); _ = xvfb.Wait() })

	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			cannot("Xvfb named no display: " + strings.TrimSpace(log.String()))
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		cannot("Xvfb gave no display within 20s")
	}
	return ""
}

// xclipOut reads the clipboard as another program would.
func xclipOut(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	if err != nil {
		t.Fatalf("xclip -o: %v", err)
	}
	return string(out)
}

// xclipIn copies text as another program would. Its stdout stays /dev/null: the selection owner
// xclip forks would otherwise hold a pipe open.
func xclipIn(t *testing.T, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-in", "-selection", "clipboard")
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -in: %v", err)
	}
}

func TestRealXClipboard(t *testing.T) {
	display := startXvfb(t)
	t.Setenv("DISPLAY", display)
	t.Setenv("WAYLAND_DISPLAY", "")

	cb := New(Auto, Options{})
	if cb.Mode() != System {
		t.Fatalf("auto chose %s with $DISPLAY=%s and xclip installed; want system", cb.Mode(), display)
	}

	t.Run("clear if unchanged", func(t *testing.T) {
		secret := marker(t)
		h, err := cb.Write(secret)
		if err != nil {
			t.Fatal(err)
		}
		if xclipOut(t) != secret {
			t.Fatal("xclip does not read back the marker just written")
		}
		if cleared, err := cb.ClearIfUnchanged(h); !cleared || err != nil {
			t.Fatalf("ClearIfUnchanged = %v, %v", cleared, err)
		}
		if got := xclipOut(t); got != "" {
			t.Fatalf("clipboard still holds the marker or other text (%d bytes)", len(got))
		}
	})
	t.Run("leave other text", func(t *testing.T) {
		secret := marker(t)
		h, err := cb.Write(secret)
		if err != nil {
			t.Fatal(err)
		}
		xclipIn(t, "the user's own text")
		if cleared, err := cb.ClearIfUnchanged(h); cleared || err != nil {
			t.Fatalf("ClearIfUnchanged = %v, %v; want left alone", cleared, err)
		}
		if xclipOut(t) != "the user's own text" {
			t.Fatal("the user's own text is gone")
		}
	})
	t.Run("detached clearer", func(t *testing.T) {
		secret := marker(t)
		h, err := cb.Write(secret)
		if err != nil {
			t.Fatal(err)
		}
		req, _, err := requestFor(cb, h, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		cmd, stderr := child(t, "", nil) // the real system clipboard, reached through $DISPLAY
		if err := startClearer(cmd, req); err != nil {
			t.Fatal(err)
		}
		if xclipOut(t) != secret {
			t.Fatal("the clearer cleared before its timeout")
		}
		wait(t, cmd, stderr, 20*time.Second)
		if got := xclipOut(t); got != "" {
			t.Fatalf("clipboard still holds the marker or other text (%d bytes) after the timeout", len(got))
		}
	})
	t.Run("detached clearer leaves other text", func(t *testing.T) {
		secret := marker(t)
		h, err := cb.Write(secret)
		if err != nil {
			t.Fatal(err)
		}
		req, _, _ := requestFor(cb, h, 2*time.Second)
		cmd, stderr := child(t, "", nil)
		if err := startClearer(cmd, req); err != nil {
			t.Fatal(err)
		}
		xclipIn(t, "copied during the countdown")
		wait(t, cmd, stderr, 20*time.Second)
		if xclipOut(t) != "copied during the countdown" {
			t.Fatal("the clearer touched what was copied during the countdown")
		}
	})
}
