package cli

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// A secret leaves the store once (internal/handout does the marking, delivering and rolling
// back); these commands check where it would go before they ask for it, and say what happened.

// offlineHelp is --offline's, for copy and secret.
const offlineHelp = "in a team store whose remote cannot be reached, hand the secret out anyway, recorded as unconfirmed"

// runCopy hands the API secret out to the clipboard and returns at once, like pass -c: a detached
// m3keys, started before the write, clears the clipboard after --clip-timeout if it still holds the secret.
func copyCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "copy KEY_ID", Short: "hand the API secret out once, to the clipboard, cleared after --clip-timeout",
		ValidArgsFunction: c.completeKeyID}
	offline := cmd.Flags().Bool("offline", false, offlineHelp)
	cmd.RunE = func(_ *cobra.Command, pos []string) error { return runCopy(c, pos, *offline) }
	return cmd
}

func runCopy(c *invocation, pos []string, offline bool) error {
	keyID := pos[0]
	if err := validate.KeyID(keyID); err != nil {
		return err
	}
	cb, timeout, err := c.openClipboard()
	if err != nil {
		return err
	}
	sink := c.clipboardSink(cb, timeout)
	notCopied := func(err error) error {
		return failure(ExitUsage, "the API secret of "+keyID+" was not copied: ", err, installAdvice)
	}
	g, err := c.handOut(keyID, sink, offline, notCopied)
	if err != nil {
		return err
	}
	c.copied(sink, timeout, "copied the API secret of "+keyID, oneHandOut(g))
	return nil
}

// secretHelp is what secret is for, and how to use it well.
const secretHelp = `Hands the API secret of KEY_ID out, once, with no newline: gh secret set and kubectl --from-file
keep what they read as it is, and a newline would become part of the secret.

With -- COMMAND, m3keys runs COMMAND (no shell) with the secret on its stdin, and only when the
hand-out is granted: a refused one runs nothing. When COMMAND fails the hand-out is taken back.
Prefer it to a pipe: the shell starts both sides of a pipe before m3keys decides, so the
command after | runs even when m3keys refuses, and takes empty input for the secret.

Without COMMAND the secret goes to stdout, and only to a pipe or a file: never a terminal,
/dev/null or a closed stdout. A second hand-out (secret or copy) is refused; rotate the key for a new secret.

In a team store the hand-out syncs first and is refused when another member handed the secret out;
when the remote cannot be reached it is refused unless --offline (recorded as unconfirmed).`

func secretCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret KEY_ID [-- COMMAND [ARGS...]]",
		Short: "hand the API secret out once, with no newline, to COMMAND's stdin only if granted, or to a pipe or a file (never a terminal or /dev/null)",
		Long:  secretHelp,
		Example: "  m3keys secret AK-1 -- gh secret set M3TER_API_SECRET\n" +
			"  m3keys secret AK-1 -- kubectl create secret generic m3ter --from-file=api-secret=/dev/stdin\n" +
			"  m3keys secret AK-1 -- vault kv put secret/m3ter api_secret=-\n" +
			"  m3keys secret AK-1 > api-secret.txt",
		ValidArgsFunction: c.completeKeyID,
	}
	offline := cmd.Flags().Bool("offline", false, offlineHelp)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var command []string
		if at := cmd.ArgsLenAtDash(); at >= 0 {
			args, command = args[:at], args[at:] // everything after -- is COMMAND's, unparsed
		}
		return runSecret(c, args, command, *offline)
	}
	return cmd
}

// runSecret writes the API secret, with no newline, to stdout when it is a pipe or a file, or
// to COMMAND's stdin, for scripts: m3keys secret AK-1 -- gh secret set M3TER_API_SECRET.
func runSecret(c *invocation, pos, command []string, offline bool) error {
	keyID := pos[0]
	if err := validate.KeyID(keyID); err != nil {
		return err
	}
	if command != nil {
		return c.secretToCommand(keyID, command, offline)
	}
	if c.env.StdoutIsTTY {
		return usageErr("stdout is a terminal: secret writes the API secret only to a pipe or a file, never to the screen").hint("give it to the command that takes it: m3keys secret %s -- gh secret set M3TER_API_SECRET, or use m3keys copy %s", keyID, keyID)
	}
	if why := c.env.StdoutDiscards; why != "" {
		return usageErr("%s: the API secret would be spent on nothing", why).hint("nothing was handed out; give it to the command that takes it: m3keys secret %s -- gh secret set M3TER_API_SECRET", keyID)
	}
	// A reader that went away must fail the write (EPIPE), not kill m3keys before the mark is
	// rolled back, which is what SIGPIPE does by default to a write to stdout.
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)
	notWritten := func(err error) error {
		return failure(ExitUsage, "the API secret of "+keyID+" was not written to stdout: ", err,
			"nothing was handed out; run it again with stdout to a pipe or file that takes it")
	}
	// Said on a refusal: a pipe's reader was started by the shell before m3keys decided.
	toStdout := "so nothing was written to stdout (a command reading it ran anyway: m3keys secret " + keyID + " -- COMMAND runs nothing when refused)"
	g, err := c.handOut(keyID, handout.Writer{Name: "stdout", W: c.env.Stdout}, offline, notWritten, toStdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: wrote the API secret of %s to stdout, with no newline — %s\n", keyID, oneHandOut(g))
	return nil
}

// secretToCommand runs command with the secret on its stdin, only when the hand-out is granted.
func (c *invocation) secretToCommand(keyID string, command []string, offline bool) error {
	name := sanitize.Line(command[0])
	failed := func(err error) error {
		return failure(ExitUsage, "the API secret of "+keyID+" was not handed out: ", err,
			"the hand-out was rolled back, and the secret can be handed out again; fix what "+name+" said, then run it again")
	}
	sink := handout.Command{Argv: command, Stdout: c.env.Stdout, Stderr: c.env.Stderr}
	g, err := c.handOut(keyID, sink, offline, failed, "so "+name+" was not run")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: handed the API secret of %s to %s on its stdin, with no newline — %s\n", keyID, name, oneHandOut(g))
	return nil
}

// handOut hands keyID's secret to sink (handout.Desk) and words what went wrong: undelivered
// the sink's failure, after the mark was rolled back. refusedNote adds to a refusal what did
// not happen because of it.
func (c *invocation) handOut(keyID string, sink handout.Sink, offline bool, undelivered func(error) error, refusedNote ...string) (handout.Granted, error) {
	s, err := c.openStore()
	if err != nil {
		return handout.Granted{}, err
	}
	desk := handout.Desk{Store: s}
	if dir, _ := c.storeDir(); keystore.IsTeam(dir) {
		stop, cancel := interrupted()
		defer cancel()
		opts, err := c.storeOptions()
		if err != nil {
			return handout.Granted{}, err
		}
		me := s.Member()
		desk.Team = team.HandOut{Dir: dir, Offline: offline, Sync: team.SyncOptions{
			Known: me, Unlock: func() (*keystore.Member, error) { return me, nil },
			Now: c.env.Now, Lock: opts, Context: stop, Waiting: c.waitingForRemote}}
	}
	g, err := desk.HandOut(keyID, sink)
	var again *handout.AlreadyHandedOut
	var lost *handout.Undelivered
	var uncommitted *handout.NotCommitted
	var unreachable *team.UnreachableError
	var notSynced *team.NotSyncedError
	so := ""
	if len(refusedNote) > 0 {
		so = ", " + strings.Join(refusedNote, ", ")
	}
	switch {
	case errors.As(err, &again):
		return g, alreadyHandedOut(keyID, again.At, again.By, refusedNote...)
	case errors.Is(err, keystore.ErrNotFound):
		return g, errNoKey(keyID)
	case errors.As(err, &unreachable):
		return g, &exitError{code: ExitRefused, msg: sanitize.Line(unreachable.Error()) + ": nothing was handed out" + so,
			advice: "try again when the remote can be reached (m3keys sync says why it cannot), or hand it out anyway with --offline: " +
				"recorded as unconfirmed, and a sync flags the key handed out twice if another member handed it out too"}
	case errors.As(err, &notSynced):
		return g, &exitError{code: ExitRefused, msg: sanitize.Line(notSynced.Error()) + ": nothing was handed out" + so,
			advice: "run m3keys sync and settle what it says, then hand it out again"}
	case errors.As(err, &uncommitted) && !uncommitted.RolledBack():
		return g, &exitError{code: ExitUsage, msg: sanitize.Line(uncommitted.Error()) + ": nothing was handed out" + so,
			advice: "the secret never left m3keys; fix git, run m3keys sync, then rotate the key to get one that can be handed out"}
	case errors.As(err, &uncommitted):
		return g, &exitError{code: ExitUsage, msg: sanitize.Line(uncommitted.Error()) + ": nothing was handed out, and the mark was taken back" + so,
			advice: "fix what git said (a leftover lock, git missing, no author), run m3keys sync, then hand it out again"}
	case errors.As(err, &lost) && !lost.RolledBack():
		return g, &exitError{code: ExitUsage,
			msg: fmt.Sprintf("the API secret of %s was not handed out (%s), and the store still says it was: %s",
				keyID, sanitize.Line(lost.Err.Error()), sanitize.Line(lost.RollbackErr.Error())),
			advice: rollbackAdvice(sink)}
	case errors.As(err, &lost):
		return g, undelivered(lost.Err)
	case err != nil:
		return g, err
	}
	if g.Unconfirmed {
		fmt.Fprintf(c.env.Stderr, "m3keys: handed out offline: the hand-out of %s is recorded as unconfirmed — run m3keys sync when the remote can be reached; it flags the key handed out twice if another member handed it out too\n", keyID)
	} else if g.TeamErr != nil {
		fmt.Fprintf(c.env.Stderr, "m3keys: the hand-out of %s is recorded here but not pushed to the team: %s — run m3keys sync to push it\n", keyID, sanitize.Line(g.TeamErr.Error()))
	}
	if g.Inactive {
		fmt.Fprintf(c.env.Stderr, "m3keys: %s is INACTIVE here — integrations should use the service user's ACTIVE key\n", keyID)
	}
	return g, nil
}

// oneHandOut is what a granted hand-out says of itself.
func oneHandOut(g handout.Granted) string {
	if g.Unconfirmed {
		return "handed out offline, recorded as unconfirmed"
	}
	return "this was its one hand-out"
}

// rollbackAdvice is what to do about a mark that stayed after a delivery failed.
func rollbackAdvice(sink handout.Sink) string {
	if _, ran := sink.(handout.Command); ran {
		return "the command may have read it; rotate the key to get one that can be handed out"
	}
	return "the secret never left m3keys; rotate the key to get one that can be handed out"
}

func errNoKey(keyID string) error {
	return usageErr("no access key %s in the store", sanitize.Line(keyID)).hint("run m3keys list to see the IDs")
}

// alreadyHandedOut refuses a second hand-out, with the date of the first and the way to a new secret.
func alreadyHandedOut(keyID string, at time.Time, by string, note ...string) error {
	so := ""
	if len(note) > 0 {
		so = ", " + strings.Join(note, ", ")
	}
	if by != "" {
		by = " by " + sanitize.Text(by, 100) + ","
	}
	return refused("the API secret of %s was already handed out,%s on %s%s", keyID, by, timefmt.Minute(at), so).hint("m3keys hands a secret out once, as the m3ter Console shows it once; for a new secret, rotate: generate a new access key in the m3ter Console, add it with m3keys add, deploy it, then retire this one with m3keys inactivate %s", keyID)
}
