package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/internal/timefmt"
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
	Name                string    `json:"name"`
	OverLimitAfterMerge bool      `json:"overLimitAfterMerge,omitempty"`
	Rotation            *rotJSON  `json:"rotation,omitempty"`
	Keys                []keyJSON `json:"keys"`
}

// rotJSON is a rotation in progress: its step and keys.
type rotJSON struct {
	Step     keystore.RotationStep `json:"step"`
	StepName string                `json:"stepName"`
	OldKeyID string                `json:"oldKeyId,omitempty"`
	NewKeyID string                `json:"newKeyId,omitempty"`
}

type keyJSON struct {
	AccessKeyID    string          `json:"accessKeyId"`
	Status         keystore.Status `json:"status"`
	CreatedAt      time.Time       `json:"createdAt"`
	AgeDays        int             `json:"ageDays"`
	Stale          bool            `json:"stale"`
	SecretCopied   bool            `json:"secretCopied"`
	DeployedTo     string          `json:"deployedTo"`
	Exposed        bool            `json:"exposed"`
	HandedOutTwice bool            `json:"handedOutTwice"`
	// WrongServiceUser: its last check's users/me named another m3ter service user than the one learned.
	WrongServiceUser bool            `json:"wrongServiceUser"`
	LastCheck        *keystore.Check `json:"lastCheck"`
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
	var notes []string // beneath the table, so they do not widen its columns
	fmt.Fprintln(w, "ORGANIZATION\tORG ID\tSERVICE USER\tACCESS KEY ID\tSTATUS\tAGE\tSECRET\tLAST CHECK")
	for _, o := range doc.Organizations {
		org := orgLabel(&o)
		orgCells := orgName(&o) + "\t" + o.ID // --org takes either
		for _, u := range o.ServiceUsers {
			if len(u.Keys) == 0 {
				fmt.Fprintf(w, "%s\t%s\t-\t\t\t\t\n", orgCells, sanitize.Text(u.Name, 40))
			}
			for _, k := range u.Keys {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", orgCells, sanitize.Text(u.Name, 40), sanitize.Line(k.AccessKeyID),
					k.Status, ageText(k.AgeDays(now), k.Stale(now, maxAge)), secretState(&k), lastcheck.Text(lastcheck.ForKey(&k), now))
			}
			for _, n := range userNotes(&u) {
				notes = append(notes, org+" / "+sanitize.Text(u.Name, 40)+" — "+n)
			}
		}
		if len(o.ServiceUsers) == 0 {
			fmt.Fprintf(w, "%s\t-\t\t\t\t\t\n", orgCells)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(notes) > 0 {
		fmt.Fprintln(c.env.Stdout, "\nNOTES")
		for _, n := range notes {
			fmt.Fprintln(c.env.Stdout, "  "+n)
		}
	}
	return nil
}

// userNotes are the lines under a service user's keys: what is wrong or under way.
func userNotes(u *keystore.ServiceUser) []string {
	var notes []string
	if u.OverLimitAfterMerge {
		notes = append(notes, fmt.Sprintf("over the limit after merge: %d keys — inactivate and remove until 2 remain", len(u.Keys)))
	}
	if r := u.Rotation; r != nil {
		notes = append(notes, fmt.Sprintf("rotation in progress: step %d (%s) — resume with r in m3keys", r.Step, r.Step))
	}
	for _, k := range u.Keys {
		id := textcut.Middle(sanitize.Line(k.AccessKeyID), 24)
		if k.Exposed {
			notes = append(notes, id+": exposed — rotate")
		}
		if k.HandedOutTwice {
			notes = append(notes, id+": handed out twice — rotate")
		}
		if k.DeployedTo != "" {
			notes = append(notes, id+": deployed to "+textcut.End(sanitize.Line(k.DeployedTo), 50))
		}
	}
	return notes
}

func listDocument(doc *keystore.Document, now time.Time, maxAge time.Duration) listJSON {
	out := listJSON{Organizations: []orgJSON{}}
	for _, o := range doc.Organizations {
		oj := orgJSON{ID: o.ID, Name: o.Name, APIURL: o.APIURL, ServiceUsers: []userJSON{}}
		for _, u := range o.ServiceUsers {
			uj := userJSON{Name: u.Name, OverLimitAfterMerge: u.OverLimitAfterMerge, Keys: []keyJSON{}}
			if r := u.Rotation; r != nil {
				uj.Rotation = &rotJSON{Step: r.Step, StepName: r.Step.String(), OldKeyID: r.OldKeyID, NewKeyID: r.NewKeyID}
			}
			for _, k := range u.Keys {
				uj.Keys = append(uj.Keys, keyJSON{AccessKeyID: k.AccessKeyID, Status: k.Status, CreatedAt: k.CreatedAt,
					AgeDays: k.AgeDays(now), Stale: k.Stale(now, maxAge), SecretCopied: k.SecretCopied(),
					DeployedTo: k.DeployedTo, Exposed: k.Exposed, HandedOutTwice: k.HandedOutTwice, WrongServiceUser: lastcheck.WrongServiceUser(k.LastCheck), LastCheck: k.LastCheck})
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

// orgName is the name, or "-" when it has none.
func orgName(o *keystore.Organization) string {
	if o.Name == "" {
		return "-"
	}
	return sanitize.Text(o.Name, 30)
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
		return "copied " + timefmt.Day(k.SecretCopiedAt)
	}
	return "copy once"
}
