package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// sides collects --ours/--theirs conflict IDs; "all" settles every conflict.
type sides struct {
	choose map[string]merge.Side
	all    merge.Side
	side   merge.Side
}

func (s *sides) String() string { return "" }
func (s *sides) Type() string   { return "ID|all" }

func (s *sides) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		id = strings.ToLower(strings.TrimSpace(id))
		switch {
		case id == "all":
			s.all = s.side
		case len(id) == 8 && strings.Trim(id, "0123456789abcdef") == "":
			if prev, ok := s.choose[id]; ok && prev != s.side {
				return fmt.Errorf("conflict %s is settled both ways", id)
			}
			s.choose[id] = s.side
		default:
			return fmt.Errorf("%q is not a conflict ID (8 hex digits, as m3keys sync lists them) or all", sanitize.Text(id, 20))
		}
	}
	return nil
}

func syncCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "sync", Short: "commit, fetch, merge and push a team store; settle conflicts by ID"}
	choose := map[string]merge.Side{}
	ours, theirs := &sides{choose: choose, side: merge.Ours}, &sides{choose: choose, side: merge.Theirs}
	cmd.Flags().Var(ours, "ours", "settle the conflict `ID` with your version (repeat, or comma-separate; all for every conflict)")
	cmd.Flags().Var(theirs, "theirs", "settle the conflict `ID` with the remote's version (repeat, or comma-separate; all for every conflict)")
	cmd.RunE = func(*cobra.Command, []string) error { return runSync(c, choose, ours, theirs) }
	return cmd
}

func runSync(c *invocation, choose map[string]merge.Side, ours, theirs *sides) error {
	if ours.all != 0 && theirs.all != 0 {
		return usageErr("--ours all and --theirs all contradict each other").hint("choose one")
	}
	dir, opts, err := c.storeDirOptions()
	if err != nil {
		return err
	}
	unlock := func() (*keystore.Member, error) {
		if m := c.agentMember(dir, opts); m != nil {
			return m, nil
		}
		pass, err := c.passphrase("Passphrase for " + dir + " (to merge): ")
		if err != nil {
			return nil, err
		}
		return keystore.UnlockMember(dir, pass, opts...)
	}
	r, err := c.sync(dir, team.SyncOptions{Unlock: unlock, Known: c.knownMember(dir, opts), Choose: choose,
		All: max(ours.all, theirs.all), Lock: opts})
	switch {
	case errors.Is(err, team.ErrConflicts):
		return refused("sync stopped on %d conflict(s): nothing was saved", len(r.Conflicts)).hint("settle each: m3keys sync --ours ID or --theirs ID (or --ours all / --theirs all)")
	case errors.Is(err, team.ErrRemoved):
		return refused("%s", err.Error()).hint("%s", hint(err))
	case errors.Is(err, team.ErrUntrusted):
		return refused("sync stopped: the member list changed").hint("review it with m3keys team trust, then run m3keys sync")
	}
	return err
}

// sync runs a sync of the store in dir that an interrupt ends, says while a stalled remote
// is waited for, and prints what the sync did.
func (c *invocation) sync(dir string, o team.SyncOptions) (team.Result, error) {
	stop, cancel := interrupted()
	defer cancel()
	o.Now, o.Context, o.Waiting = c.env.Now, stop, c.waitingForRemote
	r, err := team.Sync(dir, o)
	c.printSync(r)
	return r, err
}

// interrupted ends when m3keys is interrupted, hung up or terminated: git, in a session of its
// own, hears none of these, so a sync ends its git through this context.
func interrupted() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGHUP, syscall.SIGTERM)
}

func orUnknown(s string) string {
	if s == "" {
		return "someone, at a time the history does not tell"
	}
	return s
}

// waitingForRemote says, while a stalled remote is waited for, how long it has been.
func (c *invocation) waitingForRemote(d time.Duration) {
	fmt.Fprintf(c.env.Stderr, "m3keys: waiting for the remote, %d s… — git gives up after 2 minutes\n", int(d.Seconds()))
}

// printSync tells what a sync did, what it needs, and what it could not decide: never a secret.
func (c *invocation) printSync(r team.Result) {
	w := c.env.Stdout
	if did := r.Summary(); did != "" {
		fmt.Fprintln(w, "sync: "+did)
	}
	for _, id := range slices.Sorted(maps.Keys(r.Resolved)) { // the same order every run
		fmt.Fprintf(w, "settled %s: %s\n", id, r.Resolved[id])
	}
	for _, o := range r.OverLimit {
		fmt.Fprintf(w, "over the limit after merge: service user %q in %s holds %d keys (%s) — inactivate and remove one until it holds %d\n",
			sanitize.Text(o.User, 100), o.OrgID, len(o.Keys), strings.Join(o.Keys, ", "), keystore.MaxKeysPerUser)
	}
	if len(r.Exposed) > 0 {
		fmt.Fprintf(w, "flagged exposed — rotate: %s (saved before a member's removal reached its author, readable by that member)\n", strings.Join(r.Exposed, ", "))
	}
	if len(r.Conflicts) > 0 {
		fmt.Fprintf(w, "%d conflict(s), nothing was saved:\n", len(r.Conflicts))
		for _, cf := range r.Conflicts {
			fmt.Fprintf(w, "  %s\n", sanitize.Text(cf.String(), 400))
			if cf.OursBy != "" || cf.TheirsBy != "" {
				fmt.Fprintf(w, "    yours by %s; theirs by %s\n", sanitize.Text(orUnknown(cf.OursBy), 100), sanitize.Text(orUnknown(cf.TheirsBy), 100))
			}
		}
		fmt.Fprintf(w, "settle with: m3keys sync --ours %s  (keep yours)  or  m3keys sync --theirs %s  (keep the remote's)\n",
			r.Conflicts[0].ID, r.Conflicts[0].ID)
	}
	if r.Pending != nil && !r.Removed {
		printChange(c, r.Pending)
		fmt.Fprintln(w, "saves are refused until you confirm it: m3keys team trust")
	}
}

// knownMember is the member's identity when it can be had without a prompt (the unlock agent,
// or $M3KEYS_PASSPHRASE), so a sync that only fast-forwards onto another member's merge still
// tells this member which service users it left over the limit; nil otherwise (list shows them).
func (c *invocation) knownMember(dir string, opts []keystore.Option) *keystore.Member {
	if m := c.agentMember(dir, opts); m != nil {
		return m
	}
	if pass := c.env.Getenv("M3KEYS_PASSPHRASE"); pass != "" {
		if m, err := keystore.UnlockMember(dir, pass, opts...); err == nil {
			return m
		}
	}
	return nil
}
