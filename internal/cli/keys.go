package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

func inactivateCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "inactivate KEY_ID", Short: "make a key INACTIVE", ValidArgsFunction: c.completeKeyID}
	force := cmd.Flags().Bool("force", false, "inactivate even the service user's last ACTIVE key (locks the integration out)")
	cmd.RunE = func(_ *cobra.Command, pos []string) error { return runInactivate(c, pos, force) }
	return cmd
}

func runInactivate(c *invocation, pos []string, force *bool) error {
	return c.changeKey(pos[0], "INACTIVE", func(tx *keystore.Tx) error {
		return tx.SetStatus(pos[0], keystore.Inactive, *force)
	})
}

func activateCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "activate KEY_ID", Short: "make a key ACTIVE", ValidArgsFunction: c.completeKeyID,
		RunE: func(_ *cobra.Command, pos []string) error { return runActivate(c, pos) }}
}

func runActivate(c *invocation, pos []string) error {
	return c.changeKey(pos[0], "ACTIVE", func(tx *keystore.Tx) error {
		return tx.SetStatus(pos[0], keystore.Active, false)
	})
}

func removeCommand(c *invocation) *cobra.Command {
	return &cobra.Command{Use: "remove KEY_ID", Short: "remove an INACTIVE key", ValidArgsFunction: c.completeKeyID,
		RunE: func(_ *cobra.Command, pos []string) error { return runRemove(c, pos) }}
}

func runRemove(c *invocation, pos []string) error {
	return c.changeKey(pos[0], "removed", func(tx *keystore.Tx) error { return tx.RemoveKey(pos[0]) })
}

func (c *invocation) changeKey(keyID, outcome string, change func(*keystore.Tx) error) error {
	if err := validate.KeyID(keyID); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	if err := s.Update(change); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: %s is %s\n", sanitize.Line(keyID), outcome)
	return nil
}
