package cli

import (
	"fmt"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

func runInactivate(c *ctx, args []string) error {
	fs := c.flags("inactivate", "KEY_ID [--force]")
	force := fs.Bool("force", false, "inactivate even the service user's last ACTIVE key (locks the integration out)")
	pos, err := c.parse(fs, args, 1)
	if err != nil {
		return err
	}
	return c.changeKey(pos[0], "INACTIVE", func(tx *keystore.Tx) error {
		return tx.SetStatus(pos[0], keystore.Inactive, *force)
	})
}

func runActivate(c *ctx, args []string) error {
	pos, err := c.parse(c.flags("activate", "KEY_ID"), args, 1)
	if err != nil {
		return err
	}
	return c.changeKey(pos[0], "ACTIVE", func(tx *keystore.Tx) error {
		return tx.SetStatus(pos[0], keystore.Active, false)
	})
}

func runRemove(c *ctx, args []string) error {
	pos, err := c.parse(c.flags("remove", "KEY_ID"), args, 1)
	if err != nil {
		return err
	}
	return c.changeKey(pos[0], "removed", func(tx *keystore.Tx) error { return tx.RemoveKey(pos[0]) })
}

func (c *ctx) changeKey(keyID, outcome string, change func(*keystore.Tx) error) error {
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
