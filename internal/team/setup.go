package team

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// AfterSave is the keystore option that makes every save in a team store a local commit:
// author the member, message what changed. A store that is not (yet) a git work tree is left
// alone, so team init can set the store up first.
func AfterSave(dir string) keystore.Option {
	return keystore.WithAfterSave(func(summary string) error {
		if !isRepo(dir) {
			return nil
		}
		_, err := repo{dir}.commitTracked(summary)
		return err
	})
}

// InitOptions is what team init needs besides an open store.
type InitOptions struct {
	Name   string // the member's name in recipients.txt and as git author
	Remote string // optional: origin, pushed to
}

// Init makes the open store s in dir a team store of one member, a git work tree with a first
// commit, pushed to opts.Remote when given. s must be opened with AfterSave(dir).
func Init(s *keystore.Store, dir string, opts InitOptions) error {
	if _, err := gitPath(); err != nil {
		return err
	}
	if keystore.IsTeam(dir) {
		return fmt.Errorf("%s is a team store already — m3keys team list shows its members", dir)
	}
	if err := keystore.ValidateMemberName(opts.Name); err != nil {
		return err
	}
	r := repo{dir}
	if isRepo(dir) {
		return fmt.Errorf("%s is a git repository already — m3keys keeps a team store's repository itself; move .git away first", dir)
	}
	if _, err := r.run("init", "-q", "-b", branch); err != nil {
		return err
	}
	if err := configure(r, opts.Name); err != nil {
		return err
	}
	for name, text := range map[string]string{".gitignore": gitignore, ".gitattributes": gitattributes} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return err
		}
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
	if _, err := r.commitTracked("member.add " + opts.Name); err != nil {
		return err
	}
	if opts.Remote == "" {
		return nil
	}
	if _, err := r.run("remote", "add", "origin", opts.Remote); err != nil {
		return err
	}
	if _, err := r.run("push", "-q", "-u", "origin", "HEAD"); err != nil {
		return fmt.Errorf("the team store is set up, but pushing it failed: %w — fix the remote, then run m3keys sync", err)
	}
	return nil
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
func (j Joined) Command() string { return "m3keys team add " + shellWord(j.Name) + " " + j.Recipient }

// Join clones url into dir (which must not exist or be empty), creates the member's identity
// under passphrase, and trusts the cloned recipient list (the member chose the remote).
func Join(url, dir, name, passphrase string, opts ...keystore.Option) (Joined, error) {
	if _, err := gitPath(); err != nil {
		return Joined{}, err
	}
	if err := keystore.ValidateMemberName(name); err != nil {
		return Joined{}, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return Joined{}, fmt.Errorf("%w: %s is not empty — join into a new directory with --home DIR", keystore.ErrStoreExists, dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Joined{}, err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return Joined{}, err
	}
	r := repo{dir}
	// The team's branch by name: a bare repository made with plain `git init --bare` names
	// master as its HEAD, and a clone of it would check nothing out.
	if _, err := r.runIn(parent, "clone", "-q", "--branch", branch, "--", url, dir); err != nil {
		if strings.Contains(err.Error(), "not found in upstream") {
			return Joined{}, fmt.Errorf("%w: %s has no %s branch — a member runs m3keys team init --remote %s first; then remove %s and join again",
				ErrNotTeam, url, branch, url, dir)
		}
		return Joined{}, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return Joined{}, err
	}
	if !keystore.IsTeam(dir) {
		return Joined{}, fmt.Errorf("%w: %s has no %s — a member runs m3keys team init --remote %s first; then remove %s and join again",
			ErrNotTeam, url, keystore.RecipientsFile, url, dir)
	}
	rs, err := keystore.ReadRecipients(dir)
	if err != nil {
		return Joined{}, err
	}
	if _, taken := rs.Named(name); taken {
		return Joined{}, fmt.Errorf("the team has a member called %q already — choose another name with --name", name)
	}
	if err := configure(r, name); err != nil {
		return Joined{}, err
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

// shellWord quotes a name for a command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
