package agent

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/keystore"
)

const testPass = "correct horse battery staple"

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	if len(os.Args) == 2 && os.Args[1] == ServeArg {
		os.Exit(Main())
	}
	if sock := os.Getenv("AGENT_TEST_CLIENT_SOCKET"); sock != "" {
		// Another process of some uid, dialing the socket it is told.
		key, _ := storeKey(os.Getenv("AGENT_TEST_CLIENT_STORE"))
		c := &Client{dir: key, socket: sock, Timeout: ioTimeout}
		_, err := c.Status()
		fmt.Println("status:", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// setup makes a store and a private runtime directory for its agent's socket.
func setup(t *testing.T) (dir string, s *keystore.Store) {
	t.Helper()
	rt, err := os.MkdirTemp("", "m3k") // short: socket paths have a limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	dir = filepath.Join(t.TempDir(), "store")
	s, err = keystore.Create(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", Name: "Acme", APIURL: "https://api.m3ter.com"})
	}); err != nil {
		t.Fatal(err)
	}
	return dir, s
}

// startAgent unlocks dir with the test binary as the agent; it is killed when the test ends.
func startAgent(t *testing.T, dir string, o Options) *Started {
	t.Helper()
	id, err := keystore.UnlockIdentity(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	file, err := keystore.ReadIdentityFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	st, err := Start(exe, dir, id, file, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(st.PID, syscall.SIGKILL)
		<-st.Done
	})
	return st
}

func client(t *testing.T, dir string) *Client {
	t.Helper()
	c, err := ForStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func waitDone(t *testing.T, st *Started, within time.Duration, why string) {
	t.Helper()
	select {
	case <-st.Done:
	case <-time.After(within):
		t.Fatalf("the agent is still running %s after %s", why, within)
	}
}

func TestEndToEndOverARealSocket(t *testing.T) {
	dir, s := setup(t)
	st := startAgent(t, dir, Options{})
	c := client(t, dir)
	fi, err := os.Stat(c.Socket())
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket %v %v; want an 0600 socket", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(c.Socket())); di.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory mode %v, want 0700", di.Mode())
	}
	status, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(status.Until); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("until %v from now, want 15m", d)
	}
	id, r, err := c.Identity()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := keystore.OpenWith(dir, id, r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s2.Document(), s.Document()) {
		t.Fatal("the document opened through the agent differs")
	}
	// A save through the agent opens with the passphrase.
	if err := s2.Update(func(tx *keystore.Tx) error {
		return tx.AddUser("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "ci")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.Open(dir, testPass); err != nil {
		t.Fatal(err)
	}
	// Tokens: held until 5 minutes before expiry.
	if err := c.TokenPut("k1", Token{Data: []byte(`{"t":1}`), Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if tok, ok := c.TokenGet("k1"); !ok || string(tok.Data) != `{"t":1}` {
		t.Fatalf("token %v %v", tok, ok)
	}
	_ = c.TokenPut("k2", Token{Data: []byte(`{}`), Expires: time.Now().Add(4 * time.Minute)})
	if _, ok := c.TokenGet("k2"); ok {
		t.Fatal("a token within 5 minutes of expiry was handed out")
	}
	// Lock: forgotten at once.
	if ok, err := c.Lock(); !ok || err != nil {
		t.Fatalf("lock %v %v", ok, err)
	}
	waitDone(t, st, 5*time.Second, "after lock")
	if _, err := c.Status(); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("status after lock: %v", err)
	}
	if _, err := os.Lstat(c.Socket()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket is left after lock: %v", err)
	}
	// The agent identity of a locked store is unavailable, not a damaged file.
	if _, err := keystore.OpenWith(dir, &agentIdentity{c: c}, r); !IsNotRunning(err) {
		t.Fatalf("open through a locked agent: %v", err)
	}
}

func TestAnotherStoreIsRefused(t *testing.T) {
	dir, _ := setup(t)
	startAgent(t, dir, Options{})
	c := client(t, dir)
	c.dir = "/elsewhere"
	if _, err := c.Status(); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "wrong store") {
		t.Fatalf("status for another store: %v", err)
	}
}

func TestIdleTimeout(t *testing.T) {
	dir, _ := setup(t)
	st := startAgent(t, dir, Options{Idle: 300 * time.Millisecond, Poll: 20 * time.Millisecond})
	waitDone(t, st, 10*time.Second, "idle")
	if _, err := client(t, dir).Status(); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("status: %v", err)
	}
}

// A use moves the idle lock to a full idle period after it; a status request does not.
// Read from the agent's own Until rather than by using it on a timer: a use delayed past a
// short idle period by a busy machine would lock it.
func TestUseResetsIdle(t *testing.T) {
	dir, _ := setup(t)
	const idle = time.Hour
	startAgent(t, dir, Options{Idle: idle, Poll: 20 * time.Millisecond})
	c := client(t, dir)
	until := func() time.Time {
		t.Helper()
		st, err := c.Status()
		if err != nil {
			t.Fatalf("the agent locked: %v", err)
		}
		return st.Until
	}
	id, r, err := c.Identity() // a use
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		before := until()
		for !time.Now().After(before.Add(-idle)) { // the clock moves past the last use
			time.Sleep(time.Millisecond)
		}
		if again := until(); !again.Equal(before) {
			t.Fatalf("a status request moved the idle lock from %v to %v", before, again)
		}
		used := time.Now().Round(0) // wall clock, as the agent reports
		if _, err := keystore.OpenWith(dir, id, r); err != nil {
			t.Fatalf("the agent locked while used: %v", err)
		}
		if after := until(); !after.After(before) || after.Before(used.Add(idle)) {
			t.Fatalf("a use at %v left the idle lock at %v (was %v), want %v or later", used, after, before, used.Add(idle))
		}
	}
}

func TestHardMaximum(t *testing.T) {
	dir, _ := setup(t)
	st := startAgent(t, dir, Options{Idle: time.Hour, Max: 700 * time.Millisecond, Poll: time.Hour})
	c := client(t, dir)
	go func() { // kept busy: the maximum holds all the same
		for {
			select {
			case <-st.Done:
				return
			default:
				_, _ = c.TokenGet("x")
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	waitDone(t, st, 10*time.Second, "past its maximum")
}

func TestIdentityChangeLocks(t *testing.T) {
	for _, how := range []string{"passwd", "new-identity"} {
		t.Run(how, func(t *testing.T) {
			dir, s := setup(t)
			st := startAgent(t, dir, Options{Poll: time.Hour}) // noticed on the next request, not the timer
			c := client(t, dir)
			if _, err := c.Status(); err != nil {
				t.Fatal(err)
			}
			var err error
			if how == "passwd" {
				err = s.ChangePassphrase("another long passphrase")
			} else {
				err = s.ChangeIdentity("another long passphrase")
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Status(); !errors.Is(err, ErrNotRunning) {
				t.Fatalf("status after %s: %v", how, err)
			}
			waitDone(t, st, 5*time.Second, "after "+how)
		})
	}
	t.Run("timer", func(t *testing.T) {
		dir, s := setup(t)
		st := startAgent(t, dir, Options{Poll: 20 * time.Millisecond})
		if err := s.ChangePassphrase("another long passphrase"); err != nil {
			t.Fatal(err)
		}
		waitDone(t, st, 10*time.Second, "after passwd, without a request")
	})
	t.Run("touched", func(t *testing.T) {
		dir, _ := setup(t)
		startAgent(t, dir, Options{Poll: 20 * time.Millisecond})
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(filepath.Join(dir, keystore.IdentityFile), later, later); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if _, err := client(t, dir).Status(); err != nil {
			t.Fatalf("a touched, unchanged identity.age locked the agent: %v", err)
		}
	})
}

func TestKilledAgentIsAFallback(t *testing.T) {
	dir, _ := setup(t)
	st := startAgent(t, dir, Options{})
	c := client(t, dir)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-st.Done
	if _, err := os.Lstat(c.Socket()); err != nil {
		t.Fatalf("expected the killed agent's socket left behind: %v", err)
	}
	begin := time.Now()
	if _, _, err := c.Identity(); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("identity from a killed agent: %v", err)
	}
	if d := time.Since(begin); d > ioTimeout+time.Second {
		t.Fatalf("falling back took %v", d)
	}
	startAgent(t, dir, Options{}) // a new agent takes the stale socket's place
	if _, err := c.Status(); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshReplacesTheAgent(t *testing.T) {
	dir, _ := setup(t)
	first := startAgent(t, dir, Options{})
	startAgent(t, dir, Options{Idle: time.Hour})
	waitDone(t, first, 5*time.Second, "after a refresh")
	st, err := client(t, dir).Status()
	if err != nil || time.Until(st.Until) < 59*time.Minute {
		t.Fatalf("status after refresh: %+v %v", st, err)
	}
}

func TestOversizedAndGarbageRequests(t *testing.T) {
	dir, _ := setup(t)
	startAgent(t, dir, Options{})
	c := client(t, dir)
	for i, msg := range [][]byte{
		binary.BigEndian.AppendUint32(nil, MaxMessage+1),
		append(binary.BigEndian.AppendUint32(nil, 5), "nope!"...),
		{0, 0}, // short, then silence: the deadline hangs up
	} {
		conn, err := net.Dial("unix", c.Socket())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = conn.Write(msg)
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var resp response
		err = readMessage(conn, &resp)
		conn.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("%q: %v", msg, err)
		}
		if resp.Err == "" && i < 2 {
			t.Fatalf("%q was answered without an error", msg)
		}
	}
	if _, err := c.Status(); err != nil {
		t.Fatalf("the agent did not survive bad requests: %v", err)
	}
}

func TestAnotherUIDIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another uid")
	}
	// Everything world-reachable in this test only, so the uid check is what refuses.
	open, err := os.MkdirTemp("", "m3keys-agent-uid")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(open) })
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", open)
	dir := filepath.Join(open, "store")
	if _, err := keystore.Create(dir, testPass); err != nil {
		t.Fatal(err)
	}
	startAgent(t, dir, Options{})
	c := client(t, dir)
	for _, p := range []string{filepath.Dir(c.Socket()), dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(c.Socket(), 0o666); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	exe := filepath.Join(open, "agent.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(uid uint32) string {
		cmd := exec.Command(exe)
		cmd.Env = []string{"AGENT_TEST_CLIENT_STORE=" + dir, "AGENT_TEST_CLIENT_SOCKET=" + c.Socket()}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		_ = cmd.Run()
		return out.String()
	}
	// The same child as root is served: the relaxed modes are not what decides.
	if out := run(0); !strings.Contains(out, "status: <nil>") {
		t.Fatalf("root's client: %s", out)
	}
	out := run(65534)
	if !strings.Contains(out, "refused: the agent serves uid 0 only") {
		t.Fatalf("uid 65534's client was not refused by uid: %s", out)
	}
}

func TestSocketDirectoryIsChecked(t *testing.T) {
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	sock := filepath.Join(rt, "m3keys")
	if err := os.Mkdir(sock, 0o755); err != nil {
		t.Fatal(err)
	}
	var dirErr *SocketDirError
	if _, err := SocketPath("/some/store"); !errors.Is(err, ErrSocketDirMode) || !errors.As(err, &dirErr) || dirErr.Dir != sock || !strings.Contains(err.Error(), "0755") {
		t.Fatalf("a 0755 directory: %v", err)
	}
	if err := os.Chmod(sock, 0o700); err != nil {
		t.Fatal(err)
	}
	p1, err := SocketPath("/some/store")
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := SocketPath("/some/store/."); p2 != p1 {
		t.Fatalf("the same store has two sockets: %s %s", p1, p2)
	}
	if p3, _ := SocketPath("/other/store"); p3 == p1 {
		t.Fatal("two stores share a socket")
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(sock, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := SocketPath("/some/store"); err == nil || !strings.Contains(err.Error(), "another user") {
			t.Fatalf("another user's directory: %v", err)
		}
	}
	if err := os.Remove(sock); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), sock); err != nil {
		t.Fatal(err)
	}
	if _, err := SocketPath("/some/store"); err == nil {
		t.Fatal("a symlink was taken as the socket directory")
	}
	// No runtime directory: one of the user's under the temp dir.
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("TMPDIR", t.TempDir())
	p, err := SocketPath("/some/store")
	if err != nil || !strings.HasPrefix(p, filepath.Join(os.TempDir(), fmt.Sprintf("m3keys-%d", os.Geteuid()))) {
		t.Fatalf("fallback socket %s: %v", p, err)
	}
}

func TestTheAgentsEnvironmentAndArgvHoldNoSecret(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc")
	}
	t.Setenv("M3KEYS_PASSPHRASE", testPass)
	dir, _ := setup(t)
	st := startAgent(t, dir, Options{})
	id, err := keystore.UnlockIdentity(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"environ", "cmdline"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", st.PID, f))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) == 0 && f == "cmdline" {
			t.Fatalf("/proc/%d/cmdline is empty: not the agent", st.PID)
		}
		for _, secret := range []string{"M3KEYS_", testPass, id.String()} {
			if bytes.Contains(data, []byte(secret)) {
				t.Fatalf("/proc/<agent>/%s holds %q", f, secret[:8])
			}
		}
	}
}
