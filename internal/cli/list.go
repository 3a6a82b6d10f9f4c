package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

type listJSON struct {
	Organizations []orgJSON `json:"organizations"`
}

type orgJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	APIURL       string     `json:"apiUrl"`
	ServiceUsers []userJSON `json:"serviceUsers"`
}

type userJSON struct {
	Name string    `json:"name"`
	Keys []keyJSON `json:"keys"`
}

type keyJSON struct {
	AccessKeyID  string          `json:"accessKeyId"`
	Status       keystore.Status `json:"status"`
	CreatedAt    time.Time       `json:"createdAt"`
	AgeDays      int             `json:"ageDays"`
	Stale        bool            `json:"stale"`
	SecretCopied bool            `json:"secretCopied"`
	LastCheck    *keystore.Check `json:"lastCheck"`
}

func runList(c *ctx, args []string) error {
	fs := c.flags("list", "[--json] [--max-age DUR]")
	asJSON := fs.Bool("json", false, "print JSON")
	maxAge := keystore.DefaultMaxAge
	fs.Var(maxAgeFlag{&maxAge}, "max-age", "flag keys older than this as stale, in days (90d) or a duration (2160h)")
	if _, err := c.parse(fs, args, 0); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	doc, now := s.Document(), c.env.Now()
	if *asJSON {
		return writeJSON(c, listDocument(doc, now, maxAge))
	}
	if len(doc.Organizations) == 0 {
		fmt.Fprintln(c.env.Stderr, "m3keys: the store is empty — add a key with m3keys add or m3keys import")
		return nil
	}
	w := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ORGANIZATION\tSERVICE USER\tACCESS KEY ID\tSTATUS\tAGE\tSECRET\tLAST CHECK")
	for _, o := range doc.Organizations {
		org := orgLabel(&o)
		for _, u := range o.ServiceUsers {
			if len(u.Keys) == 0 {
				fmt.Fprintf(w, "%s\t%s\t-\t\t\t\t\n", org, sanitize.Text(u.Name, 40))
			}
			for _, k := range u.Keys {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", org, sanitize.Text(u.Name, 40), sanitize.Line(k.AccessKeyID),
					k.Status, ageText(k.AgeDays(now), k.Stale(now, maxAge)), secretState(&k), lastcheck.Text(k.LastCheck, now))
			}
		}
		if len(o.ServiceUsers) == 0 {
			fmt.Fprintf(w, "%s\t-\t\t\t\t\t\n", org)
		}
	}
	return w.Flush()
}

func listDocument(doc *keystore.Document, now time.Time, maxAge time.Duration) listJSON {
	out := listJSON{Organizations: []orgJSON{}}
	for _, o := range doc.Organizations {
		oj := orgJSON{ID: o.ID, Name: o.Name, APIURL: o.APIURL, ServiceUsers: []userJSON{}}
		for _, u := range o.ServiceUsers {
			uj := userJSON{Name: u.Name, Keys: []keyJSON{}}
			for _, k := range u.Keys {
				uj.Keys = append(uj.Keys, keyJSON{AccessKeyID: k.AccessKeyID, Status: k.Status, CreatedAt: k.CreatedAt,
					AgeDays: k.AgeDays(now), Stale: k.Stale(now, maxAge), SecretCopied: k.SecretCopied(), LastCheck: k.LastCheck})
			}
			oj.ServiceUsers = append(oj.ServiceUsers, uj)
		}
		out.Organizations = append(out.Organizations, oj)
	}
	return out
}

func writeJSON(c *ctx, v any) error {
	enc := json.NewEncoder(c.env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orgLabel is the name when there is one, else the ID.
func orgLabel(o *keystore.Organization) string {
	if o.Name != "" {
		return sanitize.Text(o.Name, 30)
	}
	return o.ID
}

func ageText(days int, stale bool) string {
	s := fmt.Sprintf("%dd", days)
	if stale {
		s += " STALE"
	}
	return s
}

func secretState(k *keystore.AccessKey) string {
	if k.SecretCopied() {
		return "copied " + k.SecretCopiedAt.Local().Format("2006-01-02")
	}
	return "copy once"
}
