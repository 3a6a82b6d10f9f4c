package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

func tokenCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "token KEY_ID", Short: "print a Bearer token on stdout, or copy it to the clipboard",
		Example:           `  curl -H "Authorization: Bearer $(m3keys token AK-1)" …`,
		ValidArgsFunction: c.completeKeyID}
	toClipboard := cmd.Flags().Bool("copy", false, "copy the token to the clipboard, cleared after --clip-timeout, instead of printing it")
	cmd.RunE = func(_ *cobra.Command, pos []string) error { return runToken(c, pos, toClipboard) }
	return cmd
}

// runToken prints only the token on stdout, for curl -H "Authorization: Bearer $(m3keys token ID)",
// or copies it to the clipboard; a token expires, so it may be handed out any number of times.
func runToken(c *invocation, pos []string, toClipboard *bool) error {
	var err error
	if err := validate.KeyID(pos[0]); err != nil {
		return err
	}
	var cb clipboard.Clipboard
	var timeout time.Duration
	if *toClipboard {
		if cb, timeout, err = c.openClipboard(); err != nil {
			return err
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	ref, ok := s.Document().Key(pos[0])
	if !ok {
		return errNoKey(pos[0])
	}
	if ref.Key.Status != keystore.Active {
		// Still printed: a rotation may need to prove the old key is refused, or still works.
		fmt.Fprintf(c.env.Stderr, "m3keys: %s is INACTIVE here — integrations should use the service user's ACTIVE key; "+
			"if m3ter still issues a token, inactivate the key in the m3ter Console too\n", sanitize.Line(pos[0]))
	}
	r := c.bearerToken(livecheck.Key(ref))
	switch r.Class {
	case authclient.Valid:
		if cb == nil {
			fmt.Fprintln(c.env.Stdout, r.BearerToken())
			return nil
		}
		sink := c.clipboardSink(cb, timeout)
		if err := sink.Deliver(r.BearerToken()); err != nil {
			return failure(ExitUsage, "the token was not copied: ", err, installAdvice)
		}
		note := ""
		if r.ExpiresIn > 0 {
			note = "the token expires in " + shortDuration(r.ExpiresIn.Round(time.Second))
		}
		c.copied(sink, timeout, "copied a Bearer token for "+sanitize.Line(pos[0]), note)
		return nil
	case authclient.Undetermined:
		return &exitError{code: ExitUncertain, msg: "no token: " + sanitize.Line(r.Message), advice: "try again when m3ter can be reached"}
	}
	return refused("no token: %s", sanitize.Line(r.Message)).hint("check the key with m3keys check; rotate it if m3ter refuses it")
}

// bearerToken is the key's held token while it has more than 5 minutes left, else a fresh one
// (with the retries of a check), which is then held.
func (c *invocation) bearerToken(k authclient.Key) authclient.Result {
	tokens := c.tokenHolder()
	if r, ok := tokens.Get(k); ok {
		return r
	}
	batch := authclient.Batch{Client: authclient.New(authclient.Options{UserAgent: "m3keys/" + c.env.Version}), Verify: false}
	r := batch.Check(context.Background(), k, false)
	tokens.Hold(k, r)
	return r
}
