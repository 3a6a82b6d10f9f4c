package cli

import (
	"fmt"

	"github.com/m3keys/m3keys/keystore"
)

func runPasswd(c *ctx, args []string) error {
	fs := c.flags("passwd", "[--new-identity]")
	newIdentity := fs.Bool("new-identity", false, "also re-encrypt the store to a fresh identity, so an old copy of identity.age opens nothing written from now on")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if c.env.Terminal == nil {
		return usageErr("passwd needs a terminal to ask for the new passphrase — run it interactively")
	}
	if dir, err := c.storeDir(); err == nil && *newIdentity && keystore.IsTeam(dir) {
		return refused("%v", keystore.ErrTeamIdentity) // before asking for a passphrase it would not use
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
