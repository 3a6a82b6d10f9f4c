package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// The unlock agent's commands: unlock, lock, and the hidden completion of key IDs, declared
// with the others in rootCommand. The commands that take a KEY_ID complete it through the agent
// too (completeKeyID, for cobra's __complete).

// CompleteKeysCommand is the hidden command a shell completion runs for key IDs: it prints
// the store's key IDs (those starting with its one optional argument) while an agent holds
// the store, and nothing at once while locked — it never prompts, and never reads
// M3KEYS_PASSPHRASE.
const CompleteKeysCommand = "__complete-keys"

// agentExecutable is the program started as the agent: this one (tests replace it).
var agentExecutable = os.Executable

func unlockCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "unlock",
		Short: "unlock once and keep the store unlocked for a while (default 15m, at most 12h); --status says until when"}
	idle := cmd.Flags().Duration("idle", agent.DefaultIdle, "lock after this long unused (a `DURATION`, at most 12h)")
	status := cmd.Flags().Bool("status", false, "say whether the store is unlocked, and until when")
	cmd.RunE = func(*cobra.Command, []string) error { return runUnlock(c, *idle, *status) }
	return cmd
}

func lockCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "lock", Short: "forget the unlocked identity at once",
		RunE: func(*cobra.Command, []string) error { return runLock(c) }}
}

// completeKeysCommand is hidden: key IDs for a shell's completion, only while unlocked.
func completeKeysCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: CompleteKeysCommand + " [PREFIX]", Short: "key IDs for shell completion, only while unlocked",
		Hidden: true,
		RunE:   func(_ *cobra.Command, args []string) error { return runCompleteKeys(c, args) }}
}

// completeKeyID is the ValidArgsFunction of a command whose one argument is a KEY_ID: the
// store's key IDs while unlocked, nothing at once while locked.
func (c *invocation) completeKeyID(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return c.CompleteKeyIDs(toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeKeyIDs is check's: any number of KEY_IDs, each once.
func (c *invocation) completeKeyIDs(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var ids []cobra.Completion
	for _, id := range c.CompleteKeyIDs(toComplete) {
		if !slices.Contains(args, id) {
			ids = append(ids, id)
		}
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// agentClient is the store's agent, or nil where there can be none.
func (c *invocation) agentClient(dir string) *agent.Client {
	cl, err := agent.ForStore(dir)
	if err != nil {
		return nil
	}
	return cl
}

// openWithAgent opens the store through its agent when one holds it; ok false means: fall
// back to the passphrase (no agent, a dead one, another store's, a changed identity).
func (c *invocation) openWithAgent(dir string, opts []keystore.Option) (*keystore.Store, bool, error) {
	if c.passphraseOnly {
		return nil, false, nil
	}
	cl := c.agentClient(dir)
	if cl == nil {
		return nil, false, nil
	}
	id, r, err := cl.Identity()
	if err != nil {
		return nil, false, nil
	}
	s, err := keystore.OpenWith(dir, id, r, opts...)
	if agent.IsNotRunning(err) || errors.Is(err, keystore.ErrWrongIdentity) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return s, true, nil
}

// agentMember is the store's identity through its agent, for a sync's merge; nil to fall back.
func (c *invocation) agentMember(dir string, opts []keystore.Option) *keystore.Member {
	cl := c.agentClient(dir)
	if cl == nil {
		return nil
	}
	id, r, err := cl.Identity()
	if err != nil {
		return nil
	}
	m, err := keystore.UnlockMemberWith(dir, id, r, opts...)
	if err != nil {
		return nil
	}
	return m
}

// tokenHolder is where token keeps Bearer tokens: this process's cache, and the store's
// agent's while unlocked, so the next m3keys token reuses one.
func (c *invocation) tokenHolder() authclient.TokenHolder {
	dir, err := c.storeDir()
	if err != nil || c.passphraseOnly {
		return c.env.Tokens
	}
	cl := c.agentClient(dir)
	if cl == nil {
		return c.env.Tokens
	}
	if _, err := cl.Status(); err != nil {
		return c.env.Tokens
	}
	return agent.NewTokens(cl, c.env.Tokens)
}

func runUnlock(c *invocation, idle time.Duration, status bool) error {
	if idle <= 0 || idle > agent.MaxLifetime {
		return usageErr("--idle=%s is not a duration above 0 and at most 12h", idle).hint("use a value like 15m")
	}
	dir, err := c.storeDir()
	if err != nil {
		return err
	}
	if !agent.Supported {
		return usageErr("%v", agent.ErrUnsupported).hint("every command asks for the passphrase (or reads M3KEYS_PASSPHRASE) instead")
	}
	if status {
		return c.unlockStatus(dir)
	}
	if !keystore.Exists(dir) {
		return fmt.Errorf("%w: %s", keystore.ErrNoStore, dir)
	}
	cl, err := agent.ForStore(dir)
	if err != nil {
		return failure(ExitUsage, "the store cannot be kept unlocked: ", err, "")
	}
	pass, err := c.passphrase("Passphrase for " + dir + ": ")
	if err != nil {
		return err
	}
	done := c.saying("unlocking…")
	file, err := keystore.ReadIdentityFile(dir)
	var id *age.X25519Identity
	if err == nil {
		id, err = keystore.UnlockIdentity(dir, pass)
	}
	done()
	if err != nil {
		return err
	}
	exe, err := agentExecutable()
	if err != nil {
		return failure(ExitUsage, "the store was not kept unlocked: the m3keys program cannot be found: ", err, "")
	}
	if _, err := agent.Start(exe, dir, id, file, agent.Options{Idle: idle}); err != nil {
		return failure(ExitUsage, "the store was not kept unlocked: ", err, "run m3keys unlock again")
	}
	st, err := cl.Status()
	if err != nil {
		return failure(ExitUsage, "the store was not kept unlocked: ", err, "run m3keys unlock again")
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: %s is unlocked until %s unless used (each use keeps it unlocked %s more, 12h at most) — m3keys lock forgets it\n",
		sanitize.Line(dir), st.Until.Local().Format("15:04"), lockDuration(idle))
	return nil
}

// unlockStatus prints whether dir is unlocked, and until when; locked is not an error.
func (c *invocation) unlockStatus(dir string) error {
	cl, err := agent.ForStore(dir)
	if err != nil {
		return failure(ExitUsage, "", err, "")
	}
	st, err := cl.Status()
	if err != nil {
		fmt.Fprintf(c.env.Stdout, "locked: %s — run m3keys unlock to keep it unlocked for a while\n", sanitize.Line(dir))
		return nil
	}
	left := time.Until(st.Until).Round(time.Minute)
	fmt.Fprintf(c.env.Stdout, "unlocked: %s until %s (locks in %s unless used)\n", sanitize.Line(dir), st.Until.Local().Format("15:04"), lockDuration(left))
	return nil
}

// lockDuration is 14m, 1h5m, <1m.
func lockDuration(d time.Duration) string {
	if d < time.Minute {
		return "<1m"
	}
	s := d.Round(time.Minute).String()
	if len(s) > 2 && s[len(s)-2:] == "0s" {
		s = s[:len(s)-2]
	}
	if len(s) > 3 && s[len(s)-3:] == "h0m" {
		s = s[:len(s)-2]
	}
	return s
}

func runLock(c *invocation) error {
	dir, err := c.storeDir()
	if err != nil {
		return err
	}
	cl := c.agentClient(dir)
	if cl == nil {
		fmt.Fprintf(c.env.Stderr, "m3keys: %s was not unlocked\n", sanitize.Line(dir))
		return nil
	}
	if ok, _ := cl.Lock(); ok {
		fmt.Fprintf(c.env.Stderr, "m3keys: %s is locked\n", sanitize.Line(dir))
	} else {
		fmt.Fprintf(c.env.Stderr, "m3keys: %s was not unlocked\n", sanitize.Line(dir))
	}
	return nil
}

// runCompleteKeys prints key IDs while unlocked; anything else prints nothing and exits 0.
func runCompleteKeys(c *invocation, args []string) error {
	prefix := ""
	if len(args) > 0 {
		prefix = args[0]
	}
	for _, id := range c.CompleteKeyIDs(prefix) {
		fmt.Fprintln(c.env.Stdout, id)
	}
	return nil
}

// CompleteKeyIDs are the store's key IDs starting with prefix, through its agent; nil at
// once when locked. It never prompts and never reads M3KEYS_PASSPHRASE; it does not wait for
// the store's lock.
func (c *invocation) CompleteKeyIDs(prefix string) []string {
	dir, err := c.storeDir()
	if err != nil || !keystore.Exists(dir) {
		return nil
	}
	s, ok, err := c.openWithAgent(dir, []keystore.Option{keystore.WithLockTimeout(0)})
	if !ok || err != nil {
		return nil
	}
	var ids []string
	for _, o := range s.Document().Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				if len(k.AccessKeyID) >= len(prefix) && k.AccessKeyID[:len(prefix)] == prefix {
					ids = append(ids, k.AccessKeyID)
				}
			}
		}
	}
	return ids
}
