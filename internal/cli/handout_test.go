package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/keystore"
)

// refusedAgain checks a second hand-out: exit 1, the date of the first, rotation as the way out.
func refusedAgain(t *testing.T, what string, o outcome) {
	t.Helper()
	for _, want := range []string{"already handed out, on 2026-11-26", "rotate", "m3ter Console", "m3keys inactivate AK-1"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("%s: stderr lacks %q: %q", what, want, o.stderr)
		}
	}
	if o.code != ExitRefused || o.stdout != "" || strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1, nothing on stdout, one line", what, o.code, o.stdout, o.stderr)
	}
}

func TestCopyHandsTheSecretOutOnce(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	o := h.mustRun("", "copy", "AK-1")
	if !h.clip.Holds(secret) || h.clip.Writes() != 1 {
		t.Fatalf("clipboard: holds the secret %v, %d writes", h.clip.Holds(secret), h.clip.Writes())
	}
	if want := []clearerCall{{hash: clipboard.Sum(secret), timeout: 30 * time.Second}}; !reflect.DeepEqual(h.clearers, want) || h.clipMode != clipboard.Auto {
		t.Errorf("clearers %v, mode %q; want one for the secret's hash after 30s, mode auto", h.clearers, h.clipMode)
	}
	if want := "m3keys: copied the API secret of AK-1 — the clipboard clears in 30s; this was its one hand-out\n"; o.stderr != want || o.stdout != "" {
		t.Errorf("stdout %q, stderr %q; want stderr %q", o.stdout, o.stderr, want)
	}
	doc := h.store()
	ref, _ := doc.Key("AK-1")
	if !ref.Key.SecretCopiedAt.Equal(now) {
		t.Errorf("copied at %v, want %v", ref.Key.SecretCopiedAt, now)
	}
	if last := doc.History[len(doc.History)-1]; strings.Contains(last.Detail, secret) {
		t.Errorf("the last history event (%s) holds the secret", last.Action)
	} else if last.Action != "secret.copy" || last.AccessKeyID != "AK-1" {
		t.Errorf("last history event %+v", last)
	}
	if o := h.mustRun("", "list"); !strings.Contains(o.stdout, "copied 2026-11-26") {
		t.Errorf("list does not show the hand-out:\n%s", o.stdout)
	}

	h.clip.Set("something else")
	refusedAgain(t, "copy again", h.run("", "copy", "AK-1"))
	h.secretOut = true
	refusedAgain(t, "secret after copy", h.run("", "secret", "AK-1"))
	if h.clip.Writes() != 1 || !h.clip.Holds("something else") || len(h.clearers) != 1 {
		t.Errorf("a refused hand-out touched the clipboard: %d writes, %d clearers", h.clip.Writes(), len(h.clearers))
	}
}

// The mark lives in the store, not in the process: a new process that opens the store refuses too.
func TestHandOutRefusedAfterReopen(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.mustRun("", "copy", "AK-1")
	s, err := keystore.Open(h.home, pass)
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := s.Document().Key("AK-1"); !ref.Key.SecretCopied() {
		t.Fatal("the reopened store does not know the secret was handed out")
	}
	other := newHarness(t) // a second m3keys, with its own clipboard, on the same store
	other.home, other.vars["M3KEYS_HOME"] = h.home, h.home
	refusedAgain(t, "copy from another process", other.run("", "copy", "AK-1"))
	if other.clip.Writes() != 0 {
		t.Error("the second process wrote the clipboard")
	}
}

func TestCopyRollsTheMarkBackWhenTheClipboardFails(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	before := h.store()
	h.clip.FailWrites(clipboard.ErrNoTool)
	o := h.run("", "copy", "AK-1")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "the API secret of AK-1 was not copied: no clipboard tool found — install xclip or wl-clipboard, or run with --clipboard osc52") {
		t.Fatalf("exit %d, stderr %q", o.code, o.stderr)
	}
	if len(h.clearers) != 1 || !h.clearers[0].stopped {
		t.Errorf("clearers %v; want the one started before the write, stopped when it failed", h.clearers)
	}
	after := h.store()
	if !reflect.DeepEqual(after.Organizations, before.Organizations) {
		t.Error("the organizations changed: the mark was not rolled back")
	}
	added := after.History[len(before.History):]
	if len(added) != 2 || added[0].Action != "secret.copy" || added[1].Action != "secret.copy-failed" ||
		!strings.HasPrefix(added[1].Detail, "clipboard: no clipboard tool found") {
		t.Errorf("history gained %+v; want the mark and its rollback, with why", added)
	}
	if !reflect.DeepEqual(after.History[:len(before.History)], before.History) {
		t.Error("older history changed")
	}
	h.clip.FailWrites(nil)
	h.mustRun("", "copy", "AK-1")
	if !h.clip.Holds(secret) {
		t.Error("after a failed copy, the next one did not hand the secret out")
	}
}

// lockingClipboard fails its write while another holder keeps the store locked, so the rollback
// cannot be saved either.
type lockingClipboard struct {
	clipboard.Fake
	home    string
	release chan struct{}
	done    chan error
}

func (l *lockingClipboard) Write(string) (clipboard.Hash, error) {
	s, err := keystore.Open(l.home, pass)
	if err != nil {
		return clipboard.Hash{}, err
	}
	locked := make(chan struct{})
	go func() {
		l.done <- s.Update(func(*keystore.Tx) error {
			close(locked)
			<-l.release
			return errors.New("only holding the lock")
		})
	}()
	<-locked
	return clipboard.Hash{}, errors.New("xclip: exit status 1")
}

func TestCopySaysWhenTheRollbackFailsToo(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	lc := &lockingClipboard{home: h.home, release: make(chan struct{}), done: make(chan error, 1)}
	h.cb = lc
	h.vars["M3KEYS_LOCK_TIMEOUT"] = "0"
	o := h.run("", "copy", "AK-1")
	close(lc.release)
	<-lc.done
	for _, want := range []string{"was not handed out (xclip: exit status 1)", "the store still says it was", "the secret never left m3keys; rotate the key"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, o.stderr)
		}
	}
	if o.code != ExitUsage || strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}

func TestCopyClipboardSettings(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.add("AK-2", "ci-bot")
	h.clip.Blind = true // as OSC 52 is
	o := h.mustRun("", "--clipboard", "osc52", "--clip-timeout", "2m", "copy", "AK-1")
	if h.clipMode != clipboard.OSC52 || len(h.clearers) != 1 || h.clearers[0].timeout != 2*time.Minute ||
		!strings.Contains(o.stderr, "through the terminal (OSC 52: if nothing pastes, the terminal does not allow it; in tmux, set -g set-clipboard on) — the clipboard clears in 2m;") {
		t.Errorf("mode %q, clearers %v, stderr %q", h.clipMode, h.clearers, o.stderr)
	}
	h.clip.Blind = false
	h.vars["M3KEYS_CLIP_TIMEOUT"] = "0"
	o = h.mustRun("", "copy", "AK-2")
	if len(h.clearers) != 1 || !strings.Contains(o.stderr, "never cleared (--clip-timeout 0)") {
		t.Errorf("timeout 0: clearers %v, stderr %q", h.clearers, o.stderr)
	}
}

func TestCopyWarnsWhenTheClipboardCannotBeCleared(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.clearerErr = errors.New("the clipboard clearer could not start: fork/exec: no such file")
	o := h.mustRun("", "copy", "AK-1")
	if !h.clip.Holds(secret) || !strings.Contains(o.stderr, "the clipboard will not be cleared: the clipboard clearer could not start") ||
		!strings.Contains(o.stderr, "clear it yourself") {
		t.Errorf("stderr %q", o.stderr)
	}
}

// A clipboard that cannot work at all (OSC 52 with no terminal) is refused before the mark.
func TestCopyRefusedBeforeTheMarkWhenNoClipboardCanWork(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.clipErr = errNoTerminalForOSC52
	before := h.store()
	o := h.run("", "--clipboard", "osc52", "copy", "AK-1")
	if o.code != ExitUsage || !strings.HasPrefix(o.stderr, "m3keys: cannot use the clipboard: OSC 52 sends the clipboard through the terminal, and there is none — run m3keys on a terminal") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
	if after := h.store(); !reflect.DeepEqual(after, before) {
		t.Error("the store changed")
	}
	if o := h.run("", "copy", "AK-NONE"); o.code != ExitUsage {
		t.Errorf("unknown key, no clipboard: exit %d %q", o.code, o.stderr)
	}
}

func TestCopyUnknownKey(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	o := h.run("", "copy", "AK-NONE")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "no access key AK-NONE in the store — run m3keys list") || h.clip.Writes() != 0 {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}

func TestSecretOnlyToAPipeAndOnce(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.stdoutTTY = true
	o := h.run("", "secret", "AK-1")
	if o.code != ExitUsage || o.stdout != "" || !strings.Contains(o.stderr, "m3keys secret AK-1 -- gh secret set M3TER_API_SECRET") {
		t.Fatalf("terminal: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
	}
	if ref, _ := h.store().Key("AK-1"); ref.Key.SecretCopied() {
		t.Fatal("refusing a terminal marked the secret as handed out")
	}
	h.stdoutTTY, h.secretOut = false, true
	o = h.mustRun("", "secret", "AK-1")
	if o.stdout != secret { // exactly: no newline
		t.Errorf("stdout is not exactly the secret (%d bytes, want %d)", len(o.stdout), len(secret))
	}
	if want := "m3keys: wrote the API secret of AK-1 to stdout, with no newline — this was its one hand-out\n"; o.stderr != want {
		t.Errorf("stderr %q, want %q", o.stderr, want)
	}
	if ref, _ := h.store().Key("AK-1"); !ref.Key.SecretCopiedAt.Equal(now) {
		t.Error("the hand-out was not recorded")
	}
	refusedAgain(t, "secret again", h.run("", "secret", "AK-1"))
	h.secretOut = false
	refusedAgain(t, "copy after secret", h.run("", "copy", "AK-1"))
	if h.clip.Writes() != 0 {
		t.Error("copy after secret wrote the clipboard")
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestSecretRollsBackWhenStdoutFails(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.stdout = failingWriter{errors.New("write |1: broken pipe")}
	o := h.run("", "secret", "AK-1")
	if o.code != ExitUsage || !strings.Contains(o.stderr, "the API secret of AK-1 was not written to stdout: write |1: broken pipe — nothing was handed out") {
		t.Fatalf("exit %d, stderr %q", o.code, o.stderr)
	}
	doc := h.store()
	if ref, _ := doc.Key("AK-1"); ref.Key.SecretCopied() {
		t.Error("the mark was not rolled back")
	}
	if last := doc.History[len(doc.History)-1]; last.Action != "secret.copy-failed" || last.Detail != "stdout: write |1: broken pipe" {
		t.Errorf("last history event %+v", last)
	}
}

func TestSecretOfAnInactiveKeyWarns(t *testing.T) {
	h := newHarness(t)
	h.add("AK-1", "ci-bot")
	h.mustRun("", "inactivate", "AK-1", "--force")
	h.secretOut = true
	if o := h.mustRun("", "secret", "AK-1"); o.stdout != secret || !strings.Contains(o.stderr, "AK-1 is INACTIVE here") {
		t.Errorf("stderr %q", o.stderr)
	}
}

func TestSecretHelpSaysNoNewline(t *testing.T) {
	h := newHarness(t)
	o := h.run("", "secret", "--help")
	if o.code != 0 || !strings.Contains(o.stderr, "no newline") || !strings.Contains(o.stderr, "m3keys secret AK-1 -- gh secret set M3TER_API_SECRET") {
		t.Errorf("exit %d, help %q", o.code, o.stderr)
	}
	o = h.run("", "--help")
	for _, want := range []string{"m3keys copy KEY_ID", "m3keys secret KEY_ID [--offline] [-- COMMAND [ARGS...]]", "m3keys token KEY_ID [--copy]"} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestTokenCopyAnyNumberOfTimes(t *testing.T) {
	h, _ := checkFixture(t)
	for i := 1; i <= 2; i++ {
		o := h.mustRun("", "token", "AK-GOOD", "--copy", "--clip-timeout", "10s")
		if o.stdout != "" || strings.Contains(o.stderr, "eyJ") {
			t.Fatalf("the token was printed (%d bytes on stdout; stderr holds eyJ: %v)", len(o.stdout), strings.Contains(o.stderr, "eyJ"))
		}
		if !strings.HasPrefix(o.stderr, "m3keys: copied a Bearer token for AK-GOOD — the clipboard clears in 10s; the token expires in ") {
			t.Errorf("stderr %q", o.stderr)
		}
		if h.clip.Writes() != i || len(h.clearers) != i || h.clearers[i-1].timeout != 10*time.Second {
			t.Fatalf("copy %d: %d writes, clearers %v", i, h.clip.Writes(), h.clearers)
		}
	}
	// The clearer was told the hash of what the clipboard holds: the token.
	if cleared, _ := h.clip.ClearIfUnchanged(h.clearers[1].hash); !cleared {
		t.Error("the clearer's hash does not name what was copied")
	}
	if ref, _ := h.store().Key("AK-GOOD"); ref.Key.SecretCopied() {
		t.Error("copying a token marked the secret as handed out")
	}
	h.clip.FailWrites(clipboard.ErrNoTool)
	if o := h.run("", "token", "AK-GOOD", "--copy"); o.code != ExitUsage || !strings.Contains(o.stderr, "the token was not copied: no clipboard tool found — install xclip") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}

// A bad clipboard setting breaks only what uses the clipboard: copy and token --copy, not
// list, token or secret.
func TestBadClipboardSettingBreaksOnlyCopying(t *testing.T) {
	for _, args := range [][]string{{"--clipboard", "xclip-please"}, {"--clip-timeout", "soon"}} {
		t.Run(args[0], func(t *testing.T) {
			h, _ := checkFixture(t)
			for _, cmd := range [][]string{{"copy", "AK-GOOD"}, {"token", "AK-GOOD", "--copy"}} {
				o := h.run("", append(args, cmd...)...)
				if o.code != ExitUsage || !strings.Contains(o.stderr, args[0]) {
					t.Errorf("%s: exit %d %q; want 2 naming %s", cmd[0], o.code, o.stderr, args[0])
				}
			}
			if ref, _ := h.store().Key("AK-GOOD"); ref.Key.SecretCopied() || h.clip.Writes() != 0 {
				t.Fatal("a refused setting still handed the secret out")
			}
			h.mustRun("", append(args, "list")...)
			h.mustRun("", append(args, "token", "AK-GOOD")...)
			h.secretOut = true
			h.mustRun("", append(args, "secret", "AK-GOOD")...)
		})
	}
}
