package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// defaultAPIURL is the API URL of organizations created without one.
func (c *invocation) defaultAPIURL() (string, error) {
	u := c.env.Getenv("M3KEYS_API_URL")
	if u == "" {
		return validate.DefaultAPIURL, nil
	}
	if err := validate.APIURL(u); err != nil {
		return "", fmt.Errorf("M3KEYS_API_URL: %w", err)
	}
	return u, nil
}

func (c *invocation) storeDir() (string, error) {
	if c.home != "" {
		return c.home, nil
	}
	if h := c.env.Getenv("M3KEYS_HOME"); h != "" {
		return h, nil
	}
	return keystore.DefaultDir()
}

var errNoPassphrase = &exitError{code: ExitUsage, msg: "no passphrase: M3KEYS_PASSPHRASE is not set and there is no terminal to ask on",
	advice: "run m3keys unlock once on a terminal (it keeps the store unlocked for a while), set M3KEYS_PASSPHRASE for scripts, or run on a terminal"}

func (c *invocation) passphrase(prompt string) (string, error) {
	if p := c.env.Getenv("M3KEYS_PASSPHRASE"); p != "" {
		return p, nil
	}
	if c.env.Terminal == nil {
		return "", errNoPassphrase
	}
	return c.env.Terminal.ReadHidden(prompt)
}

// maxLockTimeout bounds --lock-timeout: a wait longer than this is a stuck process, not a busy one.
const maxLockTimeout = time.Hour

// lockWait is how long to wait for the store's lock.
func (c *invocation) lockWait() (time.Duration, error) {
	if c.lockTimeout.value == "" {
		return keystore.DefaultLockTimeout, nil
	}
	d, err := time.ParseDuration(c.lockTimeout.value)
	if err != nil || d < 0 || d > maxLockTimeout {
		return 0, usageErr("%s=%s is not a duration from 0 to 1h", c.lockTimeout.source, sanitize.Text(c.lockTimeout.value, 40)).hint("use a value like 10s, or 0 to not wait")
	}
	return d, nil
}

// storeOptions bound the wait for another m3keys and say, after a second, what is waited for.
func (c *invocation) storeOptions() ([]keystore.Option, error) {
	timeout, err := c.lockWait()
	if err != nil {
		return nil, err
	}
	notice := func(w keystore.LockWait) {
		holder := "another m3keys"
		if w.PID > 0 {
			holder += fmt.Sprintf(" (pid %d)", w.PID)
		}
		start := "" // on a terminal, check's progress line may be showing: start the notice on a clean line
		if c.env.StderrIsTTY {
			start = "\r\033[K"
		}
		fmt.Fprintf(c.env.Stderr, "%sm3keys: waiting for %s that holds %s — giving up after %s\n", start, holder, w.Path, w.Timeout)
	}
	return []keystore.Option{keystore.WithLockTimeout(timeout), keystore.WithLockNotice(notice)}, nil
}

// openStore unlocks the existing store.
func (c *invocation) openStore() (*keystore.Store, error) {
	dir, err := c.storeDir()
	if err != nil {
		return nil, err
	}
	opts, err := c.storeOptions()
	if err != nil {
		return nil, err
	}
	opts = append(opts, team.AfterSave(dir)) // a team store commits every save
	if !keystore.Exists(dir) {
		return nil, fmt.Errorf("%w: %s", keystore.ErrNoStore, dir)
	}
	// The agent first (m3keys unlock), then M3KEYS_PASSPHRASE, then the prompt.
	if s, ok, err := c.openWithAgent(dir, opts); ok {
		if err != nil {
			return nil, err
		}
		s.SetClock(c.env.Now)
		return s, nil
	}
	pass, err := c.passphrase("Passphrase for " + dir + ": ")
	if err != nil {
		return nil, err
	}
	done := c.saying("unlocking…")
	s, err := keystore.Open(dir, pass, opts...)
	done()
	if err != nil {
		return nil, err
	}
	s.SetClock(c.env.Now)
	return s, nil
}

// saying shows what takes seconds (the key derivation after a passphrase) on a terminal's
// stderr, until done is called, so the command does not look stuck.
func (c *invocation) saying(what string) (done func()) {
	if !c.env.StderrIsTTY {
		return func() {}
	}
	fmt.Fprint(c.env.Stderr, what)
	return func() { fmt.Fprint(c.env.Stderr, "\r\033[K") }
}

// newPassphrase asks for a new passphrase twice on the terminal; unchanged says what a
// refusal leaves as it was.
func (c *invocation) newPassphrase(unchanged string) (string, error) {
	pass, err := c.env.Terminal.ReadHidden("New passphrase: ")
	if err != nil {
		return "", err
	}
	again, err := c.env.Terminal.ReadHidden("Repeat new passphrase: ")
	if err != nil {
		return "", err
	}
	if pass != again {
		return "", usageErr("the passphrases do not match").hint("%s; try again", unchanged)
	}
	if err := checkNewPassphrase("the new passphrase", pass, unchanged); err != nil {
		return "", err
	}
	return pass, nil
}

// checkNewPassphrase applies the store's rule for new passphrases; stores made with a
// shorter one before the rule keep opening.
func checkNewPassphrase(what, pass, unchanged string) error {
	if keystore.ValidateNewPassphrase(pass) != nil {
		return usageErr("%s is too short: it needs at least %d characters", what, keystore.MinPassphraseLength).hint("%s; choose a longer one", unchanged)
	}
	return nil
}

// createPassphrase is the passphrase of something being created (of is "a new store"):
// $M3KEYS_PASSPHRASE if set and long enough, else asked twice on the terminal after intro.
func (c *invocation) createPassphrase(of, intro string) (string, error) {
	if pass := c.env.Getenv("M3KEYS_PASSPHRASE"); pass != "" {
		if err := checkNewPassphrase("M3KEYS_PASSPHRASE, as the passphrase of "+of+",", pass, "nothing was created"); err != nil {
			return "", err
		}
		return pass, nil
	}
	if c.env.Terminal == nil {
		return "", errNoPassphrase
	}
	fmt.Fprintln(c.env.Stderr, "m3keys: "+intro)
	return c.newPassphrase("nothing was created")
}

// openOrCreateStore is for commands that add keys: the first one creates the store.
func (c *invocation) openOrCreateStore() (*keystore.Store, error) {
	store, err := c.unlockOrPrepareStore()
	if err != nil {
		return nil, err
	}
	return store()
}

// unlockOrPrepareStore asks for the store's passphrase now: an existing store is opened at
// once, a new one is created when store is called, so a command refused after the prompt
// (a bad secret) creates nothing.
func (c *invocation) unlockOrPrepareStore() (store func() (*keystore.Store, error), err error) {
	dir, err := c.storeDir()
	if err != nil {
		return nil, err
	}
	if keystore.Exists(dir) {
		s, err := c.openStore()
		return func() (*keystore.Store, error) { return s, nil }, err
	}
	opts, err := c.storeOptions()
	if err != nil {
		return nil, err
	}
	pass, err := c.createPassphrase("a new store", "creating a new store in "+dir)
	if err != nil {
		return nil, err
	}
	return func() (*keystore.Store, error) {
		s, err := keystore.Create(dir, pass, opts...)
		if err != nil {
			return nil, err
		}
		s.SetClock(c.env.Now)
		return s, nil
	}, nil
}

// storeExists says whether there is a store to open.
func (c *invocation) storeExists() bool {
	dir, err := c.storeDir()
	return err == nil && keystore.Exists(dir)
}

// stdin is the command's standard input; none reads as empty.
func (c *invocation) stdin() io.Reader {
	if c.env.Stdin == nil {
		return eofReader{}
	}
	return c.env.Stdin
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
