//go:build linux

package leaktest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/internal/testkit"
	"github.com/m3keys/m3keys/keystore"
)

// socketRecorder sits on the agent's socket path in front of the real agent and keeps every byte
// both ways, so the scan sees the agent's whole traffic.
type socketRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int // connections
}

func (r *socketRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func interpose(t *testing.T, sock string) *socketRecorder {
	t.Helper()
	real := sock + ".real"
	if err := os.Rename(sock, real); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(sock, 0o600)
	rec := &socketRecorder{}
	t.Cleanup(func() { ln.Close(); os.Rename(real, sock) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rec.mu.Lock()
			rec.n++
			rec.mu.Unlock()
			go func() {
				defer c.Close()
				up, err := net.Dial("unix", real)
				if err != nil {
					return
				}
				defer up.Close()
				done := make(chan struct{})
				go func() { _, _ = io.Copy(io.MultiWriter(up, rec), c); close(done) }()
				_, _ = io.Copy(io.MultiWriter(c, rec), up)
				<-done
			}()
		}
	}()
	return rec
}

// TestTheAgentNeverCarriesAPassphraseOrASecret: unlocked, every command goes through the
// agent; its socket traffic (file keys and Bearer tokens are expected) holds no passphrase
// and no API secret, and its environment and argv hold neither.
func TestTheAgentNeverCarriesAPassphraseOrASecret(t *testing.T) {
	bin := testkit.BuildM3keys(t)
	sec := newSecrets(t)
	root := t.TempDir()
	rt, err := os.MkdirTemp("", "m3k") // short: socket paths have a limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	t.Setenv("XDG_RUNTIME_DIR", rt)
	store := filepath.Join(root, "store")
	pass := "PASSMARKER-" + sec.nonce + "-agent"
	sec.passphrase(pass)
	if _, err := keystore.Create(store, pass); err != nil {
		t.Fatal(err)
	}
	srv := m3tertest.NewServer()
	defer srv.Close()
	m := map[string]string{}
	for _, id := range []string{"AK-A1", "AK-A2"} {
		m[id] = sec.marker()
		sec.credentials(id, m[id])
		srv.AddKey(m3tertest.Key{AccessKeyID: id, Secret: m[id], OrgID: orgA, ServiceUserID: "su-" + id, ServiceUserName: "billing", Admin: true})
	}
	h := &cliHarness{t: t, bin: bin, sec: sec, env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": root, "TMPDIR": root, "M3KEYS_HOME": store, "M3KEYS_PASSPHRASE": pass,
		"M3KEYS_API_URL": srv.URL, "XDG_RUNTIME_DIR": rt, "NO_COLOR": "1", "TERM": "xterm",
	}}
	for _, id := range []string{"AK-A1", "AK-A2"} {
		h.run(cliRun{args: []string{"add", "--org", orgA, "--user", "billing", "--key-id", id, "--org-name", "Acme", "--api-url", srv.URL},
			stdin: m[id] + "\n", code: 0, want: "added " + id})
	}
	h.run(cliRun{args: []string{"unlock"}, code: 0, want: "is unlocked until"})
	t.Cleanup(func() { h.run(cliRun{args: []string{"lock"}, code: anyCode}) })

	c, err := agent.ForStore(store)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"environ", "cmdline"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", st.PID, f))
		if err != nil {
			t.Fatal(err)
		}
		h.findings = append(h.findings, sec.scan("/proc/<agent>/"+f, data, scanOpts{})...)
		if bytes.Contains(data, []byte("M3KEYS_")) {
			h.findings = append(h.findings, "/proc/<agent>/"+f+": an M3KEYS_ variable")
		}
	}

	rec := interpose(t, c.Socket())
	noPass := map[string]string{"M3KEYS_PASSPHRASE": ""}
	h.run(cliRun{args: []string{"list"}, env: noPass, code: 0, want: "AK-A1"})
	h.run(cliRun{args: []string{"token", "AK-A1"}, env: noPass, code: 0, tokenOut: true})
	h.run(cliRun{args: []string{"token", "AK-A1"}, env: noPass, code: 0, tokenOut: true})
	h.run(cliRun{args: []string{"check"}, env: noPass, code: 0, want: "valid"})
	h.run(cliRun{args: []string{"inactivate", "AK-A2"}, env: noPass, code: 0})
	h.run(cliRun{args: []string{"activate", "AK-A2"}, env: noPass, code: 0})
	h.run(cliRun{args: []string{agentCompleteKeys}, env: noPass, code: 0, want: "AK-A2"})
	h.run(cliRun{args: []string{"unlock", "--status"}, env: noPass, code: 0, want: "unlocked:"})
	h.run(cliRun{args: []string{"secret", "AK-A1"}, env: noPass, code: 0, secretOut: m["AK-A1"]})

	rec.mu.Lock()
	traffic := append([]byte(nil), rec.buf.Bytes()...)
	conns := rec.n
	rec.mu.Unlock()
	if conns == 0 || !bytes.Contains(traffic, []byte(`"op":"unwrap"`)) || !bytes.Contains(traffic, []byte(`"fileKey"`)) {
		t.Fatalf("the commands did not go through the recorded agent (%d connections, %d bytes)", conns, len(traffic))
	}
	if !bytes.Contains(traffic, []byte(`"op":"token-put"`)) {
		t.Fatal("token did not hold its token in the agent")
	}
	h.findings = append(h.findings, sec.scan("the agent's socket traffic", traffic, scanOpts{allowJWT: true})...)
	if strings.Contains(string(traffic), "AGE-SECRET-KEY") {
		h.findings = append(h.findings, "the agent's socket traffic: the identity")
	}
	report(t, h.findings)
}

const agentCompleteKeys = "__complete-keys"
