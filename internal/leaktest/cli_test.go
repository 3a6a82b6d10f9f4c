//go:build linux

package leaktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/testkit"
	"github.com/m3keys/m3keys/keystore"
)

const (
	orgA = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	orgB = "11111111-2222-4333-8444-555555555555"
	orgC = "22222222-3333-4444-8555-666666666666"
)

// cliRun is one command line and what it must end with.
type cliRun struct {
	args  []string
	stdin string
	env   map[string]string // overrides the base environment; "" unsets
	code  int               // the exit code it must end with; anyCode when the rule is still being settled
	want  string            // text stdout or stderr must hold, so the path meant is the path taken
	// tokenOut: stdout is a Bearer token (m3keys token), the one place a JWT belongs.
	tokenOut bool
	// secretOut: stdout must be exactly this secret (m3keys secret into a pipe), the one place
	// a secret belongs; it is compared, not scanned.
	secretOut string
	// terminal: run on a pseudo-terminal (stdin and /dev/tty) and answer its hidden prompts.
	terminal []prompt
}

type prompt struct{ text, answer string }

const anyCode = -1

// cliHarness runs the real binary, each command in its own session without a
// controlling terminal unless it asks for one, and scans everything it writes.
type cliHarness struct {
	t        *testing.T
	bin      string
	env      map[string]string
	sec      *secrets
	findings []string
	runs     int
	// lastStderr is the stderr of the last run, for commands that print their help there.
	lastStderr string
}

func (h *cliHarness) environ(over map[string]string) []string {
	m := map[string]string{}
	for k, v := range h.env {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	var env []string
	for k, v := range m {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	slices.Sort(env)
	return env
}

func (h *cliHarness) run(r cliRun) (stdout string) {
	t := h.t
	t.Helper()
	h.runs++
	name := "m3keys " + strings.Join(r.args, " ")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, r.args...)
	cmd.Env = h.environ(r.env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(r.stdin)
	// A session of its own: no controlling terminal, so nothing is asked on the terminal
	// that runs the tests, and passphrase prompts go where the test says.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var term *pty
	if r.terminal != nil {
		var err error
		if term, err = openPTY(); err != nil {
			t.Fatalf("%s: no pseudo-terminal: %v", name, err)
		}
		defer term.close()
		cmd.Stdin = term.follower
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, p := range r.terminal {
		if err := term.answer(p.text, p.answer, 30*time.Second); err != nil {
			t.Errorf("%s: %v", name, err)
			break
		}
	}
	err := cmd.Wait()
	if d := time.Since(began); d > 2*time.Second {
		t.Logf("%s took %v", name, d.Round(100*time.Millisecond))
	}
	code := cmd.ProcessState.ExitCode()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", name, err)
	}
	if ctx.Err() != nil {
		t.Errorf("%s: still running after a minute; killed", name)
	}

	var found []string
	if r.secretOut == "" {
		found = h.sec.scan(name+": stdout", out.Bytes(), scanOpts{allowJWT: r.tokenOut})
	} else if out.String() != r.secretOut {
		t.Errorf("%s: stdout is not exactly the key's secret (%d bytes)", name, out.Len())
	}
	found = append(found, h.sec.scan(name+": stderr", errb.Bytes(), scanOpts{})...)
	if term != nil {
		term.close()
		found = append(found, h.sec.scan(name+": terminal", term.output(), scanOpts{})...)
	}
	h.findings = append(h.findings, found...)
	h.lastStderr = errb.String()

	// Quote the output in a failure only when it holds nothing secret.
	shown := "(output withheld: it holds a secret)"
	if len(found) == 0 {
		shown = "stdout: " + out.String() + "\nstderr: " + errb.String()
	}
	if r.code != anyCode && code != r.code {
		t.Errorf("%s: exit %d, want %d\n%s", name, code, r.code, shown)
	} else if r.want != "" && !strings.Contains(out.String()+errb.String(), r.want) {
		t.Errorf("%s: output lacks %q\n%s", name, r.want, shown)
	}
	return out.String()
}

// deadURL is a loopback address where nothing listens: m3ter is down.
func deadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// trapProxy is an HTTP proxy that counts connections: any is a request that left by a proxy.
func trapProxy(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return "http://" + l.Addr().String(), &n
}

// holdLock takes the store's lock as another m3keys would (flock), until the returned func.
func holdLock(t *testing.T, path string) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("taking the lock: %v", err)
	}
	return func() { f.Close() }
}

// TestCLINeverLeaks runs every command, on its success and its error paths, and fails if
// a secret, the passphrase or a token shows up in any output, file or temp file.
func TestCLINeverLeaks(t *testing.T) {
	bin := testkit.BuildM3keys(t) // before TMPDIR changes: the build's own temp files are not ours to scan
	sec := newSecrets(t)
	root := t.TempDir()
	tmp, home, store, fresh := filepath.Join(root, "tmp"), filepath.Join(root, "home"), filepath.Join(root, "store"), filepath.Join(root, "fresh")
	for _, d := range []string{tmp, home} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TMPDIR", tmp)

	pass, newPass := "PASSMARKER-"+sec.nonce+"-old", "PASSMARKER-"+sec.nonce+"-new"
	sec.passphrase(pass)
	sec.passphrase(newPass)
	if _, err := keystore.Create(store, pass); err != nil { // cheap work factor: see TestMain
		t.Fatal(err)
	}

	srv := m3tertest.NewServer()
	defer srv.Close()
	down := deadURL(t)
	proxy, proxied := trapProxy(t)

	m := map[string]string{}
	for _, id := range []string{"AK-VALID", "AK-REJ", "AK-FORBID", "AK-INACT", "AK-DOWN", "AK-JSON", "AK-TTY", "AK-FRESH"} {
		m[id] = sec.marker()
		sec.credentials(id, m[id])
	}
	known := func(id string, admin bool) {
		org := orgA
		if id == "AK-JSON" || id == "AK-TTY" {
			org = orgC
		}
		srv.AddKey(m3tertest.Key{AccessKeyID: id, Secret: m[id], OrgID: org, ServiceUserID: "su-" + id, ServiceUserName: "billing", Admin: admin})
	}
	known("AK-VALID", true)
	known("AK-FORBID", false)
	known("AK-INACT", true) // INACTIVE here, still accepted by m3ter: a warning, not a leak
	known("AK-JSON", true)
	known("AK-TTY", true)
	srv.AddKey(m3tertest.Key{AccessKeyID: "AK-REJ", Secret: "not-the-stored-secret", OrgID: orgA}) // rejected

	h := &cliHarness{t: t, bin: bin, sec: sec, env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"TMPDIR": tmp, "M3KEYS_HOME": store, "M3KEYS_PASSPHRASE": pass, "M3KEYS_API_URL": srv.URL,
		"NO_COLOR": "1", "TERM": "xterm",
		// A loopback request must never go by a proxy; https ones may, and none is made here.
		"HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
	}}
	run := func(code int, want string, args ...string) string {
		t.Helper()
		return h.run(cliRun{args: args, code: code, want: want})
	}
	runIn := func(stdin string, code int, want string, args ...string) {
		t.Helper()
		h.run(cliRun{args: args, stdin: stdin, code: code, want: want})
	}

	// Help and usage: no store needed.
	run(0, "m3keys", "version")
	run(0, "Usage:", "--help")
	run(0, "Usage:", "help")
	usage := h.run(cliRun{args: []string{"--help"}, code: 0}) + h.lastStderr
	for _, c := range []string{"list", "add", "import", "inactivate", "activate", "remove", "check", "token", "passwd", "demo", "version", "copy", "secret"} {
		if !strings.Contains(usage, "m3keys "+c) {
			t.Logf("not covered: %s (not in this build)", c)
			continue
		}
		run(0, "Usage:\n  m3keys "+c, c, "--help")
	}
	run(2, "unknown command", "frobnicate")
	run(anyCode, "", "--clipboard", "bogus", "list") // refused only by commands that use the clipboard
	run(2, "", "list", "--no-such-flag")

	// add: one key by a pipe, and every way to get it wrong with a secret in hand.
	add := func(keyID, user string) []string {
		return []string{"add", "--org", orgA, "--user", user, "--key-id", keyID}
	}
	h.run(cliRun{args: append(add("AK-VALID", "billing"), "--org-name", "Acme", "--api-url", srv.URL), stdin: m["AK-VALID"] + "\n", code: 0, want: "added AK-VALID"})
	runIn(m["AK-VALID"]+"\n", 1, "", add("AK-VALID", "billing")...)                        // the ID is taken
	runIn(sec.marker()+" with space\n", 2, "", add("AK-BAD1", "billing")...)               // not a valid secret
	runIn(sec.marker()+strings.Repeat("x", 600)+"\n", 2, "", add("AK-BAD2", "billing")...) // too long
	runIn(sec.marker()+"\x1b[31m\xff\n", 2, "", add("AK-BAD3", "billing")...)              // control and invalid UTF-8
	runIn(sec.marker()+"\n"+sec.marker()+"\n", anyCode, "", add("AK-MULTI", "multi")...)   // two lines: refused by issue 7, item 8
	runIn("", 2, "", add("AK-EMPTY", "billing")...)
	runIn(sec.marker()+"\n", 2, "", "add", "--org", "not-a-uuid", "--user", "billing", "--key-id", "AK-BAD4")
	runIn(sec.marker()+"\n", anyCode, "", append(add("AK-BAD5", "billing"), "--api-url", down)...) // another API URL for the org
	h.run(cliRun{args: add("AK-BAD6", "billing"), stdin: sec.marker() + "\n", code: 2, env: map[string]string{"M3KEYS_PASSPHRASE": "wrong " + pass}})
	h.run(cliRun{args: add("AK-BAD7", "billing"), stdin: sec.marker() + "\n", code: 2, env: map[string]string{"M3KEYS_PASSPHRASE": ""}})
	h.run(cliRun{args: add("AK-BAD8", "billing"), stdin: sec.marker() + "\n", code: 2, env: map[string]string{"M3KEYS_API_URL": "http://example.com"}})

	// import: CSV and JSON, all or nothing, and malformed input with secrets in the bad rows.
	csv := "org_id,service_user,access_key_id,api_secret,org_name,api_url,status\n" +
		orgA + ",billing,AK-REJ," + m["AK-REJ"] + ",,,\n" +
		orgA + ",reports,AK-FORBID," + m["AK-FORBID"] + ",,,\n" +
		orgA + ",reports,AK-INACT," + m["AK-INACT"] + ",,,INACTIVE\n" +
		orgB + ",ops,AK-DOWN," + m["AK-DOWN"] + ",Down Org," + down + ",\n"
	runIn(csv, 0, "imported 4", "import")
	head := "org_id,service_user,access_key_id,api_secret\n"
	for _, bad := range []string{
		head + "not-a-uuid,billing,AK-X1," + sec.marker() + "\n",
		head + orgA + ",billing,AK-X2," + sec.marker() + "\"quote\n",
		head + orgA + ",billing,AK-X3," + sec.marker() + " tail\n",
		head + orgA + ",billing,AK-X4," + sec.marker() + ",,,,,,,,,extra\n",
		head + orgA + ",billing,AK-X5,\"" + sec.marker() + "\n" + sec.marker() + "\"\n",
		head + orgA + ",billing,AK-X6,\"" + sec.marker(),
		head + orgA + ",billing,AK-X7," + sec.marker() + strings.Repeat("y", 600) + "\n",
		head + orgA + ",billing,AK-X8," + sec.marker() + "\xff\x00\n",
		head + orgA + ",billing,AK-VALID," + sec.marker() + "\n", // a key ID already stored
		head + orgA + ",new-user,AK-X9," + sec.marker() + "\n" + orgA + ",new-user,AK-X9," + sec.marker() + "\n",
		sec.marker() + ",service_user,access_key_id,api_secret\n", // a secret pasted as the header
		"org_id,service_user,access_key_id\n" + orgA + ",billing,AK-X10," + sec.marker() + "\n",
	} {
		h.run(cliRun{args: []string{"import"}, stdin: bad, code: anyCode, want: "nothing was imported"})
	}
	entry := func(keyID, secret string) string {
		return fmt.Sprintf(`{"org_id":%q,"org_name":"JSON org","service_user":"json-user","access_key_id":%q,"api_secret":%q}`, orgC, keyID, secret)
	}
	runIn("["+entry("AK-JSON", m["AK-JSON"])+"]", 0, "imported 1", "import", "--json")
	for _, bad := range []string{
		`[{"org_id":"` + orgA + `","api_secret":"` + sec.marker() + `" x}]`,
		`[{"org_id":"` + orgA + `","api_secret":` + sec.marker() + `}]`,
		`[{"` + sec.marker() + `":"x"}]`,
		`[{"org_id":"` + orgA + `","service_user":"u","access_key_id":"AK-J1","api_secret":5}]`,
		`{"org_id":"` + orgA + `","api_secret":"` + sec.marker() + `"}`,
		`[][` + entry("AK-J3", sec.marker()) + `]`,
		`[` + entry("AK-J4", sec.marker()+" space") + `]`,
		strings.Replace(`[`+entry("AK-J5", "NUL"+sec.marker())+`]`, "NUL", `\u0000`, 1), // a control character
		`[` + entry("not a key id", sec.marker()) + `]`,
		`[` + entry("AK-J6", sec.marker()),
	} {
		h.run(cliRun{args: []string{"import", "--json"}, stdin: bad, code: anyCode, want: "nothing was imported"})
	}
	// A field given twice: refused by issue 7, item 8; until then it may import.
	runIn(`[{"org_id":"`+orgC+`","service_user":"json-user","access_key_id":"AK-J2","api_secret":"`+sec.marker()+`","api_secret":"`+sec.marker()+`"}]`, anyCode, "", "import", "--json")
	h.run(cliRun{args: []string{"import"}, stdin: csv, code: 2, env: map[string]string{"M3KEYS_PASSPHRASE": "wrong"}})

	// list
	run(0, "AK-VALID", "list")
	run(0, `"accessKeyId"`, "list", "--json")
	run(0, "", "list", "--max-age", "1d")
	run(2, "", "list", "extra")
	h.run(cliRun{args: []string{"list"}, code: 2, env: map[string]string{"M3KEYS_PASSPHRASE": "wrong " + pass}, want: "passphrase"})
	h.run(cliRun{args: []string{"list"}, code: 2, env: map[string]string{"M3KEYS_HOME": filepath.Join(root, "nowhere")}})

	// check: valid, rejected, forbidden, INACTIVE still accepted, m3ter down, faults.
	run(1, "", "check")
	run(1, `"results"`, "check", "--json")
	run(1, "", "check", "--no-verify")
	run(0, "valid", "check", "--org", orgC)
	run(3, "", "check", "--org", orgB)
	run(3, `"undetermined"`, "check", "--json", "--org", orgB)
	run(2, "", "check", "--org", "not-a-uuid")
	run(anyCode, "", "check", "--rate", "NaN", "--org", orgC)
	run(anyCode, "", "check", "--fail-on-stale", "--max-age", "0d", "--org", orgC)
	srv.AddFault(m3tertest.Fault{KeyID: "AK-JSON", Status: 500})
	run(3, "", "check", "--json", "--org", orgC)
	srv.ClearFaults()
	srv.AddFault(m3tertest.Fault{KeyID: "AK-JSON", Endpoint: m3tertest.UsersMeEndpoint, Body: m3tertest.NotJSON})
	run(3, "", "check", "--org", orgC)
	srv.ClearFaults()
	srv.AddFault(m3tertest.Fault{KeyID: "AK-JSON", Endpoint: m3tertest.TokenEndpoint, Status: 401, OAuthError: true})
	run(1, "", "check", "--org", orgC)
	srv.ClearFaults()
	// DESIGN.md's KEY_ID arguments and --all, once check has them.
	if help := h.run(cliRun{args: []string{"check", "--help"}, code: 0}) + h.lastStderr; strings.Contains(help, "-all") {
		run(1, "", "check", "--all", "--json")
		run(0, "valid", "check", "AK-VALID")
		run(3, "", "check", "AK-DOWN")
		run(2, "", "check", "AK-NOPE")
	} else {
		t.Log("not covered: check KEY_ID… and check --all (not in this build)")
	}

	// token: the one command whose stdout holds a JWT.
	if out := h.run(cliRun{args: []string{"token", "AK-VALID"}, code: 0, tokenOut: true}); !strings.HasPrefix(out, jwtPrefix) {
		t.Errorf("m3keys token AK-VALID: stdout is not a JWT (%d bytes)", len(out))
	}
	run(1, "", "token", "AK-REJ")
	run(3, "", "token", "AK-DOWN")
	run(2, "", "token", "AK-NOPE")
	run(2, "", "token")

	// The hand-out: once to a pipe (stdout is the secret, nothing else anywhere), then refused;
	// clipboard hand-outs that cannot work (no display, no terminal) roll back and say why.
	h.run(cliRun{args: []string{"secret", "AK-VALID"}, code: 0, secretOut: m["AK-VALID"]})
	run(1, "already handed out", "secret", "AK-VALID")
	// secret -- COMMAND: the consumer's environment (no passphrase) and its output are scanned; a
	// failing consumer rolls the hand-out back; the granted one is exactly the secret on cat's
	// stdout; a refused one runs nothing; /dev/null is refused.
	marker := filepath.Join(tmp, "consumer-ran")
	run(2, "rolled back", "secret", "AK-DOWN", "--", "sh", "-c", "env; cat >/dev/null; exit 3")
	run(2, "did not start", "secret", "AK-DOWN", "--", "m3keys-no-such-consumer")
	h.run(cliRun{args: []string{"secret", "AK-DOWN", "--", "cat"}, code: 0, secretOut: m["AK-DOWN"]})
	run(1, "was not run", "secret", "AK-DOWN", "--", "sh", "-c", "touch "+marker)
	if _, err := os.Stat(marker); err == nil {
		t.Error("secret -- COMMAND ran the command of a refused hand-out")
	}
	run(1, "was not run", "secret", "AK-VALID", "--", "cat")
	run(2, "", "secret", "AK-NOPE", "--", "cat")
	run(2, "", "secret", "AK-DOWN", "--")
	run(2, "clipboard", "copy", "AK-VALID") // no clipboard here: refused before the store is asked
	run(2, "", "copy", "AK-FORBID", "--clipboard", "osc52")
	h.run(cliRun{args: []string{"copy", "AK-FORBID", "--clipboard", "system"}, code: 2, env: map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}})
	h.run(cliRun{args: []string{"token", "AK-VALID", "--copy", "--clipboard", "system"}, code: 2, env: map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}})
	run(2, "", "secret", "AK-NOPE")

	// inactivate, activate, remove
	run(0, "", "inactivate", "AK-VALID")
	run(0, "", "activate", "AK-VALID")
	run(1, "", "remove", "AK-VALID")
	run(0, "", "remove", "AK-INACT")
	run(1, "", "inactivate", "AK-FORBID") // reports' last ACTIVE key
	run(0, "", "inactivate", "AK-FORBID", "--force")
	run(2, "", "inactivate", "AK-NOPE")
	run(2, "", "activate", "AK-NOPE")
	run(2, "", "remove", "AK-NOPE")
	run(2, "", "remove")

	// Another m3keys holds the store: the wait is bounded and says so, with a secret on stdin.
	unlock := holdLock(t, filepath.Join(store, "lock"))
	run(2, "", "--lock-timeout", "1s", "list")
	h.run(cliRun{args: append([]string{"--lock-timeout", "1s"}, add("AK-LOCKED", "billing")...), stdin: sec.marker() + "\n", code: 2})
	unlock()
	run(2, "", "--lock-timeout", "forever", "list")

	// On a terminal: a secret typed at a hidden prompt, then passwd (the real work factor from here on).
	h.run(cliRun{args: []string{"add", "--org", orgC, "--user", "tty-user", "--key-id", "AK-TTY"}, code: 0, want: "added AK-TTY",
		terminal: []prompt{{"API Secret for AK-TTY", m["AK-TTY"]}}})
	run(2, "terminal", "passwd") // no terminal
	h.run(cliRun{args: []string{"passwd"}, code: 2, want: "do not match",
		terminal: []prompt{{"New passphrase: ", newPass}, {"Repeat new passphrase: ", newPass + "x"}}})
	h.run(cliRun{args: []string{"passwd"}, code: 0, want: "passphrase changed",
		terminal: []prompt{{"New passphrase: ", newPass}, {"Repeat new passphrase: ", newPass}}})
	h.env["M3KEYS_PASSPHRASE"] = newPass
	h.run(cliRun{args: []string{"passwd", "--new-identity"}, code: 0,
		terminal: []prompt{{"New passphrase: ", newPass}, {"Repeat new passphrase: ", newPass}}})
	run(0, "AK-TTY", "list") // the new passphrase opens the new identity

	// The first add creates a store.
	h.run(cliRun{args: add("AK-FRESH", "fresh-user"), stdin: m["AK-FRESH"] + "\n", code: 0,
		env: map[string]string{"M3KEYS_HOME": fresh}})

	// Every file the commands left, every temp file, and whatever went by the proxy.
	for _, tree := range []struct{ label, dir string }{{"store", store}, {"new store", fresh}, {"$TMPDIR", tmp}, {"$HOME", home}} {
		found, _ := sec.scanTree(t, tree.label, tree.dir, storeFiles)
		h.findings = append(h.findings, found...)
	}
	if n := proxied.Load(); n > 0 {
		h.findings = append(h.findings, fmt.Sprintf("the network: %d connection(s) to $HTTP_PROXY for a loopback API URL", n))
	}
	for _, f := range []string{"identity.age", "keystore.age", "keystore.age.bak"} {
		if _, err := os.Stat(filepath.Join(store, f)); err != nil {
			t.Errorf("store: %v", err)
		}
	}
	report(t, h.findings)
	t.Logf("%d command lines run", h.runs)
}
