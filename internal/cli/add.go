package cli

import (
	"fmt"

	"github.com/m3keys/m3keys/keystore"
)

func runAdd(c *ctx, args []string) error {
	fs := c.flags("add", "--org ID --user NAME --key-id ID [--org-name NAME] [--api-url URL]")
	org := fs.String("org", "", "the organization ID (a UUID)")
	user := fs.String("user", "", "the service user's name")
	keyID := fs.String("key-id", "", "the Access Key ID")
	orgName := fs.String("org-name", "", "a label for a new organization")
	apiURL := fs.String("api-url", "", "the API URL of a new organization (default $M3KEYS_API_URL or https://api.m3ter.com)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *org == "" || *user == "" || *keyID == "" {
		return usageErr("add needs --org, --user and --key-id — the API secret comes from stdin or a prompt, never the command line")
	}
	if *apiURL == "" {
		*apiURL = c.defaultAPIURL()
	}
	newOrg := keystore.NewOrg{ID: *org, Name: *orgName, APIURL: *apiURL}
	// Validate everything before asking for a passphrase or creating a store.
	for _, err := range []error{keystore.ValidateOrgID(*org), keystore.ValidateName("service user", *user), keystore.ValidateKeyID(*keyID), keystore.ValidateAPIURL(*apiURL)} {
		if err != nil {
			return err
		}
	}
	raw, err := c.readSecretInput("API Secret for " + *keyID + ": ")
	if err != nil {
		return err
	}
	secret, err := keystore.NewSecret(raw)
	if err != nil {
		return err
	}
	s, err := c.openOrCreateStore()
	if err != nil {
		return err
	}
	err = s.Update(func(tx *keystore.Tx) error {
		if err := tx.EnsureOrg(newOrg); err != nil {
			return err
		}
		if err := tx.EnsureUser(*org, *user); err != nil {
			return err
		}
		return tx.AddKey(*org, *user, keystore.NewKey{AccessKeyID: *keyID, Secret: secret})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: added %s for %s — test it with m3keys check\n", *keyID, *user)
	return nil
}
