package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/childenv"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// teamCommand is the team store's commands; m3keys sync is beside them, at the top.
func teamCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "team", Short: "share the store with a team through git, encrypted to every member",
		RunE: func(*cobra.Command, []string) error {
			return usageErr("team needs a subcommand").hint("run m3keys team --help")
		}}
	cmd.AddCommand(teamInitCommand(c), teamJoinCommand(c), teamAddCommand(c), teamRemoveCommand(c),
		teamListCommand(c), teamTrustCommand(c))
	return cmd
}

// memberName is --name, else git's user.name, else $USER.
func (c *invocation) memberName(flagged string) (string, error) {
	name := flagged
	if name == "" {
		if out, err := childenv.Command("git", "config", "user.name").Output(); err == nil {
			name = strings.TrimSpace(string(out))
		}
	}
	if name == "" {
		name = c.env.Getenv("USER")
	}
	if name == "" {
		return "", usageErr("who are you in the team?").hint("pass --name NAME")
	}
	if err := keystore.ValidateMemberName(name); err != nil {
		return "", err
	}
	return name, nil
}

// memberNameUsage is --name, in init and join.
const memberNameUsage = "your `NAME` in recipients.txt and as the author of commits (default: git's user.name)"

func teamInitCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "init", Short: "make this store a team store of one member, pushed to --remote"}
	remote := cmd.Flags().String("remote", "", "the git `URL` the team shares (GitHub, GitLab, a bare repository on a file share)")
	name := cmd.Flags().String("name", "", memberNameUsage)
	cmd.RunE = func(*cobra.Command, []string) error { return runTeamInit(c, remote, name) }
	return cmd
}

func runTeamInit(c *invocation, remote, name *string) error {
	who, err := c.memberName(*name)
	if err != nil {
		return err
	}
	s, err := c.openOrCreateStore()
	if err != nil {
		return err
	}
	if err := team.Init(s, team.InitOptions{Name: who, Remote: *remote}); err != nil {
		return err
	}
	dir := s.Dir()
	fmt.Fprintf(c.env.Stdout, "team store ready in %s, encrypted to 1 member: %s\n", dir, who)
	if *remote != "" {
		fmt.Fprintf(c.env.Stdout, "pushed to %s\n", *remote)
	} else {
		fmt.Fprintf(c.env.Stdout, "no remote yet: git --git-dir %s remote add origin URL, then m3keys sync\n", filepath.Join(dir, team.GitDir))
	}
	fmt.Fprintf(c.env.Stdout, "others join with: m3keys team join %s --name NAME\n", orPlaceholder(*remote))
	return nil
}

func orPlaceholder(url string) string {
	if url == "" {
		return "URL"
	}
	return url
}

func teamJoinCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "join URL", Short: "clone a team store and create your identity; prints the line to send to a member, who adds you"}
	name := cmd.Flags().String("name", "", memberNameUsage)
	cmd.RunE = func(_ *cobra.Command, pos []string) error { return runTeamJoin(c, pos, name) }
	return cmd
}

func runTeamJoin(c *invocation, pos []string, name *string) error {
	who, err := c.memberName(*name)
	if err != nil {
		return err
	}
	dir, opts, err := c.storeDirOptions()
	if err != nil {
		return err
	}
	pass, err := c.createPassphrase("your identity", "your identity in "+dir+" gets a passphrase of its own")
	if err != nil {
		return err
	}
	j, err := team.Join(pos[0], dir, who, pass, opts...)
	if err != nil {
		return err
	}
	w := c.env.Stdout
	fmt.Fprintf(w, "joined: the team store is in %s\n", dir)
	if j.Readable {
		fmt.Fprintln(w, "the store is encrypted to you already: m3keys list shows it")
		return nil
	}
	fmt.Fprintf(w, "your recipient line:\n  %s\n", j.Line())
	fmt.Fprintf(w, "send it to a member of the team, who runs:\n  %s\n", j.Command())
	fmt.Fprintln(w, "then run m3keys sync, and m3keys team trust to confirm the member list that adds you")
	return nil
}

func teamAddCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "add NAME RECIPIENT", Short: "add a member (RECIPIENT: their age1… line): re-encrypt the store to them, commit and push",
		RunE: func(_ *cobra.Command, pos []string) error { return runTeamAdd(c, pos) }}
}

func runTeamAdd(c *invocation, pos []string) error {
	return c.changeMembers(func(s *keystore.Store) (string, error) {
		if err := team.Add(s, pos[0], pos[1]); err != nil {
			return "", err
		}
		return fmt.Sprintf("added %s: keystore.age is re-encrypted to them", pos[0]), nil
	})
}

func teamRemoveCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "remove NAME", Short: "remove a member, commit and push; every key they could read is flagged exposed — rotate",
		RunE: func(_ *cobra.Command, pos []string) error { return runTeamRemove(c, pos) }}
}

func runTeamRemove(c *invocation, pos []string) error {
	return c.changeMembers(func(s *keystore.Store) (string, error) {
		r, err := team.Remove(s, pos[0])
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("removed %s: new versions of the store are not encrypted to them; they could read every secret until now, "+
			"so %d key(s) are flagged exposed — rotate them (m3keys check counts them)", pos[0], len(r.Exposed)), nil
	})
}

// changeMembers opens the store, changes the recipient list (a commit), and syncs to push it.
func (c *invocation) changeMembers(change func(*keystore.Store) (string, error)) error {
	s, err := c.openStore()
	if err != nil {
		return err
	}
	done, err := change(s)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stdout, done)
	if _, err := c.sync(s.Dir(), team.SyncOptions{Unlock: memberOf(s), Known: s.Member(), Lock: c.lockOptions()}); err != nil {
		return fmt.Errorf("the change is committed here but not shared yet: %w", err)
	}
	return nil
}

func memberOf(s *keystore.Store) func() (*keystore.Member, error) {
	return func() (*keystore.Member, error) { return s.Member(), nil }
}

// storeDirOptions is the store's folder and the options to open it with, for a command
// that opens it through something other than openStore (a join, a sync's merge).
func (c *invocation) storeDirOptions() (string, []keystore.Option, error) {
	dir, err := c.storeDir()
	if err != nil {
		return "", nil, err
	}
	opts, err := c.storeOptions()
	return dir, opts, err
}

// lockOptions are storeOptions for a sync; a bad --lock-timeout was refused before.
func (c *invocation) lockOptions() []keystore.Option {
	opts, _ := c.storeOptions()
	return opts
}

func teamListCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "list", Short: "the members, and this store's sync status",
		RunE: func(*cobra.Command, []string) error { return runTeamList(c) }}
}

func runTeamList(c *invocation) error {
	dir, err := c.storeDir()
	if err != nil {
		return err
	}
	if !keystore.IsTeam(dir) {
		return usageErr("%s is not a team store", dir).hint("make it one with m3keys team init, or join one with m3keys team join URL")
	}
	rs, err := keystore.ReadRecipients(dir)
	if err != nil {
		return err
	}
	me := team.Author(dir)
	fmt.Fprintf(c.env.Stdout, "%d member(s) in %s:\n", len(rs), dir)
	for _, r := range rs {
		you := ""
		if r.Name == me {
			you = "  (you)"
		}
		fmt.Fprintf(c.env.Stdout, "  %-20s %s%s\n", sanitize.Text(r.Name, 100), r.Key, you)
	}
	st, err := team.StatusOf(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "status: %s\n", st)
	if st.Untrusted {
		fmt.Fprintln(c.env.Stdout, "the member list changed: run m3keys team trust to review it")
	}
	return nil
}

func teamTrustCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "trust", Short: "review and confirm a member list that a sync brought"}
	yes := cmd.Flags().Bool("yes", false, "trust the changed member list without asking (for scripts)")
	cmd.RunE = func(*cobra.Command, []string) error { return runTeamTrust(c, yes) }
	return cmd
}

func runTeamTrust(c *invocation, yes *bool) error {
	dir, err := c.storeDir()
	if err != nil {
		return err
	}
	change, err := team.Pending(dir)
	if err != nil {
		return err
	}
	w := c.env.Stdout
	if change == nil {
		fmt.Fprintln(w, "the member list is trusted already: nothing to confirm")
		return nil
	}
	printChange(c, change)
	if !*yes {
		if c.env.Terminal == nil {
			return usageErr("nothing was trusted").hint("check the list with the team, then run m3keys team trust --yes")
		}
		answer, err := c.env.Terminal.ReadHidden("Encrypt to this member list from now on? Type yes: ")
		if err != nil {
			return err
		}
		if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
			return refused("nothing was trusted").hint("saves stay refused until you trust the list")
		}
	}
	if err := team.Trust(dir, change); err != nil {
		return err
	}
	fmt.Fprintf(w, "trusted: saves encrypt to these %d member(s); run m3keys sync if a sync stopped for it\n", len(change.Next))
	return nil
}

// printChange shows who was added and removed, by which commit and author.
func printChange(c *invocation, change *team.RecipientChange) {
	w := c.env.Stdout
	fmt.Fprintln(w, "the team's member list changed since you last trusted it:")
	line := func(sign string, ch team.Changed) {
		by := "not committed yet"
		if ch.Commit != "" {
			by = fmt.Sprintf("commit %s by %s, %s", ch.Commit, sanitize.Text(ch.Author, 100), ch.Date)
		}
		fmt.Fprintf(w, "  %s %-20s %s  (%s)\n", sign, sanitize.Text(ch.Name, 100), ch.Key, by)
	}
	for _, ch := range change.Added {
		line("+", ch)
	}
	for _, ch := range change.Removed {
		line("-", ch)
	}
}
