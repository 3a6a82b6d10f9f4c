package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/keystore"
)

func importCommand(c *invocation) *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "add many keys from CSV (or JSON) on stdin: all rows or none",
		Example: "  m3keys import < keys.csv   # header: org_id,service_user,access_key_id,api_secret[,org_name,api_url,status,created_at,deployed_to]"}
	asJSON := cmd.Flags().Bool("json", false, "read a JSON array instead of CSV")
	cmd.RunE = func(*cobra.Command, []string) error { return runImport(c, asJSON) }
	return cmd
}

func runImport(c *invocation, asJSON *bool) error {
	if c.env.StdinIsTTY {
		return usageErr("import reads CSV from stdin").hint("run m3keys import < keys.csv")
	}
	parseInput := importer.ParseCSV
	if *asJSON {
		parseInput = importer.ParseJSON
	}
	apiURL, err := c.defaultAPIURL()
	if err != nil {
		return err
	}
	rows, err := parseInput(c.stdin())
	if err != nil {
		return failure(ExitUsage, "nothing was imported: ", err, "fix the input and run again")
	}
	s, err := c.openOrCreateStore()
	if err != nil {
		return err
	}
	if err := s.Update(func(tx *keystore.Tx) error { return importer.Apply(tx, rows, apiURL) }); err != nil {
		return fmt.Errorf("nothing was imported: %w", err)
	}
	fmt.Fprintf(c.env.Stderr, "m3keys: imported %d key(s) — test them with m3keys check\n", len(rows))
	return nil
}
