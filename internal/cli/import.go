package cli

import (
	"fmt"
	"strings"

	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/keystore"
)

func runImport(c *ctx, args []string) error {
	fs := c.flags("import", "[--json] < keys.csv")
	asJSON := fs.Bool("json", false, "read a JSON array instead of CSV")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	if c.env.StdinIsTTY {
		return usageErr("import reads CSV from stdin — run m3keys import < keys.csv")
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
		what, advice, ok := strings.Cut(err.Error(), " — ")
		if !ok {
			advice = "fix the input and run again"
		}
		return &exitError{code: ExitUsage, msg: "nothing was imported: " + what, advice: advice}
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
