package ui

import (
	"context"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// Vault is the keystore directory before it is unlocked.
type Vault interface {
	Exists() bool
	Dir() string // where the store is, or will be created
	Unlock(passphrase string) (Store, error)
	Create(passphrase string) (Store, error)
}

// Store is an unlocked keystore: a document to read and rule-checked changes to apply.
type Store interface {
	Document() *keystore.Document
	Update(change func(*keystore.Tx) error) error
}

// Checker tests one key live against m3ter.
type Checker interface {
	Check(ctx context.Context, k authclient.Key, verify bool) authclient.Result
}

// Clipboard is where c and y hand a secret or a token out (a clipboard.Clipboard).
type Clipboard interface {
	Write(text string) (clipboard.Hash, error)
	ClearIfUnchanged(h clipboard.Hash) (cleared bool, err error)
	Mode() clipboard.Mode
}

// Deps is everything the TUI needs from outside; main passes the real ones, tests pass fakes.
type Deps struct {
	Vault   Vault
	Checker Checker
	Clock   func() time.Time // now, for ages and "2h ago"; time.Now when nil
	Demo    bool             // shows a DEMO badge in the header
	// Passphrase comes from $M3KEYS_PASSPHRASE; when it opens the store the unlock screen is skipped.
	Passphrase string
	MaxAge     time.Duration // keys older than this are stale; keystore.DefaultMaxAge when zero
	Verify     bool          // also call users/me after getting a token
	// Clipboard takes what c and y copy; without one they are off.
	Clipboard Clipboard
	// ClipTimeout is how long a copy stays on the clipboard (--clip-timeout); 0 means until quit.
	ClipTimeout time.Duration
	// WatchClearer starts, before a secret is written, a process that clears cb after timeout
	// (0: never by time) and as soon as this one ends however it ends — killed, or quit at once
	// by a second ctrl+c (clipboard.WatchClearer); nil: only the TUI clears.
	WatchClearer func(cb Clipboard, h clipboard.Hash, timeout time.Duration) (clipboard.Stopper, error)
	// DefaultAPIURL prefills the API URL of a new organization ($M3KEYS_API_URL or m3ter's default).
	DefaultAPIURL string
	// Agent is the store's unlock agent (NewAgent): it opens the store without the unlock
	// screen while unlocked, and "keep unlocked" starts it. Nil: no agent.
	Agent Agent
	// Team is the store's git side (NewTeam); nil, or a store that is not a team store, shows
	// no badge and no S.
	Team Team
}

func (d Deps) withDefaults() Deps {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.MaxAge == 0 {
		d.MaxAge = keystore.DefaultMaxAge
	}
	if d.DefaultAPIURL == "" {
		d.DefaultAPIURL = validate.DefaultAPIURL
	}
	return d
}

// NewVault is the real keystore in dir; opts (the lock timeout) apply to opening it and every save.
func NewVault(dir string, opts ...keystore.Option) Vault { return dirVault{dir: dir, opts: opts} }

type dirVault struct {
	dir  string
	opts []keystore.Option
}

func (v dirVault) Exists() bool { return keystore.Exists(v.dir) }

func (v dirVault) Dir() string { return v.dir }

func (v dirVault) Unlock(passphrase string) (Store, error) {
	s, err := keystore.Open(v.dir, passphrase, v.opts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (v dirVault) Create(passphrase string) (Store, error) {
	s, err := keystore.Create(v.dir, passphrase, v.opts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

var (
	_ Vault     = dirVault{}
	_ Store     = (*keystore.Store)(nil)
	_ Clipboard = clipboard.Clipboard(nil)
)
