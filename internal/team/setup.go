package team

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/m3keys/m3keys/keystore"
)

// branch is the team store's one branch.
const branch = "main"

// gitignore keeps each member's own files out of git: the identity, the lock, backups, the
// trust file and the temp files of a save in progress.
const gitignore = `# m3keys team store: only keystore.age and recipients.txt are shared
/identity.age
/lock
*.bak
/recipients.trusted
/.identity.age*
/.keystore.age*
/.recipients.*
`

// gitattributes: keystore.age is ciphertext, never diffed or merged as text; m3keys merges it.
const gitattributes = `keystore.age binary
`

// SaveMessage is every save's commit message: opaque, since anyone who can read the remote
// reads it; what changed, and who changed it, is in the encrypted document's history.
const SaveMessage = "m3keys: save"

// AfterSave is the keystore option that makes every save in a team store a local commit,
// authored by the member. A store that has no team repository (yet) is left alone, so team
// init can set the store up first. A save holds the store's lock, so a first-layout store
// is migrated here.
func AfterSave(dir string) keystore.Option {
	return keystore.WithAfterSave(func(string) error {
		if !isRepo(dir) {
			return nil
		}
		r, err := openRepo(context.Background(), dir, true)
		if err != nil {
			return err
		}
		_, err = r.commitLocal(SaveMessage)
		return err
	})
}

// InitOptions is what team init needs besides an open store.
type InitOptions struct {
	Name   string // the member's name in recipients.txt and as git author
	Remote string // optional: origin, pushed to
}

// Init makes the open store s a team store of one member, with a bare repository and a
// first commit, pushed to opts.Remote when given. s must be opened with AfterSave(s.Dir()).
func Init(s *keystore.Store, opts InitOptions) error {
	dir := s.Dir()
	if _, err := gitPath(); err != nil {
		return err
	}
	if keystore.IsTeam(dir) {
		return fmt.Errorf("%w: %s", ErrAlreadyTeam, dir)
	}
	if err := keystore.ValidateMemberName(opts.Name); err != nil {
		return err
	}
	if isRepo(dir) {
		return fmt.Errorf("%w: %s", ErrRepoInStore, dir)
	}
	r := newRepo(context.Background(), dir)
	if err := initRepo(r, opts.Name); err != nil {
		return err
	}
	me, err := keystore.NewRecipient(s.Member().Recipient(), opts.Name)
	if err != nil {
		return err
	}
	err = s.SetRecipients(keystore.Recipients{me}, func(tx *keystore.Tx) error {
		return tx.Record("member.add", "", "", "", opts.Name)
	})
	if err != nil {
		return err
	}
	// The store's own AfterSave committed already; a store just created has none.
	if err := commitUnderLock(r); err != nil {
		return err
	}
	if opts.Remote == "" {
		return nil
	}
	if _, err := r.run("remote", "add", "origin", opts.Remote); err != nil {
		return err
	}
	if _, err := r.run("push", "-q", "origin", head+":"+head); err != nil {
		return fmt.Errorf("%w: %w", ErrInitNotPushed, err)
	}
	return nil
}

// initRepo creates the bare repository, its branch unborn, the member its author.
func initRepo(r repo, name string) error {
	if _, err := r.run("init", "-q", "--bare", "-b", branch); err != nil {
		return err
	}
	return configure(r, name)
}

func commitUnderLock(r repo) error {
	held, err := keystore.LockStore(r.dir)
	if err != nil {
		return err
	}
	defer held.Unlock()
	_, err = r.commitLocal(SaveMessage)
	return err
}

// configure makes the member the author of the store's commits, in this repository only.
func configure(r repo, name string) error {
	if _, err := r.run("config", "user.name", name); err != nil {
		return err
	}
	if email, _ := r.run("config", "user.email"); email == "" {
		if _, err := r.run("config", "user.email", strings.ReplaceAll(strings.ToLower(name), " ", ".")+"@m3keys.invalid"); err != nil {
			return err
		}
	}
	return nil
}

// Joined is what team join gives the new member to send to an existing one.
type Joined struct {
	Recipient string // age1…
	Name      string
	Readable  bool // the store is encrypted to this member already (rejoining)
}

// Line is the recipients.txt line.
func (j Joined) Line() string { return j.Recipient + " # " + j.Name }

// Command is what an existing member runs to add the new one.
func (j Joined) Command() string { return addLine(j.Name, j.Recipient) }

// Join makes dir (which must not exist or be empty) a copy of the team store at url: a bare
// repository fetched from it, whose tip is checked as every sync checks what it takes in; then
// it creates the member's identity under passphrase and trusts the fetched recipient list (the
// member chose the remote).
func Join(url, dir, name, passphrase string, opts ...keystore.Option) (Joined, error) {
	if _, err := gitPath(); err != nil {
		return Joined{}, err
	}
	if err := keystore.ValidateMemberName(name); err != nil {
		return Joined{}, err
	}
	if err := emptyDir(dir); err != nil {
		return Joined{}, err
	}
	r := newRepo(context.Background(), dir)
	if err := fetchTeam(r, url, name); err != nil {
		return Joined{}, err
	}
	rs, err := keystore.ReadRecipients(dir)
	if err != nil {
		return Joined{}, err
	}
	if _, taken := rs.Named(name); taken {
		return Joined{}, fmt.Errorf("%w: %q", ErrJoinNameTaken, name)
	}
	m, err := keystore.JoinTeam(dir, passphrase, opts...)
	if err != nil {
		return Joined{}, err
	}
	if err := keystore.Trust(dir, rs); err != nil {
		return Joined{}, err
	}
	return Joined{Recipient: m.Recipient(), Name: name, Readable: rs.Has(m.Recipient())}, nil
}

// emptyDir makes dir, private, unless it holds something already.
func emptyDir(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%w: %w: %s", keystore.ErrStoreExists, ErrJoinNotEmpty, dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// fetchTeam fetches the team's branch from url into a new repository in r.dir, checks its tip,
// and takes its files in.
func fetchTeam(r repo, url, name string) error {
	if err := initRepo(r, name); err != nil {
		return err
	}
	if _, err := r.run("remote", "add", "origin", url); err != nil {
		return err
	}
	if _, err := r.run(fetchArgs...); err != nil {
		return err
	}
	// The team's branch by name: a bare repository made with plain `git init --bare` names
	// master as its HEAD.
	if has, err := r.has(upstream); err != nil || !has {
		if err == nil {
			err = &NoBranchError{URL: url, Dir: r.dir}
		}
		return err
	}
	held, err := keystore.LockStore(r.dir)
	if err != nil {
		return err
	}
	defer held.Unlock()
	return takeIn(r, held, "", upstream)
}

// Setting up errors: facts only; each front end says what to do about them.
var (
	ErrAlreadyTeam   = errors.New("the store is a team store already")
	ErrRepoInStore   = errors.New("the store holds a git repository already")
	ErrInitNotPushed = errors.New("the team store is set up, but pushing it failed")
	ErrJoinNotEmpty  = errors.New("the directory to join into is not empty")
)

// NoBranchError: the remote at URL holds no team yet; Dir is the half-joined store, to be removed.
type NoBranchError struct{ URL, Dir string }

func (e *NoBranchError) Error() string {
	return fmt.Sprintf("%s: %s has no %s branch", ErrNotTeam, e.URL, branch)
}
func (e *NoBranchError) Unwrap() error { return ErrNotTeam }

// addLine is the command line that adds name, with key, to the team.
func addLine(name, key string) string { return "m3keys team add " + shellWord(name) + " " + key }

// shellWord quotes a name for a command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Author is the member's name as the store's commits carry it, "" when it has none.
func Author(dir string) string {
	name, err := newRepo(context.Background(), dir).run("config", "user.name")
	if err != nil {
		return ""
	}
	return name
}
