package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/keystore"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	time.Local = time.UTC // times on screen are local: the same on every machine; a test may pin another zone
	os.Exit(m.Run())
}

const (
	org1   = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	org2   = "11111111-2222-4333-8444-555555555555"
	pass   = "test passphrase"
	secret = "SeCrEt-VALUE-must-never-show-1234"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fakeTerminal answers hidden prompts from a queue.
type fakeTerminal struct {
	answers []string
	prompts []string
}

func (f *fakeTerminal) ReadHidden(prompt string) (string, error) {
	f.prompts = append(f.prompts, prompt)
	if len(f.answers) == 0 {
		return "", errors.New("no more answers")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a, nil
}

type harness struct {
	t    *testing.T
	home string
	vars map[string]string
	term Terminal
	tty  bool // stdin is a terminal
	// stderrTTY: stderr is a terminal (check shows its progress line)
	stderrTTY bool
	openTUI   func(TUIOptions) error // the TUI, faked
	stdoutTTY bool
	// stdoutDiscards: stdout is /dev/null or closed (Env.StdoutDiscards)
	stdoutDiscards string
	// tokens, when set, is one token cache for every run, as in one process
	tokens *authclient.TokenCache

	clip       *clipboard.Fake
	cb         clipboard.Clipboard // when set, the clipboard commands get this instead of clip
	stdout     io.Writer           // when set, stdout goes here instead of the outcome
	clipMode   clipboard.Mode      // the mode the last command opened the clipboard with
	clipErr    error               // Env.Clipboard fails with it
	clearers   []clearerCall
	clearerErr error // Env.StartClearer fails with it
	// secretOut: stdout may hold the secret (m3keys secret), and only stdout
	secretOut bool
}

// clearerCall is one detached clearer the command would have started.
type clearerCall struct {
	hash    clipboard.Hash
	timeout time.Duration
	stopped bool // ended unused: the write it was started for failed
}

// stopRecorder notes that its clearer was stopped.
type stopRecorder struct {
	h *harness
	i int
}

func (s stopRecorder) Stop() { s.h.clearers[s.i].stopped = true }

func newHarness(t *testing.T) *harness {
	home := filepath.Join(t.TempDir(), "store")
	return &harness{t: t, home: home, vars: map[string]string{"M3KEYS_HOME": home, "M3KEYS_PASSPHRASE": pass}, clip: &clipboard.Fake{}}
}

type outcome struct {
	code           int
	stdout, stderr string
}

func (h *harness) run(stdin string, args ...string) outcome {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return h.vars[k] }, Terminal: h.term, StdinIsTTY: h.tty, StderrIsTTY: h.stderrTTY,
		Now: func() time.Time { return now }, Version: "test", OpenTUI: h.openTUI, StdoutIsTTY: h.stdoutTTY, Tokens: h.tokens,
		Clipboard: func(m clipboard.Mode) (clipboard.Clipboard, error) {
			h.clipMode = m
			if h.clipErr != nil {
				return nil, h.clipErr
			}
			return h.clipboard(), nil
		},
		StartClearer: func(cb clipboard.Clipboard, hash clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error) {
			if cb != h.clipboard() {
				h.t.Errorf("clearer started for another clipboard: %T", cb)
			}
			if h.clearerErr != nil {
				return nil, h.clearerErr
			}
			h.clearers = append(h.clearers, clearerCall{hash: hash, timeout: timeout})
			return stopRecorder{h, len(h.clearers) - 1}, nil
		}}
	if h.stdout != nil {
		env.Stdout = h.stdout
	}
	env.StdoutDiscards = h.stdoutDiscards
	code := Run(args, env)
	o := outcome{code, out.String(), errb.String()}
	printed := o.stdout + o.stderr
	if h.secretOut {
		printed = o.stderr
	}
	if strings.Contains(printed, secret) {
		h.t.Fatalf("m3keys %s printed the secret", strings.Join(args, " "))
	}
	return o
}

func (h *harness) clipboard() clipboard.Clipboard {
	if h.cb != nil {
		return h.cb
	}
	return h.clip
}

func (h *harness) mustRun(stdin string, args ...string) outcome {
	h.t.Helper()
	o := h.run(stdin, args...)
	if o.code != 0 {
		h.t.Fatalf("m3keys %s: exit %d: %s", strings.Join(args, " "), o.code, o.stderr)
	}
	return o
}

func (h *harness) add(keyID, user string) outcome {
	return h.run(secret+"\n", "add", "--org", org1, "--user", user, "--key-id", keyID, "--org-name", "Acme")
}

func (h *harness) store() *keystore.Document {
	h.t.Helper()
	s, err := keystore.Open(h.home, pass)
	if err != nil {
		h.t.Fatal(err)
	}
	return s.Document()
}

func TestAddCreatesStoreAndListShowsKeyNotSecret(t *testing.T) {
	h := newHarness(t)
	if o := h.add("AK-1", "ci-bot"); o.code != 0 {
		t.Fatalf("add: %d %s", o.code, o.stderr)
	}
	ref, ok := h.store().Key("AK-1")
	if !ok || ref.Key.Secret.Reveal() != secret || ref.Org.Name != "Acme" || ref.Org.APIURL != "https://api.m3ter.com" {
		t.Fatalf("stored key wrong: ok=%v org=%+v", ok, ref.Org)
	}
	o := h.mustRun("", "list")
	for _, want := range []string{"Acme", org1, "ci-bot", "AK-1", "ACTIVE", "0d", "copy once", "untested"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("list output lacks %q:\n%s", want, o.stdout)
		}
	}
}

func TestListJSONSchema(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	var got struct {
		Organizations []struct {
			ID, Name, APIURL string
			ServiceUsers     []struct {
				Name string
				Keys []map[string]any
			}
		}
	}
	o := h.mustRun("", "list", "--json")
	if err := json.Unmarshal([]byte(o.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, o.stdout)
	}
	k := got.Organizations[0].ServiceUsers[0].Keys[0]
	for _, field := range []string{"accessKeyId", "status", "createdAt", "ageDays", "stale", "secretCopied", "lastCheck"} {
		if _, ok := k[field]; !ok {
			t.Errorf("key lacks %s: %v", field, k)
		}
	}
	if k["accessKeyId"] != "AK-1" || k["stale"] != false || k["secretCopied"] != false {
		t.Errorf("key fields wrong: %v", k)
	}
}

func TestThirdKeyRefusedWithRotationSteps(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.add("AK-2", "ci-bot")
	o := h.add("AK-3", "ci-bot")
	if o.code != ExitRefused || !strings.Contains(o.stderr, "two access keys") || !strings.Contains(o.stderr, "INACTIVE") {
		t.Fatalf("third key: exit %d: %s", o.code, o.stderr)
	}
	if !strings.HasPrefix(o.stderr, "m3keys: ") || strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("message not in the m3keys: … — … form: %q", o.stderr)
	}
	if _, ok := h.store().Key("AK-3"); ok {
		t.Error("refused key stored")
	}
}

func TestKeyLifecycle(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	if o := h.run("", "remove", "AK-1"); o.code != ExitRefused || !strings.Contains(o.stderr, "inactivate") {
		t.Fatalf("remove ACTIVE: %d %s", o.code, o.stderr)
	}
	if o := h.run("", "inactivate", "AK-1"); o.code != ExitRefused || !strings.Contains(o.stderr, "last ACTIVE") {
		t.Fatalf("inactivate last: %d %s", o.code, o.stderr)
	}
	h.mustRun("", "inactivate", "AK-1", "--force")
	h.mustRun("", "activate", "AK-1")
	h.mustRun("", "inactivate", "--force", "AK-1")
	h.mustRun("", "remove", "AK-1")
	if _, ok := h.store().Key("AK-1"); ok {
		t.Error("key not removed")
	}
	if o := h.run("", "remove", "AK-1"); o.code != ExitUsage || !strings.Contains(o.stderr, "not found — check the ID") {
		t.Errorf("remove unknown: %d %s", o.code, o.stderr)
	}
}

func TestBadInputIsUsageErrorAndCreatesNothing(t *testing.T) {
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"org not uuid", secret, []string{"add", "--org", "acme", "--user", "u", "--key-id", "k"}, "organization ID"},
		{"missing key id", secret, []string{"add", "--org", org1, "--user", "u"}, "--key-id"},
		{"secret with space", "has a space\n", []string{"add", "--org", org1, "--user", "u", "--key-id", "k"}, "API secret"},
		{"empty stdin", "", []string{"add", "--org", org1, "--user", "u", "--key-id", "k"}, "stdin"},
		{"http api url", secret, []string{"add", "--org", org1, "--user", "u", "--key-id", "k", "--api-url", "http://example.com"}, "https"},
		{"unknown command", "", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", "", []string{"list", "--nope"}, "--help"},
		{"extra argument", "", []string{"remove", "a", "b"}, "one argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.run(c.stdin, c.args...)
			if o.code != ExitUsage || !strings.Contains(o.stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 mentioning %q", o.code, o.stderr, c.want)
			}
			if _, err := os.Stat(h.home); err == nil {
				t.Error("a store was created for a refused command")
			}
		})
	}
}

func TestPassphraseSources(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	delete(h.vars, "M3KEYS_PASSPHRASE")
	o := h.run("", "list")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "M3KEYS_PASSPHRASE") {
		t.Fatalf("no passphrase, no terminal: %d %q", o.code, o.stderr)
	}
	ft := &fakeTerminal{answers: []string{pass}}
	h.term = ft
	if o := h.run("", "list"); o.code != 0 || len(ft.prompts) != 1 {
		t.Fatalf("terminal prompt: %d %q prompts %v", o.code, o.stderr, ft.prompts)
	}
	h.term = &fakeTerminal{answers: []string{"wrong"}}
	if o := h.run("", "list"); o.code != ExitUsage || !strings.Contains(o.stderr, "incorrect passphrase") {
		t.Fatalf("wrong passphrase: %d %q", o.code, o.stderr)
	}
}

func TestFirstStoreAsksTwiceOnTerminal(t *testing.T) {
	h := newHarness(t)
	delete(h.vars, "M3KEYS_PASSPHRASE")
	h.term = &fakeTerminal{answers: []string{"one", "two"}}
	if o := h.add("AK-1", "u"); o.code != ExitUsage || !strings.Contains(o.stderr, "do not match") {
		t.Fatalf("mismatch: %d %q", o.code, o.stderr)
	}
	if keystore.Exists(h.home) {
		t.Fatal("store created despite mismatch")
	}
	h.term = &fakeTerminal{answers: []string{pass, pass}}
	if o := h.add("AK-1", "u"); o.code != 0 {
		t.Fatalf("create: %d %q", o.code, o.stderr)
	}
	h.store()
}

func TestPasswd(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "u")
	if o := h.run("", "passwd"); o.code != ExitUsage || !strings.Contains(o.stderr, "terminal") {
		t.Fatalf("passwd without terminal: %d %q", o.code, o.stderr)
	}
	h.term = &fakeTerminal{answers: []string{"new", "other"}}
	if o := h.run("", "passwd"); o.code != ExitUsage {
		t.Fatalf("mismatch accepted: %d", o.code)
	}
	h.term = &fakeTerminal{answers: []string{"new passphrase", "new passphrase"}}
	h.mustRun("", "passwd")
	if _, err := keystore.Open(h.home, "new passphrase"); err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
}

func TestImportAllOrNone(t *testing.T) {
	h := newHarness(t)
	good := "org_id,service_user,access_key_id,api_secret,org_name\n" +
		org1 + ",ci," + "AK-1," + secret + ",Acme\n" +
		org2 + ",etl,AK-2," + secret + "x,Globex\n"
	o := h.mustRun(good, "import")
	if !strings.Contains(o.stderr, "imported 2") {
		t.Errorf("stderr: %q", o.stderr)
	}
	before, _ := os.ReadFile(filepath.Join(h.home, keystore.DocumentFile))
	bad := "org_id,service_user,access_key_id,api_secret\n" +
		org1 + ",new,AK-3," + secret + "\n" +
		org1 + ",ci,AK-1," + secret + "\n"
	o = h.run(bad, "import")
	if o.code != ExitRefused || !strings.Contains(o.stderr, "line 3") || !strings.Contains(o.stderr, "nothing was imported") {
		t.Fatalf("duplicate on line 3: %d %q", o.code, o.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(h.home, keystore.DocumentFile))
	if !bytes.Equal(before, after) {
		t.Error("store changed by a refused import")
	}
	o = h.run("org_id,service_user,access_key_id,api_secret\n"+org1+",x,AK-9,bad secret\n", "import")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "line 2: API secret") {
		t.Fatalf("bad secret: %d %q", o.code, o.stderr)
	}
	js := `[{"org_id":"` + org2 + `","service_user":"json","access_key_id":"AK-J","api_secret":"` + secret + `","status":"inactive","created_at":"2026-01-02"}]`
	h.mustRun(js, "import", "--json")
	ref, ok := h.store().Key("AK-J")
	if !ok || ref.Key.Status != keystore.Inactive || ref.Key.CreatedAt.Format("2006-01-02") != "2026-01-02" {
		t.Fatalf("json import: ok=%v %+v", ok, ref.Key)
	}
}

func TestVersionAndHelp(t *testing.T) {
	h := newHarness(t)
	if o := h.mustRun("", "version"); o.stdout != "m3keys test\n" {
		t.Errorf("version: %q", o.stdout)
	}
	o := h.run("", "--help")
	if o.code != 0 || !strings.Contains(o.stdout, "m3keys check") || !strings.Contains(o.stdout, "exit codes") {
		t.Errorf("help: %d %q", o.code, o.stdout)
	}
}

func TestSubcommandHelpExitsZero(t *testing.T) {
	h := newHarness(t)
	for _, cmd := range []string{"add", "list", "import", "check", "remove", "token", "passwd", "copy", "secret"} {
		o := h.run("", cmd, "--help")
		if o.code != ExitOK || !strings.Contains(o.stdout, "Usage:\n  m3keys "+cmd) || o.stderr != "" {
			t.Errorf("%s --help: exit %d: %q %q", cmd, o.code, o.stdout, o.stderr)
		}
	}
}

func TestListMaxAgeTakesDaysLikeCheck(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	now = now.Add(10 * 24 * time.Hour)
	defer func() { now = now.Add(-10 * 24 * time.Hour) }()
	if o := h.mustRun("", "list", "--max-age", "7d"); !strings.Contains(o.stdout, "10d STALE") {
		t.Errorf("a 10-day key with --max-age 7d is not stale:\n%s", o.stdout)
	}
	if o := h.mustRun("", "list", "--max-age", "30d"); strings.Contains(o.stdout, "STALE") {
		t.Errorf("a 10-day key with --max-age 30d is stale:\n%s", o.stdout)
	}
}

func TestImportMessagesKeepTheMessageForm(t *testing.T) {
	h := newHarness(t)
	for _, in := range []string{
		"org_id,service_user,access_key_id,colour\n",
		"org_id,service_user,access_key_id,api_secret\nnope,ci,AK-1," + secret + "\n",
	} {
		o := h.run(in, "import")
		if o.code != ExitUsage || !strings.HasPrefix(o.stderr, "m3keys: nothing was imported: line ") ||
			strings.Count(o.stderr, " — ") != 1 || strings.Count(o.stderr, "\n") != 1 {
			t.Errorf("exit %d, want 2 and one line m3keys: what — what to do: %q", o.code, o.stderr)
		}
	}
}

func TestImportRefusesInputBeyondTheLimitRatherThanCuttingIt(t *testing.T) {
	h := newHarness(t)
	head := "org_id,service_user,access_key_id,api_secret\n" + org1 + ",ci,AK-1," + secret + "\n"
	last := org1 + ",ci,AK-2," + secret + "\n"
	// Blank lines, which CSV skips, put the limit inside AK-2's secret.
	in := head + strings.Repeat("\n", importer.MaxInput-len(head)-len(last)+10) + last
	o := h.run(in, "import")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "larger than") {
		t.Fatalf("exit %d: %q", o.code, o.stderr)
	}
	if keystore.Exists(h.home) {
		t.Error("a store was created for a refused import")
	}
}

func TestListJSONLastCheckHasEveryField(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	s, err := keystore.Open(h.home, pass)
	if err != nil {
		t.Fatal(err)
	}
	// A check that never reached m3ter has no HTTP status and, here, no message: the keys stay.
	if err := s.Update(func(tx *keystore.Tx) error {
		return tx.RecordCheck("AK-1", keystore.Check{At: now, Result: "undetermined"})
	}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Organizations []struct {
			ServiceUsers []struct {
				Keys []struct{ LastCheck map[string]any }
			}
		}
	}
	if err := json.Unmarshal([]byte(h.mustRun("", "list", "--json").stdout), &got); err != nil {
		t.Fatal(err)
	}
	lc := got.Organizations[0].ServiceUsers[0].Keys[0].LastCheck
	for _, field := range []string{"at", "result", "httpStatus", "latencyMs", "message"} {
		if _, ok := lc[field]; !ok {
			t.Errorf("lastCheck lacks %s: %v", field, lc)
		}
	}
}

func TestAddRefusesAnAPIURLThatContradictsTheStoredOne(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	o := h.run(secret+"\n", "add", "--org", org1, "--user", "etl", "--key-id", "AK-2", "--api-url", "https://api.eu.m3ter.com")
	if o.code != ExitRefused || !strings.Contains(o.stderr, "https://api.m3ter.com") {
		t.Fatalf("exit %d: %q", o.code, o.stderr)
	}
	if _, ok := h.store().Key("AK-2"); ok {
		t.Error("key stored under an organization with another API URL")
	}
	// Without --api-url, the stored one is used even when M3KEYS_API_URL says otherwise.
	h.vars["M3KEYS_API_URL"] = "https://api.eu.m3ter.com"
	h.mustRun(secret+"\n", "add", "--org", org1, "--user", "etl", "--key-id", "AK-2")
	if ref, _ := h.store().Key("AK-2"); ref.Org.APIURL != "https://api.m3ter.com" {
		t.Errorf("API URL became %s", ref.Org.APIURL)
	}
}

func TestBadAPIURLVariableIsUsageError(t *testing.T) {
	h := newHarness(t)
	h.vars["M3KEYS_API_URL"] = "http://api.m3ter.com"
	for _, args := range [][]string{
		{"add", "--org", org1, "--user", "u", "--key-id", "k"},
		{"import"},
	} {
		o := h.run(secret+"\n", args...)
		if o.code != ExitUsage || !strings.Contains(o.stderr, "M3KEYS_API_URL") {
			t.Errorf("%s: exit %d %q", args[0], o.code, o.stderr)
		}
	}
}
