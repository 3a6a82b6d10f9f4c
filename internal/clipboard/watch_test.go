package clipboard

import (
	"os"
	"testing"
	"time"
)

// A watching clearer (the TUI's) clears as soon as its starter ends, however it ends: its end
// of the pipe closes (here, by hand; on SIGKILL, by the kernel).
func TestWatchingClearerClearsWhenItsStarterEnds(t *testing.T) {
	path := t.TempDir() + "/clipboard"
	cb := fileClipboard(path)
	held := func() string { b, _ := os.ReadFile(path); return string(b) }
	for _, timeout := range []time.Duration{0, time.Hour} {
		secret := marker(t)
		h, _ := cb.Write(secret)
		req, _, _ := requestFor(cb, h, timeout)
		req.Watch = true
		cmd, stderr := child(t, path, nil)
		in, err := startClearerPipe(cmd, req)
		if err != nil || in == nil {
			t.Fatalf("start: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
		if held() != secret {
			t.Fatalf("timeout %v: the clearer cleared while its starter lived", timeout)
		}
		in.Close()
		wait(t, cmd, stderr, 10*time.Second)
		if held() != "" {
			t.Fatalf("timeout %v: the clipboard still holds the marker after its starter ended", timeout)
		}
	}
}

// Stop ends a watching clearer without clearing: its owner cleared the copy, or the write failed.
func TestStoppedClearerClearsNothing(t *testing.T) {
	path := t.TempDir() + "/clipboard"
	cb := fileClipboard(path)
	secret := marker(t)
	h, _ := cb.Write(secret)
	req, _, _ := requestFor(cb, h, 0)
	req.Watch = true
	cmd, _ := child(t, path, nil)
	in, err := startClearerPipe(cmd, req)
	if err != nil {
		t.Fatal(err)
	}
	(&Clearer{cmd: cmd, watch: in}).Stop()
	time.Sleep(settle + 200*time.Millisecond)
	if b, _ := os.ReadFile(path); string(b) != secret {
		t.Fatal("a stopped clearer cleared the clipboard")
	}
}
