package cli

import "fmt"

func runPasswd(c *ctx, args []string) error {
	if _, err := c.parse(c.flags("passwd", ""), args, 0); err != nil {
		return err
	}
	if c.env.Terminal == nil {
		return usageErr("passwd needs a terminal to ask for the new passphrase — run it interactively")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	pass, err := c.newPassphrase("the passphrase was not changed")
	if err != nil {
		return err
	}
	if err := s.ChangePassphrase(pass); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stderr, "m3keys: passphrase changed — update M3KEYS_PASSPHRASE wherever scripts set it")
	return nil
}
