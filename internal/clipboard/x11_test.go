package clipboard

import (
	"os"
	"testing"
	"time"

	atotto "github.com/atotto/clipboard"

	"github.com/m3keys/m3keys/internal/clipboard/xvfbtest"
)

// startXvfb is xvfbtest.Start, and also wants the clipboard library to have found xclip.
func startXvfb(t *testing.T) string {
	t.Helper()
	display := xvfbtest.Start(t)
	if atotto.Unsupported {
		if os.Getenv("CI") != "" {
			t.Fatal("the real X clipboard test must run in CI: atotto/clipboard found no tool when the test started")
		}
		t.Skip("no real X clipboard: atotto/clipboard found no tool when the test started")
	}
	return display
}

// xclipOut reads the clipboard as another program would ($DISPLAY is this test's).
func xclipOut(t *testing.T) string { t.Helper(); return xvfbtest.Read(t, os.Getenv("DISPLAY")) }

// xclipIn copies text as another program would.
func xclipIn(t *testing.T, text string) { t.Helper(); xvfbtest.Write(t, os.Getenv("DISPLAY"), text) }

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
