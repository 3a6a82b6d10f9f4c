package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/keystore"
)

func passwdCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "passwd", Short: "change the passphrase; --new-identity also re-encrypts the store to a fresh identity"}
	newIdentity := cmd.Flags().Bool("new-identity", false, "also re-encrypt the store to a fresh identity, so an old copy of identity.age opens nothing written from now on")
	cmd.RunE = func(*cobra.Command, []string) error { return runPasswd(c, newIdentity) }
	return cmd
}

func runPasswd(c *invocation, newIdentity *bool) error {
	if c.env.Terminal == nil {
		return usageErr("passwd needs a terminal to ask for the new passphrase").hint("run it interactively")
	}
	if dir, err := c.storeDir(); err == nil && *newIdentity && keystore.IsTeam(dir) {
		return refused("%v", keystore.ErrTeamIdentity).hint("%s", hint(keystore.ErrTeamIdentity)) // before asking for a passphrase it would not use
	}
	c.passphraseOnly = true // the old passphrase is asked even while unlocked
	s, err := c.openStore()
	if err != nil {
		return err
	}
	pass, err := c.newPassphrase("the passphrase was not changed")
	if err != nil {
		return err
	}
	if *newIdentity {
		if err := s.ChangeIdentity(pass); err != nil {
			return err
		}
		fmt.Fprintln(c.env.Stderr, "m3keys: passphrase changed and the store re-encrypted to a new identity — "+
			"update M3KEYS_PASSPHRASE wherever scripts set it; old copies of identity.age open nothing written from now on")
		return nil
	}
	if err := s.ChangePassphrase(pass); err != nil {
		return err
	}
	// Only identity.age is re-encrypted: an old copy of it still opens the store with the old passphrase.
	fmt.Fprintln(c.env.Stderr, "m3keys: passphrase changed — update M3KEYS_PASSPHRASE wherever scripts set it; "+
		"an old copy of identity.age still opens the store with the old passphrase: to shut it out, run m3keys passwd --new-identity")
	return nil
}
