package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

func addCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add --org ID|NAME --user NAME --key-id ID",
		Short: "store a key pair; the secret comes from stdin or a hidden prompt",
	}
	fs := cmd.Flags()
	org := fs.String("org", "", "the organization `ID` (a UUID), or the name of one already in the store")
	user := fs.String("user", "", "the service user's `NAME`")
	keyID := fs.String("key-id", "", "the Access Key `ID`")
	orgName := fs.String("org-name", "", "a label (`NAME`) for a new organization")
	apiURL := fs.String("api-url", "", "the API `URL` of a new organization (default $M3KEYS_API_URL or https://api.m3ter.com); an existing one must match")
	deployedTo := fs.String("deployed-to", "", "where the integration reads the key (a `TEXT` note for the next rotation, 1–200 characters)")
	cmd.RunE = func(*cobra.Command, []string) error {
		return c.add(*org, *user, *keyID, *orgName, *apiURL, *deployedTo)
	}
	return cmd
}

func (c *invocation) add(org, user, keyID, orgName, apiURL, deployedTo string) error {
	if org == "" || user == "" || keyID == "" {
		return usageErr("add needs --org, --user and --key-id").hint("the API secret comes from stdin or a prompt, never the command line")
	}
	defaultURL, err := c.defaultAPIURL()
	if err != nil {
		return err
	}
	// Validate everything before asking for a passphrase or creating a store.
	// --org is an ID, or the name of an organization in the store, resolved once it is open.
	orgErr := validate.OrgID(org)
	if orgErr != nil && !c.storeExists() {
		return orgErr
	}
	checks := []error{validate.Name("service user", user), validate.KeyID(keyID)}
	if orgName != "" {
		checks = append(checks, validate.Name("organization name", orgName))
	}
	if apiURL != "" {
		checks = append(checks, validate.APIURL(apiURL))
	}
	if deployedTo != "" {
		checks = append(checks, keystore.ValidateDeployedTo(deployedTo))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	// The passphrase first, then the secret: the store's prompt, then the key's.
	store, err := c.unlockOrPrepareStore()
	if err != nil {
		return err
	}
	if orgErr != nil { // a name: the store exists, so store() opens nothing new
		s, err := store()
		if err != nil {
			return err
		}
		o, err := findOrg(s.Document(), org)
		if err != nil {
			return err
		}
		org = o.ID
	}
	raw, err := c.readSecretInput("API Secret for " + keyID + ": ")
	if err != nil {
		return err
	}
	secret, err := keystore.NewSecret(raw)
	if err != nil {
		return err
	}
	s, err := store()
	if err != nil {
		return err
	}
	row := importer.Row{OrgID: org, ServiceUser: user, AccessKeyID: keyID, Secret: secret, OrgName: orgName, APIURL: apiURL, Status: keystore.Active, DeployedTo: deployedTo}
	if err := s.Update(func(tx *keystore.Tx) error { return importer.Add(tx, row, defaultURL) }); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: added %s for %s — test it with m3keys check\n", keyID, user)
	return nil
}
