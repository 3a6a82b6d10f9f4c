// Package xvfbtest gives tests a real X clipboard: a private Xvfb display and xclip to read
// and write it as another program would. Tests only; it is never linked into m3keys.
package xvfbtest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Start starts an X server on a free display for this test and returns its name (":N").
// It skips when Xvfb or xclip is missing or will not start — but fails in CI ($CI set),
// where the real clipboard must be tested.
func Start(t testing.TB) string {
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
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	var log bytes.Buffer
	// -displayfd: Xvfb picks a free display and writes its number on fd 3 once it accepts clients.
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-screen", "0", "320x240x24")
	xvfb.ExtraFiles = []*os.File{w}
	xvfb.Stdout, xvfb.Stderr = &log, &log
	if err := xvfb.Start(); err != nil {
		_ = w.Close()
		cannot("Xvfb did not start: " + err.Error())
	}
	_ = w.Close()
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

// Read reads the clipboard of display as another program would.
func Read(t testing.TB, display string) string {
	t.Helper()
	cmd := exec.Command("xclip", "-o", "-selection", "clipboard")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xclip -o: %v", err)
	}
	return string(out)
}

// Write copies text to the clipboard of display as another program would. Its stdout stays
// /dev/null: the selection owner xclip forks would otherwise hold a pipe open.
func Write(t testing.TB, display, text string) {
	t.Helper()
	cmd := exec.Command("xclip", "-in", "-selection", "clipboard")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -in: %v", err)
	}
}
