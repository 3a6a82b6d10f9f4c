package cli

import (
	"context"
	"fmt"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// runToken prints only the token on stdout, for curl -H "Authorization: Bearer $(m3keys token ID)".
func runToken(c *ctx, args []string) error {
	pos, err := c.parse(c.flags("token", "KEY_ID"), args, 1)
	if err != nil {
		return err
	}
	if err := keystore.ValidateKeyID(pos[0]); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	ref, ok := s.Document().Key(pos[0])
	if !ok {
		return usageErr("no access key %s in the store — run m3keys list to see the IDs", sanitize.Line(pos[0]))
	}
	if ref.Key.Status != keystore.Active {
		// Still printed: a rotation may need to prove the old key is refused, or still works.
		fmt.Fprintf(c.env.Stderr, "m3keys: %s is INACTIVE here — integrations should use the service user's ACTIVE key; "+
			"if m3ter still issues a token, inactivate the key in the m3ter Console too\n", sanitize.Line(pos[0]))
	}
	client := authclient.New(authclient.Options{UserAgent: "m3keys/" + c.env.Version})
	r := client.Check(context.Background(), authclient.Key{OrgID: ref.Org.ID, APIURL: ref.Org.APIURL,
		AccessKeyID: ref.Key.AccessKeyID, Secret: ref.Key.Secret.Reveal()}, false)
	switch r.Class {
	case authclient.Valid:
		fmt.Fprintln(c.env.Stdout, r.BearerToken())
		return nil
	case authclient.Undetermined:
		return &exitError{code: ExitUncertain, msg: "no token: " + sanitize.Line(r.Message), advice: "try again when m3ter can be reached"}
	}
	return refused("no token: %s — check the key with m3keys check; rotate it if m3ter refuses it", sanitize.Line(r.Message))
}
