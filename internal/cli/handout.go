package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/keystore"
)

// A secret leaves the store once, as m3ter's Console shows it once: every extra copy is a leak to
// audit. handOut marks it in the store first, then delivers it, and takes the mark back when the
// delivery fails, so a crash can lose a hand-out but never hand a secret out twice.

const copyArgs = "KEY_ID [--clipboard MODE] [--clip-timeout DUR]"

// runCopy hands the API secret out to the clipboard and returns at once, like pass -c: a detached
// m3keys clears the clipboard after --clip-timeout if it still holds the secret.
func runCopy(c *ctx, args []string) error {
	fs := c.flags("copy", copyArgs)
	c.clipboardFlags(fs)
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	keyID := pos[0]
	if err := keystore.ValidateKeyID(keyID); err != nil {
		return err
	}
	cb, timeout, err := c.openClipboard()
	if err != nil {
		return err
	}
	var h clipboard.Hash
	write := func(secret string) (err error) {
		h, err = cb.Write(secret)
		return err
	}
	notCopied := func(err error) error {
		return failure(ExitUsage, "the API secret of "+keyID+" was not copied: ", err, installAdvice)
	}
	if err := c.handOut(keyID, "clipboard", write, notCopied); err != nil {
		return err
	}
	c.copied(cb, h, timeout, "copied the API secret of "+keyID, "this was its one hand-out")
	return nil
}

// runSecret writes the API secret, with no newline, to stdout when it is a pipe or a file, for
// scripts: m3keys secret AK-1 | gh secret set M3TER_API_SECRET.
func runSecret(c *ctx, args []string) error {
	fs := c.flags("secret", "KEY_ID")
	c.usage = func() {
		fmt.Fprintln(c.env.Stderr, "usage: m3keys secret KEY_ID | COMMAND\n\n"+
			"Writes the API secret of KEY_ID to stdout, once, and only when stdout is a pipe or a file:\n"+
			"never a terminal. It writes no newline: gh secret set and kubectl --from-file keep\n"+
			"what they read as it is, and a newline would become part of the secret.\n"+
			"A second hand-out (secret or copy) is refused; rotate the key for a new secret.\n\n"+
			"  m3keys secret AK-1 | gh secret set M3TER_API_SECRET\n"+
			"  m3keys secret AK-1 | kubectl create secret generic m3ter --from-file=api-secret=/dev/stdin\n"+
			"  m3keys secret AK-1 | vault kv put secret/m3ter api_secret=-\n\noptions:")
		fs.SetOutput(c.env.Stderr)
		fs.PrintDefaults()
	}
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	keyID := pos[0]
	if err := keystore.ValidateKeyID(keyID); err != nil {
		return err
	}
	if c.env.StdoutIsTTY {
		return usageErr("stdout is a terminal: secret writes the API secret only to a pipe or a file, never to the screen — "+
			"pipe it to where it goes: m3keys secret %s | gh secret set M3TER_API_SECRET, or use m3keys copy %s", keyID, keyID)
	}
	// A reader that went away must fail the write (EPIPE), not kill m3keys before the mark is
	// rolled back, which is what SIGPIPE does by default to a write to stdout.
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)
	write := func(secret string) error {
		_, err := io.WriteString(c.env.Stdout, secret)
		return err
	}
	notWritten := func(err error) error {
		return failure(ExitUsage, "the API secret of "+keyID+" was not written to stdout: ", err,
			"nothing was handed out; run it again with stdout to a pipe or file that takes it")
	}
	if err := c.handOut(keyID, "stdout", write, notWritten); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: wrote the API secret of %s to stdout, with no newline — this was its one hand-out\n", keyID)
	return nil
}

// handOut marks keyID's secret as handed out, then delivers it; when delivery fails it rolls the
// mark back, recording why, and returns undelivered's error. to names where it went, for history.
func (c *ctx) handOut(keyID, to string, deliver func(secret string) error, undelivered func(error) error) error {
	s, err := c.openStore()
	if err != nil {
		return err
	}
	var secret string
	var inactive bool
	err = s.Update(func(tx *keystore.Tx) error {
		ref, ok := tx.Key(keyID)
		if !ok {
			return errNoKey(keyID)
		}
		if ref.Key.SecretCopied() {
			return alreadyHandedOut(keyID, ref.Key.SecretCopiedAt)
		}
		secret, inactive = ref.Key.Secret.Reveal(), ref.Key.Status != keystore.Active
		return tx.MarkSecretCopied(keyID)
	})
	if err != nil {
		return err
	}
	if inactive {
		fmt.Fprintf(c.env.Stderr, "m3keys: %s is INACTIVE here — integrations should use the service user's ACTIVE key\n", keyID)
	}
	derr := deliver(secret)
	if derr == nil {
		return nil
	}
	why := to + ": " + sanitize.Line(derr.Error())
	if rerr := s.Update(func(tx *keystore.Tx) error { return tx.UnmarkSecretCopied(keyID, why) }); rerr != nil {
		return &exitError{code: ExitUsage,
			msg: fmt.Sprintf("the API secret of %s was not handed out (%s), and the store still says it was: %s",
				keyID, sanitize.Line(derr.Error()), sanitize.Line(rerr.Error())),
			advice: "the secret never left m3keys; rotate the key to get one that can be handed out"}
	}
	return undelivered(derr)
}

func errNoKey(keyID string) error {
	return usageErr("no access key %s in the store — run m3keys list to see the IDs", sanitize.Line(keyID))
}

// alreadyHandedOut refuses a second hand-out, with the date of the first and the way to a new secret.
func alreadyHandedOut(keyID string, at time.Time) error {
	return refused("the API secret of %s was already handed out, on %s — m3keys hands a secret out once, as the m3ter Console shows it once; "+
		"for a new secret, rotate: generate a new access key in the m3ter Console, add it with m3keys add, deploy it, then retire this one with m3keys inactivate %s",
		keyID, timefmt.Minute(at), keyID)
}
