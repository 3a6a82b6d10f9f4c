package clipboard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// child builds the clearer as StartClearer does, with the test's file for the clipboard.
func child(t *testing.T, path string, term *os.File) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := clearerEnv(os.Environ())
	if path != "" {
		env = append(env, testClipboardFile+"="+path)
	}
	cmd := clearerCommand(exe, env, term)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

// wait waits for the child, failing the test if it does not end in time or ends in error.
func wait(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer, within time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("clearer ended with %v: %s", err, stderr)
		}
	case <-time.After(within):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("clearer still running after %v", within)
	}
}

func TestClearerGetsOnlyAHash(t *testing.T) {
	secret := marker(t)
	t.Setenv("M3KEYS_PASSPHRASE", "passphrase-"+secret)
	t.Setenv("DISPLAY", ":42")
	path := t.TempDir() + "/clipboard"
	cb := fileClipboard(path)
	h, _ := cb.Write(secret)

	req, term, err := requestFor(cb, h, 3*time.Second)
	if err != nil || term != nil {
		t.Fatalf("requestFor = %v, %v", term, err)
	}
	exe := "/usr/local/bin/m3keys"
	cmd := clearerCommand(exe, clearerEnv(os.Environ()), term)
	if !slices.Equal(cmd.Args, []string{exe, ClearerArg}) {
		t.Errorf("argv = %q; want only the hidden argument", cmd.Args)
	}
	for _, kv := range cmd.Env {
		if strings.Contains(kv, secret) {
			t.Errorf("the child's environment carries the marker in %s", strings.SplitN(kv, "=", 2)[0])
		}
		if strings.HasPrefix(kv, "M3KEYS_") {
			t.Errorf("the child's environment keeps %s", strings.SplitN(kv, "=", 2)[0])
		}
	}
	if !slices.Contains(cmd.Env, "DISPLAY=:42") {
		t.Error("the child's environment lost $DISPLAY, which xclip needs")
	}
	if cmd.SysProcAttr == nil || !cmd.SysProcAttr.Setsid {
		t.Error("the child is not in a session of its own")
	}
	if cmd.Stdout != nil || cmd.Stderr != nil {
		t.Error("the child's stdout and stderr should be /dev/null")
	}
	sent, _ := json.Marshal(req)
	if bytes.Contains(sent, []byte(secret)) || !bytes.Contains(sent, []byte(h.String())) {
		t.Errorf("the pipe should carry the hash and not the marker; carries the marker: %v", bytes.Contains(sent, []byte(secret)))
	}
}

func TestClearerClearsAfterTheTimeout(t *testing.T) {
	path := t.TempDir() + "/clipboard"
	cb := fileClipboard(path)
	held := func() string { b, _ := os.ReadFile(path); return string(b) }

	t.Run("unchanged", func(t *testing.T) {
		secret := marker(t)
		h, _ := cb.Write(secret)
		req, _, _ := requestFor(cb, h, 300*time.Millisecond)
		cmd, stderr := child(t, path, nil)
		start := time.Now()
		if err := startClearer(cmd, req); err != nil {
			t.Fatal(err)
		}
		wait(t, cmd, stderr, 10*time.Second)
		if time.Since(start) < 300*time.Millisecond {
			t.Error("the clearer did not wait for the timeout")
		}
		if held() == secret {
			t.Fatal("clipboard still holds the marker")
		}
		if held() != "" {
			t.Fatal("clipboard is not empty")
		}
	})
	t.Run("copied over", func(t *testing.T) {
		secret := marker(t)
		h, _ := cb.Write(secret)
		// The copy lands well inside the timeout even on a busy machine: one landing as the
		// clearer compares could be cleared, which the clearer cannot help.
		req, _, _ := requestFor(cb, h, 3*time.Second)
		cmd, stderr := child(t, path, nil)
		if err := startClearer(cmd, req); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(path, []byte("the user's own text"), 0o600)
		wait(t, cmd, stderr, 10*time.Second)
		if held() != "the user's own text" {
			t.Fatal("the clearer touched what the user copied afterwards")
		}
	})
}

func TestClearerClearsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			path := t.TempDir() + "/clipboard"
			cb := fileClipboard(path)
			secret := marker(t)
			h, _ := cb.Write(secret)
			req, _, _ := requestFor(cb, h, time.Hour)
			cmd, stderr := child(t, path, nil)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := startClearer(cmd, req); err != nil {
				t.Fatal(err)
			}
			if line, err := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("clearer did not get ready: %q, %v: %s", line, err, stderr)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			wait(t, cmd, stderr, 10*time.Second)
			if b, _ := os.ReadFile(path); len(b) != 0 {
				t.Fatal("clipboard still holds the marker")
			}
		})
	}
}

func TestClearerOSC52ClearsBlindlyThroughTheTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var shown bytes.Buffer
	cb := New(OSC52, Options{Terminal: w, Getenv: func(string) string { return "" }})
	secret := marker(t)
	h, err := cb.Write(secret) // into the pipe's buffer; read below
	if err != nil {
		t.Fatal(err)
	}
	req, term, err := requestFor(cb, h, 100*time.Millisecond)
	if err != nil || term != w || req.Mode != OSC52 {
		t.Fatalf("requestFor = %+v, %v, %v", req, term, err)
	}
	cmd, stderr := child(t, "", term)
	if err := startClearer(cmd, req); err != nil {
		t.Fatal(err)
	}
	w.Close() // the child holds its own copy
	wait(t, cmd, stderr, 10*time.Second)
	if _, err := io.Copy(&shown, r); err != nil {
		t.Fatal(err)
	}
	want := "\x1b]52;c;" + "\x07"
	if !strings.HasSuffix(shown.String(), want) || strings.Count(shown.String(), "\x1b]52;") != 2 {
		t.Fatalf("the terminal did not get the write then the blind clear; got %d sequences", strings.Count(shown.String(), "\x1b]52;"))
	}
}

func TestStartClearerRefuses(t *testing.T) {
	exe := "/nonexistent/m3keys"
	h := Sum("x")
	if c, err := StartClearer(exe, &Fake{}, h, 0); err != nil || c != nil {
		t.Errorf("timeout 0 should start nothing; got %v", err)
	}
	if _, err := StartClearer(exe, &Fake{}, h, time.Second); err == nil {
		t.Error("a Fake cannot be cleared by another process, yet StartClearer accepted it")
	}
	var buf bytes.Buffer
	if _, err := StartClearer(exe, New(OSC52, Options{Terminal: &buf}), h, time.Second); err == nil {
		t.Error("OSC 52 to a buffer cannot be cleared later, yet StartClearer accepted it")
	}
	if _, err := StartClearer(exe, fileClipboard(t.TempDir()+"/c"), h, time.Second); err == nil {
		t.Error("a missing executable should fail to start")
	}
}

func TestRunClearerRefusesABadRequest(t *testing.T) {
	open := func(clearRequest) (Clipboard, error) { return &Fake{}, nil }
	for _, in := range []string{
		``, `not json`,
		`{"mode":"system","hash":"abc","timeout":"1s"}`,
		`{"mode":"system","hash":"` + Sum("x").String() + `","timeout":"-1s"}`,
		`{"mode":"system","hash":"` + Sum("x").String() + `","timeout":"0s"}`,
	} {
		if err := runClearer(strings.NewReader(in), nil, open); err == nil {
			t.Errorf("runClearer(%q) accepted it", in)
		}
	}
	if _, err := openForClearer(clearRequest{Mode: "carrier-pigeon"}); err == nil {
		t.Error("openForClearer accepted an unknown mode")
	}
}
