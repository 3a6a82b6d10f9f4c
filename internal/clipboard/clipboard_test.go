package clipboard

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// testClipboardFile, in the clearer child's environment, swaps the system clipboard for a file.
const testClipboardFile = "M3KEYS_TEST_CLIPBOARD_FILE"

// TestMain doubles as the detached clearer: StartClearer's child is this test binary.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == ClearerArg {
		open := openForClearer
		if path := os.Getenv(testClipboardFile); path != "" {
			open = func(clearRequest) (Clipboard, error) { return fileClipboard(path), nil }
		}
		if err := runClearer(os.Stdin, os.Stdout, open); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fileClipboard is the system backend with a file for the clipboard, so two processes share it.
func fileClipboard(path string) *systemClipboard {
	return &systemClipboard{
		ready: func() error { return nil },
		write: func(s string) error { return os.WriteFile(path, []byte(s), 0o600) },
		read: func() (string, error) {
			b, err := os.ReadFile(path)
			return string(b), err
		},
	}
}

// marker stands in for a secret: tests say whether it is there, never print it.
func marker(t *testing.T) string {
	return fmt.Sprintf("marker-%s-%d", t.Name(), time.Now().UnixNano())
}

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mode
	}{{"", Auto}, {"auto", Auto}, {"system", System}, {"osc52", OSC52}} {
		got, err := ParseMode(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"x", "AUTO", "osc-52", " system"} {
		_, err := ParseMode(in)
		want := fmt.Sprintf("%q is not a clipboard mode: auto, system or osc52", in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseMode(%q) error = %v; want %q", in, err, want)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{{"", DefaultTimeout}, {"0", 0}, {"3s", 3 * time.Second}, {"1m30s", 90 * time.Second}} {
		got, err := ParseTimeout(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseTimeout(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"30", `"30" is not a duration like 30s or 2m, or 0 for never`},
		{"soon", `"soon" is not a duration like 30s or 2m, or 0 for never`},
		{"-1s", "a clipboard timeout must not be negative: 0 is never"},
	} {
		_, err := ParseTimeout(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseTimeout(%q) error = %v; want %q", tc.in, err, tc.want)
		}
	}
}

func TestHashRoundTrip(t *testing.T) {
	h := Sum("abc")
	if got := h.String(); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Sum(abc) = %s", got)
	}
	back, err := ParseHash(h.String())
	if err != nil || back != h {
		t.Fatalf("ParseHash(String()) = %v, %v", back, err)
	}
	for _, bad := range []string{"", "zz", h.String()[:10], h.String() + "00"} {
		if _, err := ParseHash(bad); err == nil {
			t.Errorf("ParseHash(%q) accepted", bad)
		}
	}
}

// env is a fake environment for New: variables and the tools on $PATH.
func env(vars map[string]string, goos string, tools ...string) Options {
	return Options{
		Getenv: func(k string) string { return vars[k] },
		LookPath: func(tool string) (string, error) {
			for _, have := range tools {
				if have == tool {
					return "/usr/bin/" + tool, nil
				}
			}
			return "", errors.New("not found")
		},
		goos: goos,
	}
}

func TestAutoChooses(t *testing.T) {
	x := map[string]string{"DISPLAY": ":0"}
	wl := map[string]string{"WAYLAND_DISPLAY": "wayland-0"}
	ssh := map[string]string{"SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 50000"}
	for _, tc := range []struct {
		name string
		o    Options
		want Mode
	}{
		{"X with xclip", env(x, "linux", "xclip"), System},
		{"X with xsel", env(x, "linux", "xsel"), System},
		{"X without a tool", env(x, "linux", "wl-copy", "wl-paste"), OSC52},
		{"Wayland with wl-clipboard", env(wl, "linux", "wl-copy", "wl-paste"), System},
		{"Wayland with wl-copy only", env(wl, "linux", "wl-copy", "xclip"), OSC52},
		{"no display, xclip installed", env(nil, "linux", "xclip", "xsel"), OSC52},
		{"termux", env(nil, "linux", "termux-clipboard-set", "termux-clipboard-get"), System},
		{"macOS", env(nil, "darwin"), System},
		{"macOS over SSH", env(ssh, "darwin"), OSC52},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := New(Auto, tc.o).Mode(); got != tc.want {
				t.Errorf("auto chose %s; want %s", got, tc.want)
			}
		})
	}
	if got := New(System, env(nil, "linux")).Mode(); got != System {
		t.Errorf("system became %s", got)
	}
	if got := New(OSC52, env(x, "linux", "xclip")).Mode(); got != OSC52 {
		t.Errorf("osc52 became %s", got)
	}
}

func TestSystemSaysWhatToInstall(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want error
	}{
		{"no tool", env(map[string]string{"DISPLAY": ":0"}, "linux"), ErrNoTool},
		{"no display", env(nil, "linux", "xclip"), ErrNoDisplay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret := marker(t)
			_, err := New(System, tc.o).Write(secret)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Write error = %v; want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the error carries the marker")
			}
		})
	}
}

func TestSystemWriteFailureHidesText(t *testing.T) {
	secret := marker(t)
	s := &systemClipboard{ready: func() error { return nil },
		write: func(string) error { return errors.New("exit status 1") },
		read:  func() (string, error) { return "", nil }}
	_, err := s.Write(secret)
	if !errors.Is(err, ErrNotWritten) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Write error should be ErrNotWritten and never carry the marker; carries marker: %v",
			err != nil && strings.Contains(err.Error(), secret))
	}
}

func TestClearIfUnchanged(t *testing.T) {
	path := t.TempDir() + "/clipboard"
	cb := fileClipboard(path)
	held := func() string { b, _ := os.ReadFile(path); return string(b) }

	secret := marker(t)
	h, err := cb.Write(secret)
	if err != nil || h != Sum(secret) {
		t.Fatalf("Write = %v, %v", h, err)
	}
	if held() != secret {
		t.Fatal("clipboard does not hold the marker after Write")
	}
	if cleared, err := cb.ClearIfUnchanged(h); !cleared || err != nil {
		t.Fatalf("ClearIfUnchanged = %v, %v; want cleared", cleared, err)
	}
	if held() != "" {
		t.Fatal("clipboard still holds the marker")
	}

	h, _ = cb.Write(secret)
	_ = os.WriteFile(path, []byte("copied by someone else"), 0o600)
	if cleared, err := cb.ClearIfUnchanged(h); cleared || err != nil {
		t.Fatalf("ClearIfUnchanged = %v, %v; want left alone", cleared, err)
	}
	if held() != "copied by someone else" {
		t.Fatal("clipboard lost what another program put there")
	}

	os.Remove(path) // as xclip when nobody owns the selection: cannot read back, so do not clear
	if cleared, err := cb.ClearIfUnchanged(h); cleared || err == nil {
		t.Fatalf("ClearIfUnchanged with no read-back = %v, %v; want an error and no clear", cleared, err)
	}
}

func TestFake(t *testing.T) {
	f := &Fake{}
	secret := marker(t)
	h, err := f.Write(secret)
	if err != nil || !f.Holds(secret) || f.Writes() != 1 || f.Mode() != System {
		t.Fatalf("Write: err %v, holds %v, writes %d", err, f.Holds(secret), f.Writes())
	}
	f.Set("other")
	if cleared, _ := f.ClearIfUnchanged(h); cleared || !f.Holds("other") {
		t.Fatal("Fake cleared what another program put there")
	}
	f.Set(secret)
	if cleared, _ := f.ClearIfUnchanged(h); !cleared || !f.Empty() || f.Clears() != 1 {
		t.Fatal("clipboard still holds the marker")
	}
	f.FailWrites(errors.New("no tool"))
	if _, err := f.Write(secret); err == nil || f.Writes() != 1 || !f.Empty() {
		t.Fatal("FailWrites did not fail the write")
	}
	blind := &Fake{Blind: true}
	blind.Set("other")
	if cleared, _ := blind.ClearIfUnchanged(h); !cleared || !blind.Empty() || blind.Mode() != OSC52 {
		t.Fatal("a blind Fake did not clear blindly")
	}
}
